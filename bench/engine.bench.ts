// `npm run bench`: a whole clip of the built-in model per backend, by phase
// (load, text encoder, denoising, decoder, video encoding), cold (the first
// clip after load: shader and kernel compilation) and warm; then one WebGPU
// denoiser call profiled by plan step (ORT stage graphs against our
// attention kernel). On SwiftShader (a CPU WebGPU) the WebGPU numbers say
// where time goes, not how fast a GPU is.
import { expect, test } from 'vitest';
import { fixtureFloats, fixtureIndex, MANIFEST_URL } from '../test/support/engine-fixtures';
import type { Backend, GenerateResult } from '../workers/contracts/generator';
import { selectBackend } from '../workers/engine/backend';
import { createEngine } from '../workers/engine/engine';
import { createSession, floatTensor } from '../workers/engine/ort';
import { createPlanDenoiser } from '../workers/engine/plan-executor';
import { fetchManifest, fetchModelFiles } from '../workers/model-files/load';
import type { PlanStep } from '../workers/model-files/manifest';
import { table } from './support/table';

const STEPS = 2;
const PROMPT = 'a red ball bounces on a meadow';

type Row = { backend: Backend; run: string; loadMs: number | null; result: GenerateResult; wallMs: number };

const ms = (x: number) => x.toFixed(0);

test('engine: a whole clip per backend, by phase', async () => {
  const rows: Row[] = [];
  for (const backend of ['wasm', 'webgpu'] as const) {
    const engine = createEngine();
    const start = performance.now();
    const info = await engine.load({ manifestUrl: MANIFEST_URL, backend });
    const loadMs = performance.now() - start;
    console.log(`${backend}: ${info.backend.reason}`);
    for (const run of ['cold', 'warm']) {
      const t0 = performance.now();
      const result = await engine.generate({ prompt: PROMPT, seed: 7, steps: STEPS, previewEvery: 0 });
      rows.push({ backend, run, loadMs: run === 'cold' ? loadMs : null, result, wallMs: performance.now() - t0 });
    }
  }
  const header = ['backend', 'clip', 'load ms', 'text ms', `denoise ms (${STEPS} steps)`, 'ms / step', 'decode ms', 'encode ms', 'clip ms'];
  const lines = rows.map(({ backend, run, loadMs, result, wallMs }) => {
    const t = result.timings;
    return [backend, run, loadMs === null ? '-' : ms(loadMs), ms(t.encodeText), ms(t.denoise), ms(t.denoise / STEPS), ms(t.decode), ms(t.encode), ms(wallMs)];
  });
  console.log(
    `\nwhole clip, ${rows[0]!.result.width}x${rows[0]!.result.height}x${rows[0]!.result.frames.length}, ${STEPS} steps, guidance batch 2; load = fetch + verify + sessions.\n${table(header, lines)}\n`,
  );
  for (const row of rows) expect(row.result.frames).toHaveLength(16);
});

test('engine: one WebGPU denoiser call by plan step', async () => {
  const manifest = await fetchManifest(MANIFEST_URL);
  const selection = await selectBackend('webgpu', manifest);
  const device = selection.device!;
  const graphs = [...new Set(manifest.denoiser.plan.flatMap((s) => (s.op === 'run' ? [s.graph] : [])))];
  const files = await fetchModelFiles(manifest, MANIFEST_URL, graphs);
  const sessions = new Map();
  for (const graph of graphs) sessions.set(graph, await createSession(graph, files.graphs.get(graph)!, { backend: 'webgpu', device }, { outputsOnGpu: true }));
  const times = new Map<string, { calls: number; ms: number }>();
  let recording = false;
  const group = (step: PlanStep): string => (step.op === 'attention' ? `WGSL attention (${step.kind})` : `ORT ${step.graph.replace(/\d+$/, 'NN')}`);
  const denoiser = await createPlanDenoiser(manifest, device, sessions, {
    onStepTimed: (step, stepMs) => {
      if (!recording) return;
      const entry = times.get(group(step)) ?? { calls: 0, ms: 0 };
      entry.calls++;
      entry.ms += stepMs;
      times.set(group(step), entry);
    },
  });
  const index = await fixtureIndex();
  await denoiser.setText(floatTensor(await fixtureFloats(index, 'text'), index.tensors['text']!.shape));
  const xIn = await fixtureFloats(index, 'denoiser_x_in');
  const t = await fixtureFloats(index, 'denoiser_t');
  await denoiser.run(xIn, t); // warm-up: pipelines compile on first use
  recording = true;
  await denoiser.run(xIn, t);
  const total = [...times.values()].reduce((sum, e) => sum + e.ms, 0);
  const lines = [...times.entries()].map(([name, e]) => [name, String(e.calls), ms(e.ms), `${((100 * e.ms) / total).toFixed(0)}%`]);
  const info = device.adapterInfo;
  console.log(
    `\none denoiser call (batch 2) on ${info.vendor || '?'} ${info.architecture || '?'} (${info.description || 'no description'}), ` +
      `each plan step awaited alone (so slower than a real call):\n${table(['plan steps', 'calls', 'ms', 'share'], lines)}\n`,
  );
  denoiser.destroy();
  for (const session of sessions.values()) await session.release();
  device.destroy();
  expect(total).toBeGreaterThan(0);
});
