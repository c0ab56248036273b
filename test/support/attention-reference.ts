// A straightforward float64 attention, the reference the WGSL kernel is
// checked against on random shapes: RoPE from float64 angles, the full score
// matrix, a max-subtracted softmax. Slow and obvious on purpose.
import { type Rope, ropeAngles } from '../../workers/engine/gpu/rope';

export type AttentionShape = {
  batch: number;
  heads: number;
  queries: number;
  keys: number;
  headDim: number;
  scale: number;
  rope: Rope | null;
};

function rotate(x: Float32Array, tokens: number, headDim: number, angles: Float64Array, heads: number): Float64Array {
  const out = new Float64Array(x.length);
  const pairs = headDim / 2;
  for (let bh = 0; bh < heads; bh++) {
    for (let n = 0; n < tokens; n++) {
      for (let p = 0; p < pairs; p++) {
        const at = (bh * tokens + n) * headDim + 2 * p;
        const a = angles[n * pairs + p]!;
        const x0 = x[at]!;
        const x1 = x[at + 1]!;
        out[at] = x0 * Math.cos(a) - x1 * Math.sin(a);
        out[at + 1] = x0 * Math.sin(a) + x1 * Math.cos(a);
      }
    }
  }
  return out;
}

/**
 * Attention in float64, (batch * heads, queries, headDim). With `rows`, only
 * those query rows of every batch and head are computed, and the result is
 * (batch * heads, rows.length, headDim): a spot check for shapes too large
 * to compute whole.
 */
export function attentionReference(s: AttentionShape, q: Float32Array, k: Float32Array, v: Float32Array, rows?: readonly number[]): Float64Array {
  const { queries: nq, keys: nk, headDim: d } = s;
  const bh = s.batch * s.heads;
  const picked = rows ?? Array.from({ length: nq }, (_, i) => i);
  const angles = s.rope === null ? null : ropeAngles(s.rope, d);
  const qr = angles === null ? Float64Array.from(q) : rotate(q, nq, d, angles, bh);
  const kr = angles === null ? Float64Array.from(k) : rotate(k, nk, d, angles, bh);
  const out = new Float64Array(bh * picked.length * d);
  const scores = new Float64Array(nk);
  for (let h = 0; h < bh; h++) {
    for (let r = 0; r < picked.length; r++) {
      const i = picked[r]!;
      let max = -Infinity;
      for (let j = 0; j < nk; j++) {
        let dot = 0;
        for (let c = 0; c < d; c++) dot += qr[(h * nq + i) * d + c]! * kr[(h * nk + j) * d + c]!;
        scores[j] = dot * s.scale;
        max = Math.max(max, scores[j]!);
      }
      let sum = 0;
      for (let j = 0; j < nk; j++) {
        scores[j] = Math.exp(scores[j]! - max);
        sum += scores[j]!;
      }
      for (let c = 0; c < d; c++) {
        let acc = 0;
        for (let j = 0; j < nk; j++) acc += scores[j]! * v[(h * nk + j) * d + c]!;
        out[(h * picked.length + r) * d + c] = acc / sum;
      }
    }
  }
  return out;
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal float32 samples (Box-Muller). */
export function randomNormal(random: () => number, length: number, std = 1): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const t = 2 * Math.PI * random();
    out[i] = r * Math.cos(t) * std;
    if (i + 1 < length) out[i + 1] = r * Math.sin(t) * std;
  }
  return out;
}

export type Tolerance = { atol: number; rtol: number };

/**
 * Checks |actual - expected| <= atol + rtol * |expected| elementwise and
 * returns a message naming the worst element, or null when all hold.
 */
export function closeness(actual: Float32Array, expected: ArrayLike<number>, tol: Tolerance): string | null {
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  let failures = 0;
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i]!;
    const err = Math.abs(actual[i]! - e);
    const ratio = err / (tol.atol + tol.rtol * Math.abs(e));
    if (!(ratio <= 1)) failures++;
    if (!(ratio <= worstRatio)) {
      worstRatio = ratio;
      worst = i;
    }
  }
  if (failures === 0) return null;
  return (
    `${failures} of ${actual.length} elements outside atol ${tol.atol} + rtol ${tol.rtol}; worst at ${worst}: ` +
    `got ${actual[worst]}, expected ${expected[worst]} (${worstRatio.toFixed(2)}x the tolerance)`
  );
}

/** Largest |actual - expected|, to report how much of the tolerance was used. */
export function maxAbsError(actual: Float32Array, expected: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < actual.length; i++) max = Math.max(max, Math.abs(actual[i]! - expected[i]!));
  return max;
}
