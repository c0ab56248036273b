// The GPU-machine attention bench's measurement, apart from how it gets its
// device (attention-dawn.ts: Node.js and Dawn on the GPU machine), so that
// test/attention-sweep.browser.test.ts runs the same code in Chromium.
//
// For one shape and each lane path: the default tile the engine would
// choose, then (with `sweep`) a sweep of tiles (lane groups x rows x keys),
// to say whether the defaults suit a real GPU. Every configuration's output
// is checked against the float64 reference on sampled rows before it is
// timed.
//
// Time per call: n calls recorded back to back in one command buffer,
// submitted and awaited, divided by n (n chosen so a batch lasts ~20 ms),
// the median of `reps` batches. This includes the gaps between dispatches,
// as a denoising step pays them.

import { uploadAttentionInputs } from '../../test/support/attention-buffers';
import { attentionReference, mulberry32, randomNormal } from '../../test/support/attention-reference';
import { readF32 } from '../../test/support/gpu-buffers';
import {
  ATTENTION_PATHS,
  type Attention,
  type AttentionBuffers,
  AttentionConfigError,
  type AttentionPath,
  type AttentionTile,
  createAttention,
  deviceHasSubgroups,
} from '../../workers/engine/gpu/attention';
import { type BenchShape, shapeName } from '../attention-shapes';

const TARGET_BATCH_MS = 20;
const MAX_BATCH = 400;
/** Sampled query rows per shape for the float64 spot check (in every batch and head). */
export const CHECK_ROWS = 24;
/**
 * Largest |out - reference| allowed on the sampled rows. The kernel tests
 * (test/attention.browser.test.ts) allow 2e-5 + 1e-4 |x| at up to 256 keys;
 * float32 sums over 4,096 keys round more.
 */
export const TOLERANCE = 1e-4;
const SWEEP = { groups: [8, 16, 32, 64], rows: [1, 2, 4], keys: [16, 32, 64] } as const;

export type Timing = { path: AttentionPath; tile: AttentionTile; isDefault: boolean; ms: number; tflops: number; maxError: number };
export type ShapeResult = { name: string; shape: BenchShape; flops: number; timings: Timing[] };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timePerCall(device: GPUDevice, attention: Attention, buffers: AttentionBuffers, reps: number): Promise<number> {
  const run = async (n: number): Promise<number> => {
    const start = performance.now();
    const encoder = device.createCommandEncoder({ label: 'bench.gpu.attention.encoder' });
    for (let i = 0; i < n; i++) attention.encode(encoder, buffers);
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return performance.now() - start;
  };
  await run(1);
  const one = Math.min(await run(1), await run(1));
  const n = Math.max(1, Math.min(MAX_BATCH, Math.ceil(TARGET_BATCH_MS / Math.max(one, 1e-3))));
  const perCall: number[] = [];
  for (let i = 0; i < reps; i++) perCall.push((await run(n)) / n);
  return median(perCall);
}

/** Evenly spread query rows, always including the first and the last (ragged tiles). */
function sampleRows(queries: number): number[] {
  const count = Math.min(CHECK_ROWS, queries);
  return [...new Set(Array.from({ length: count }, (_, i) => Math.round((i * (queries - 1)) / Math.max(1, count - 1))))];
}

function gatherRows(out: Float32Array, bh: number, queries: number, headDim: number, rows: number[]): Float32Array {
  const picked = new Float32Array(bh * rows.length * headDim);
  for (let h = 0; h < bh; h++) {
    rows.forEach((row, r) => {
      const from = (h * queries + row) * headDim;
      picked.set(out.subarray(from, from + headDim), (h * rows.length + r) * headDim);
    });
  }
  return picked;
}

