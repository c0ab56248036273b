// `npm run bench`: where a WebGPU denoiser step's time goes, before and
// after the step cuts of issue 16, side by side on one device. Every compute
// pass is timed by the device's timestamps (bench/support/gpu-tracer.ts) and
// named by the kind of kernel it runs (read from its WGSL: ORT's pipelines
// carry no labels), next to the host's work per step: session runs, passes,
// dispatches, uniform and input uploads, buffers made, readbacks, submits.
// Before: int8 weights dequantized at every run (DequantizeLinear per weight,
// 'basic' optimisation), x_in, t and v through ORT's own upload and readback.
// After: the engine's sessions (weights folded at load, 'extended' fusions:
// foldsWeights in runtime.ts) and the plan executor's own input and staging
// buffers. On SwiftShader (a CPU emulating a GPU) the ratios say where time
// goes, not how a GPU performs.
import { expect, test } from 'vitest';
import { fixtureFloats, fixtureIndex, gpuFloatTensor, MANIFEST_URL } from '../test/support/engine-fixtures';
import { engineDeviceLimits } from '../workers/engine/backend';
import { foldsWeights } from '../workers/engine/fold-weights';
import { createSession, type Session } from '../workers/engine/ort';
import { createPlanDenoiser, type PlanDenoiser } from '../workers/engine/plan-executor';
import { fetchManifest, fetchModelFiles } from '../workers/model-files/load';
import { type GpuTrace, installGpuTracer, type PassRecord } from './support/gpu-tracer';
import { table } from './support/table';

const ROUNDS = 3;

/** The kind of kernel a WGSL program is, from the names ORT's generators give its bindings and uniforms. */
function kernelKind(label: string, code: string): string {
  if (label.startsWith('attention.')) return `WGSL attention (${label.split('.')[1]})`;
  if (code.includes('mm_Asub')) return code.includes('beta') ? 'Gemm' : 'MatMul';
  if (code.includes('aBestValues')) return 'ReduceMean';
  if (code.includes('sum_squared_shared')) return 'LayerNorm';
  if (code.includes('zero_point')) return 'DequantizeLinear';
  if (code.includes('sizes_in_concat_axis')) return 'Concat';
  if (code.includes('signs') && code.includes('starts')) return 'Slice';
  if (code.includes('input_a') && code.includes('input_b')) return 'binary elementwise';
  if (code.includes('a_stride') && code.includes('output_stride')) return 'Transpose';
  if (/var<storage, read> x\b/.test(code) && /var<storage, read_write> y\b/.test(code)) return 'unary elementwise';
  return 'other';
}

function passKind(pass: PassRecord): string {
  const kinds = pass.code.map((code, i) => kernelKind(pass.labels[i] ?? '', code));
  return [...new Set(kinds)].join(' + ');
}

type Variant = { name: string; denoiser: PlanDenoiser; sessions: Session[]; trace?: GpuTrace; wallMs: number[]; v?: Float32Array };

