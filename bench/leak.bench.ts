// `npm run bench`: no slow leak. Clips in a row from one loaded engine (100
// on WASM, 20 on WebGPU by default; VITE_LANTERN_LEAK_WASM_CLIPS and
// VITE_LANTERN_LEAK_WEBGPU_CLIPS change that), with the JS heap, the WebAssembly
// memory and the GPU buffers alive sampled after each clip
// (bench/support/memory-probes.ts). Prints a table of samples and the growth
// per clip over the second half of the run, where warm-up is over: a leak
// shows as growth that does not level off. Every clip has its own seed and
// is encoded to MP4, as in the app. The engine runs in the page here, not in
// the app's worker: the same code, without the UI.
import { expect, test } from 'vitest';
import { MANIFEST_URL } from '../test/support/engine-fixtures';
import type { Backend } from '../workers/contracts/generator';
import { createEngine } from '../workers/engine/engine';
import { installMemoryProbes, type MemorySample } from './support/memory-probes';
import { table } from './support/table';

const probes = installMemoryProbes();

const CLIPS: Record<Backend, number> = {
  wasm: Number(import.meta.env['VITE_LANTERN_LEAK_WASM_CLIPS'] ?? 100),
  webgpu: Number(import.meta.env['VITE_LANTERN_LEAK_WEBGPU_CLIPS'] ?? 20),
};
/** Few steps: a leak per step would show as per clip too, and 100 clips at 24 steps take half an hour. */
const STEPS: Record<Backend, number> = { wasm: 4, webgpu: 1 };

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(2);

/** Least-squares slope of y over its index. */
function slope(ys: readonly number[]): number {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (const [i, y] of ys.entries()) {
    num += (i - mx) * (y - my);
    den += (i - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function clipsInARow(backend: Backend): Promise<void> {
  const count = CLIPS[backend];
  const engine = createEngine();
  const info = await engine.load({ manifestUrl: MANIFEST_URL, backend });
  const samples: MemorySample[] = [await probes.sample()];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const result = await engine.generate({ prompt: 'a red ball bounces on a meadow', seed: 1000 + i, steps: STEPS[backend], previewEvery: 1 });
    expect(result.mp4.byteLength).toBeGreaterThan(0);
    const s = await probes.sample();
    samples.push(s);
    // A line per clip, so a run cut by its time limit still shows what it measured.
    console.log(
      `${backend} clip ${i + 1}: JS heap ${mib(s.jsHeap)} MiB, ArrayBuffers ${mib(s.arrayBuffers)} MiB, WASM ${mib(s.wasm)} MiB, GPU ${s.gpuBuffers} buffers ${mib(s.gpuBufferBytes)} MiB`,
    );
  }
  const minutes = (performance.now() - started) / 60_000;
  const shown = [...new Set([0, 1, 2, 5, 10, 20, 50, count / 2, count].map((i) => Math.min(count, Math.round(i))))].sort((a, b) => a - b);
  const lines = shown.map((i) => {
    const s = samples[i]!;
    return [i === 0 ? 'loaded' : String(i), mib(s.jsHeap), mib(s.arrayBuffers), mib(s.wasm), String(s.gpuBuffers), mib(s.gpuBufferBytes)];
  });
  const half = samples.slice(1 + Math.floor(count / 2));
  const perClip = (pick: (s: MemorySample) => number) => slope(half.map(pick));
  lines.push([
    `growth per clip, clips ${count - half.length + 1}-${count}`,
    `${(perClip((s) => s.jsHeap) / 1024).toFixed(1)} KiB`,
    `${(perClip((s) => s.arrayBuffers) / 1024).toFixed(1)} KiB`,
    `${(perClip((s) => s.wasm) / 1024).toFixed(1)} KiB`,
    perClip((s) => s.gpuBuffers).toFixed(2),
    `${(perClip((s) => s.gpuBufferBytes) / 1024).toFixed(1)} KiB`,
  ]);
  console.log(
    `\n${count} clips in a row on ${backend} (${info.backend.reason}), ${STEPS[backend]} steps each, ${minutes.toFixed(1)} min; ` +
      `after each clip, two forced collections:\n${table(['after clip', 'JS heap MiB', 'ArrayBuffers MiB', 'WASM memory MiB', 'GPU buffers', 'GPU buffer MiB'], lines)}\n`,
  );
}

const LONG = 90 * 60_000;
test('no slow leak: clips in a row on WASM', () => clipsInARow('wasm'), LONG);
test('no slow leak: clips in a row on WebGPU', () => clipsInARow('webgpu'), LONG);