function tilesToTry(path: AttentionPath, sweep: boolean): (Partial<AttentionTile> | undefined)[] {
  if (!sweep) return [undefined];
  const tiles: (Partial<AttentionTile> | undefined)[] = [undefined];
  for (const groups of SWEEP.groups) {
    for (const rows of SWEEP.rows) {
      if (path === 'portable' && groups < 16) continue; // one row per invocation: tiny workgroups only waste the staging
      for (const keys of SWEEP.keys) tiles.push({ queries: groups * rows, rows, keys });
    }
  }
  return tiles;
}

export type MeasureOptions = { sweep: boolean; reps: number };

export async function measureShape(device: GPUDevice, shape: BenchShape, options: MeasureOptions): Promise<ShapeResult> {
  const { batch, heads, headDim, queries, keys } = shape;
  const bh = batch * heads;
  const random = mulberry32(7);
  const q = randomNormal(random, bh * queries * headDim);
  const k = randomNormal(random, bh * keys * headDim);
  const v = randomNormal(random, bh * keys * headDim);
  const rows = sampleRows(queries);
  const expected = attentionReference(shape, q, k, v, rows);
  const buffers = uploadAttentionInputs(device, { q, k, v }, 'bench');
  const flops = 4 * bh * queries * keys * headDim;
  const timings: Timing[] = [];
  const paths = ATTENTION_PATHS.filter((p) => p === 'portable' || deviceHasSubgroups(device));
  for (const path of paths) {
    const seen = new Set<string>();
    for (const requested of tilesToTry(path, options.sweep)) {
      let attention: Attention;
      try {
        attention = await createAttention(device, {
          kind: shape.kind,
          batch,
          heads,
          headDim,
          queries,
          keys,
          scale: shape.scale,
          ...(shape.rope === null ? {} : { rope: shape.rope }),
          useSubgroups: path === 'subgroups',
          ...(requested === undefined ? {} : { tile: requested }),
        });
      } catch (error) {
        if (error instanceof AttentionConfigError) continue; // a tile this device or head size cannot hold
        throw error;
      }
      const key = JSON.stringify(attention.tile);
      if (seen.has(key)) {
        attention.destroy();
        continue;
      }
      seen.add(key);
      // Cleared first, so a configuration that writes nothing cannot pass on the previous one's output.
      const check = device.createCommandEncoder({ label: 'bench.gpu.attention.check' });
      check.clearBuffer(buffers.out);
      attention.encode(check, buffers);
      device.queue.submit([check.finish()]);
      const actual = gatherRows(await readF32(device, buffers.out, q.length), bh, queries, headDim, rows);
      let maxError = 0;
      for (let i = 0; i < actual.length; i++) maxError = Math.max(maxError, Math.abs(actual[i]! - expected[i]!));
      const ms = await timePerCall(device, attention, buffers, options.reps);
      timings.push({ path, tile: { ...attention.tile }, isDefault: requested === undefined, ms, tflops: flops / (ms * 1e9), maxError });
      attention.destroy();
    }
  }
  buffers.destroy();
  return { name: shapeName(shape), shape, flops, timings };
}

export function tileName(t: AttentionTile): string {
  return `${t.queries / t.rows}x${t.rows} rows, ${t.keys} keys`;
}

export function table(results: ShapeResult[]): string {
  const header = ['shape', 'path', 'default tile', 'ms', 'TFLOP/s', 'best tile', 'ms', 'TFLOP/s', 'max |err|'];
  const lines: string[][] = [];
  for (const r of results) {
    for (const path of ATTENTION_PATHS) {
      const mine = r.timings.filter((t) => t.path === path);
      const fallback = mine.find((t) => t.isDefault);
      if (fallback === undefined) continue;
      const best = mine.reduce((a, b) => (b.ms < a.ms ? b : a));
      const worst = Math.max(...mine.map((t) => t.maxError));
      lines.push([
        r.name,
        path,
        tileName(fallback.tile),
        fallback.ms.toFixed(4),
        fallback.tflops.toFixed(2),
        tileName(best.tile),
        best.ms.toFixed(4),
        best.tflops.toFixed(2),
        worst.toExponential(1),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}