const ms = (ns: number) => (ns / 1e6).toFixed(0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

test('webgpu step: where one denoiser call goes, before and after', { timeout: 1_800_000 }, async () => {
  const manifest = await fetchManifest(MANIFEST_URL);
  const adapter = await navigator.gpu.requestAdapter();
  if (adapter === null || !adapter.features.has('timestamp-query')) throw new Error("this bench needs a WebGPU adapter with 'timestamp-query'");
  const features: GPUFeatureName[] = ['timestamp-query', ...(adapter.features.has('subgroups') ? (['subgroups'] as const) : [])];
  const device = await adapter.requestDevice({ requiredFeatures: features, requiredLimits: engineDeviceLimits(adapter) });
  const tracer = installGpuTracer(device);
  const graphs = [...new Set(manifest.denoiser.plan.flatMap((s) => (s.op === 'run' ? [s.graph] : [])))];
  const files = await fetchModelFiles(manifest, MANIFEST_URL, graphs);
  const fold = foldsWeights(manifest, files, 'webgpu');
  const index = await fixtureIndex();
  const text = gpuFloatTensor(device, await fixtureFloats(index, 'text'), index.tensors['text']!.shape).tensor;
  const xIn = await fixtureFloats(index, 'denoiser_x_in');
  const t = await fixtureFloats(index, 'denoiser_t');

  const variants: Variant[] = [];
  for (const after of [false, true]) {
    const sessions = new Map<string, Session>();
    for (const graph of graphs) {
      sessions.set(
        graph,
        await createSession(graph, files.graphs.get(graph)!, { backend: 'webgpu', device }, { outputsOnGpu: true, foldWeights: after && fold }),
      );
    }
    const denoiser = await createPlanDenoiser(manifest, device, sessions, { ioThroughOrt: !after });
    await denoiser.setText(text);
    await denoiser.run(xIn, t); // warm-up: pipelines compile on first use
    variants.push({ name: after ? 'after' : 'before', denoiser, sessions: [...sessions.values()], wallMs: [] });
  }
  for (const variant of variants) {
    variant.trace = await tracer.trace(async () => {
      variant.v = await variant.denoiser.run(xIn, t);
    });
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of variants) {
      const start = performance.now();
      await variant.denoiser.run(xIn, t);
      variant.wallMs.push(performance.now() - start);
    }
  }

  const [before, after] = variants as [Variant, Variant];
  const byKind = (trace: GpuTrace) => {
    const kinds = new Map<string, { passes: number; ns: number }>();
    for (const pass of trace.passes) {
      const entry = kinds.get(passKind(pass)) ?? { passes: 0, ns: 0 };
      entry.passes++;
      entry.ns += pass.ns;
      kinds.set(passKind(pass), entry);
    }
    return kinds;
  };
  const gpuNs = (trace: GpuTrace) => trace.passes.reduce((sum, p) => sum + p.ns, 0);
  const kindsBefore = byKind(before.trace!);
  const kindsAfter = byKind(after.trace!);
  const totalBefore = gpuNs(before.trace!);
  const names = [...new Set([...kindsBefore.keys(), ...kindsAfter.keys()])].sort(
    (a, b) => (kindsBefore.get(b)?.ns ?? 0) - (kindsBefore.get(a)?.ns ?? 0) || (kindsAfter.get(b)?.ns ?? 0) - (kindsAfter.get(a)?.ns ?? 0),
  );
  const cell = (entry: { passes: number; ns: number } | undefined) =>
    entry === undefined ? ['-', '-'] : [String(entry.passes), (entry.ns / totalBefore).toFixed(3)];
  const kindLines = names.map((name) => [name, ...cell(kindsBefore.get(name)), ...cell(kindsAfter.get(name))]);
  kindLines.push([
    'all passes',
    String(before.trace!.passes.length),
    '1.000',
    String(after.trace!.passes.length),
    (gpuNs(after.trace!) / totalBefore).toFixed(3),
  ]);

  const runs = manifest.denoiser.plan.filter((s) => s.op === 'run' && !s.once).length;
  const host = (trace: GpuTrace, wall: number[]) => [
    String(runs),
    String(trace.passes.length),
    String(trace.passes.reduce((sum, p) => sum + p.dispatches, 0)),
    String(trace.writes),
    String(trace.bytesWritten),
    String(trace.buffersCreated),
    String(trace.mapReads),
    String(trace.submits),
    (median(wall) / median(before.wallMs)).toFixed(3),
  ];
  const hostHeader = ['', 'session runs', 'passes', 'dispatches', 'queue writes', 'bytes written', 'buffers made', 'readbacks', 'submits', 'wall (x before)'];
  let maxDiff = 0;
  for (let i = 0; i < before.v!.length; i++) maxDiff = Math.max(maxDiff, Math.abs(before.v![i]! - after.v![i]!));
  const info = device.adapterInfo;
  console.log(
    `\none denoiser call (guidance batch 2) on ${info.vendor || '?'} ${info.architecture || '?'} (${info.description || 'no description'}); ` +
      `weights folded after: ${fold}; GPU time by the device's timestamps, as a fraction of before's total ` +
      `(${ms(totalBefore)} ms); wall: median of ${ROUNDS} interleaved calls (before ${median(before.wallMs).toFixed(0)} ms).\n` +
      `${table(['kernel kind (per compute pass)', 'before passes', 'before GPU time', 'after passes', 'after GPU time'], kindLines)}\n\n` +
      `${table(hostHeader, [
        ['before', ...host(before.trace!, before.wallMs)],
        ['after', ...host(after.trace!, after.wallMs)],
      ])}\n\nlargest |v after - v before|: ${maxDiff.toExponential(2)}\n`,
  );
  for (const variant of variants) {
    variant.denoiser.destroy();
    for (const session of variant.sessions) await session.release();
  }
  device.destroy();
  expect(maxDiff).toBeLessThan(1e-3);
  expect(after.trace!.buffersCreated).toBe(0);
});
