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
// buffers. Cross in graph: the same, on the stage graphs of `lantern.export
// --cross-attention matmul` (bench/make-step-variants.sh exports them from the
// committed checkpoint before the bench runs): one session run a block
// instead of two, ORT's MatMul-Softmax-MatMul instead of our kernel for
// cross-attention (ORT's fused MultiHeadAttention is wrong on a device with
// subgroups: bench/ort-mha.bench.ts).
// On SwiftShader (a CPU emulating a GPU) the ratios say where time goes, not
// how a GPU performs.
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
  if (code.includes('row_max_shared')) return 'Softmax';
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

type Variant = {
  name: string;
  runs: number;
  denoiser: PlanDenoiser;
  sessions: Session[];
  trace?: GpuTrace;
  wallMs: number[];
  v?: Float32Array;
};

/** The stage graphs exported with cross-attention inside them (bench/make-step-variants.sh). */
const MATMUL_CROSS_URL = '/bench/models/step-variants/lantern-tiny-matmul-cross.json';

const ms = (ns: number) => (ns / 1e6).toFixed(0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

test('webgpu step: where one denoiser call goes, before and after', { timeout: 1_800_000 }, async () => {
  const adapter = await navigator.gpu.requestAdapter();
  if (adapter === null || !adapter.features.has('timestamp-query')) throw new Error("this bench needs a WebGPU adapter with 'timestamp-query'");
  const features: GPUFeatureName[] = ['timestamp-query', ...(adapter.features.has('subgroups') ? (['subgroups'] as const) : [])];
  const device = await adapter.requestDevice({ requiredFeatures: features, requiredLimits: engineDeviceLimits(adapter) });
  const tracer = installGpuTracer(device);
  const index = await fixtureIndex();
  const text = gpuFloatTensor(device, await fixtureFloats(index, 'text'), index.tensors['text']!.shape).tensor;
  const xIn = await fixtureFloats(index, 'denoiser_x_in');
  const t = await fixtureFloats(index, 'denoiser_t');

  const variants: Variant[] = [];
  let foldAfter = false;
  for (const [name, url, after] of [
    ['before', MANIFEST_URL, false],
    ['after', MANIFEST_URL, true],
    ['after, cross in graph', MATMUL_CROSS_URL, true],
  ] as const) {
    const manifest = await fetchManifest(url).catch((cause: unknown) => {
      throw new Error(`${url}: ${String(cause)}. Run \`bash bench/make-step-variants.sh\` (npm run bench runs it first).`);
    });
    const graphs = [...new Set(manifest.denoiser.plan.flatMap((s) => (s.op === 'run' ? [s.graph] : [])))];
    const files = await fetchModelFiles(manifest, url, graphs);
    const fold = after && foldsWeights(manifest, files, 'webgpu');
    foldAfter ||= fold;
    const sessions = new Map<string, Session>();
    for (const graph of graphs) {
      sessions.set(graph, await createSession(graph, files.graphs.get(graph)!, { backend: 'webgpu', device }, { outputsOnGpu: true, foldWeights: fold }));
    }
    const denoiser = await createPlanDenoiser(manifest, device, sessions, { ioThroughOrt: !after });
    await denoiser.setText(text);
    await denoiser.run(xIn, t); // warm-up: pipelines compile on first use
    const runs = manifest.denoiser.plan.filter((s) => s.op === 'run' && !s.once).length;
    variants.push({ name, runs, denoiser, sessions: [...sessions.values()], wallMs: [] });
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

  const before = variants[0]!;
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
  const kinds = variants.map((variant) => byKind(variant.trace!));
  const totalBefore = gpuNs(before.trace!);
  const weight = (name: string) => kinds.map((k) => k.get(name)?.ns ?? 0);
  // Heaviest first by before's GPU time, ties broken by the next variant's.
  const names = [...new Set(kinds.flatMap((k) => [...k.keys()]))].sort((a, b) => {
    const [wa, wb] = [weight(a), weight(b)];
    const i = wa.findIndex((w, j) => w !== wb[j]);
    return i === -1 ? 0 : wb[i]! - wa[i]!;
  });
  const cell = (entry: { passes: number; ns: number } | undefined) =>
    entry === undefined ? ['-', '-'] : [String(entry.passes), (entry.ns / totalBefore).toFixed(3)];
  const kindLines = names.map((name) => [name, ...kinds.flatMap((k) => cell(k.get(name)))]);
  kindLines.push(['all passes', ...variants.flatMap((variant) => [String(variant.trace!.passes.length), (gpuNs(variant.trace!) / totalBefore).toFixed(3)])]);

  const host = (variant: Variant) => [
    variant.name,
    String(variant.runs),
    String(variant.trace!.passes.length),
    String(variant.trace!.passes.reduce((sum, p) => sum + p.dispatches, 0)),
    String(variant.trace!.writes),
    String(variant.trace!.bytesWritten),
    String(variant.trace!.buffersCreated),
    String(variant.trace!.mapReads),
    String(variant.trace!.submits),
    (median(variant.wallMs) / median(before.wallMs)).toFixed(3),
  ];
  const hostHeader = ['', 'session runs', 'passes', 'dispatches', 'queue writes', 'bytes written', 'buffers made', 'readbacks', 'submits', 'wall (x before)'];
  const maxDiff = (variant: Variant) => before.v!.reduce((m, x, i) => Math.max(m, Math.abs(x - variant.v![i]!)), 0);
  const diffs = variants.slice(1).map((variant) => `largest |v ${variant.name} - v before|: ${maxDiff(variant).toExponential(2)}`);
  const info = device.adapterInfo;
  console.log(
    `\none denoiser call (guidance batch 2) on ${info.vendor || '?'} ${info.architecture || '?'} (${info.description || 'no description'}); ` +
      `weights folded after: ${foldAfter}; GPU time by the device's timestamps, as a fraction of before's total ` +
      `(${ms(totalBefore)} ms); wall: median of ${ROUNDS} interleaved calls (before ${median(before.wallMs).toFixed(0)} ms).\n` +
      `${table(['kernel kind (per compute pass)', ...variants.flatMap((v) => [`${v.name} passes`, `${v.name} GPU time`])], kindLines)}\n\n` +
      `${table(hostHeader, variants.map(host))}\n\n${diffs.join('\n')}\n`,
  );
  for (const variant of variants) {
    variant.denoiser.destroy();
    for (const session of variant.sessions) await session.release();
  }
  device.destroy();
  for (const variant of variants.slice(1)) expect(maxDiff(variant)).toBeLessThan(1e-3);
  // The executor's own claim; the in-graph variants' buffers are ORT's (reported above).
  expect(variants[1]!.trace!.buffersCreated).toBe(0);
});
