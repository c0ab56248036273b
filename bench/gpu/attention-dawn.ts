/// <reference types="node" />
// Lantern's WGSL attention timed on a real GPU without a browser: Node.js and
// Dawn (the `webgpu` package, Chromium's WebGPU) over the GPU's Vulkan
// driver, as ../shared/gpu/README.md sets up on the GPU machine. Built by
// bench/gpu/pack.sh into .gpu/bench/attention-dawn.mjs and run there by
// bench/gpu/run.sh, which then times PyTorch's scaled_dot_product_attention at
// the same shapes (bench/gpu/sdpa.py) and prints both in one table. The
// measurement itself is attention-sweep.ts.
//
//   node attention-dawn.mjs --dawn <webgpu/index.js> --manifest <model.json> --out <result.json> [--quick]
//
// --quick: the model's shapes only, default tiles, three repetitions.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { engineDeviceLimits } from '../../workers/engine/backend';
import { deviceHasSubgroups } from '../../workers/engine/gpu/attention';
import { parseManifest } from '../../workers/model-files/manifest';
import { planShapes, scaledShapes, shapeName } from '../attention-shapes';
import { measureShape, type ShapeResult, TOLERANCE, table, tileName } from './attention-sweep';

type Args = { dawn: string; manifest: string; out: string; quick: boolean };

function parseArgs(argv: string[]): Args {
  const value = (flag: string): string => {
    const at = argv.indexOf(flag);
    const found = at >= 0 ? argv[at + 1] : undefined;
    if (found === undefined) throw new Error(`Missing ${flag} <path>. Usage: --dawn <webgpu/index.js> --manifest <model.json> --out <result.json> [--quick]`);
    return found;
  };
  return { dawn: value('--dawn'), manifest: value('--manifest'), out: value('--out'), quick: argv.includes('--quick') };
}

async function openDevice(dawnIndex: string): Promise<GPUDevice> {
  const dawn = (await import(pathToFileURL(resolve(dawnIndex)).href)) as {
    create: (toggles: string[]) => GPU;
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, dawn.globals);
  const adapter = await dawn.create([]).requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new Error('Dawn found no adapter: is the Vulkan driver set up (source .gpu/enter.sh)?');
  // A CPU adapter would give numbers that say nothing about the GPU: stop before spending the device call on them.
  const name = `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`;
  if (/swiftshader|llvmpipe/i.test(name)) {
    throw new Error(`Dawn's adapter is a CPU implementation (${name}), not the GPU: check VK_DRIVER_FILES and nvidia-smi (source .gpu/enter.sh).`);
  }
  // The device the engine would ask for (workers/engine/backend.ts), so the default tiles are the engine's.
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('subgroups') ? ['subgroups'] : [];
  return adapter.requestDevice({ label: 'bench.gpu.attention.device', requiredFeatures, requiredLimits: engineDeviceLimits(adapter) });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const manifest = parseManifest(JSON.parse(readFileSync(args.manifest, 'utf8')));
  const plan = planShapes(manifest, args.manifest);
  const shapes = args.quick ? [plan.self, plan.cross] : [plan.self, plan.cross, ...scaledShapes(plan.cross)];
  const device = await openDevice(args.dawn);
  device.lost.then((info) => console.error(`GPU device lost: ${info.reason} ${info.message}`));
  const info = device.adapterInfo;
  const adapter = {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    subgroups: deviceHasSubgroups(device) ? `${info.subgroupMinSize}-${info.subgroupMaxSize}` : 'absent',
    workgroupStorage: device.limits.maxComputeWorkgroupStorageSize,
  };
  console.log(`attention on ${JSON.stringify(adapter)}`);
  const results: ShapeResult[] = [];
  for (const shape of shapes) {
    const started = performance.now();
    results.push(await measureShape(device, shape, { sweep: !args.quick, reps: args.quick ? 3 : 7 }));
    // After every shape, so a run cut short by its time limit still brings back what it measured.
    writeFileSync(args.out, JSON.stringify({ adapter, results }, null, 1));
    console.log(`${shapeName(shape)}: ${results.at(-1)!.timings.length} configurations in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  console.log(`\n${table(results)}\n`);
  const bad = results.flatMap((r) => r.timings.filter((t) => !(t.maxError <= TOLERANCE)).map((t) => `${r.name} ${t.path} ${tileName(t.tile)}: ${t.maxError}`));
  device.destroy();
  if (bad.length > 0) {
    console.error(`Outputs off the float64 reference by more than ${TOLERANCE}:\n${bad.join('\n')}`);
    process.exitCode = 1;
  }
}

main().then(
  () => process.exit(),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
