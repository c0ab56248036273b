// Seeded Gaussian noise, bit for bit the training code's
// (training/lantern/noise.py).
//
// mulberry32 is counter-based: output i (from 0) depends only on
// a = seed + (i + 1) * 0x6D2B79F5 (mod 2^32). Python computes the stream
// vectorised in uint64 with masks; here Math.imul and `>>> 0` keep every
// intermediate a uint32, giving the same integers. Pairs of uniforms go
// through Box-Muller in float64 (z0 = r cos(2 pi u1), z1 = r sin(2 pi u1),
// r = sqrt(-2 ln(1 - u0))) and are rounded once to float32. The clip's noise
// is drawn in (C, F, h, w) order, the latent's own row-major layout.

const GOLDEN = 0x6d2b79f5;

/** A seed the UI or a script gave: an integer in [0, 2^32). */
export class InvalidSeedError extends Error {
  readonly seed: unknown;
  constructor(seed: unknown) {
    super(`Seed ${String(seed)} is not allowed. It must be an integer from 0 to ${2 ** 32 - 1}.`);
    this.name = 'InvalidSeedError';
    this.seed = seed;
  }
}

export function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InvalidSeedError(seed);
}

/** Output `i` of mulberry32(seed) as a uint32. */
function mulberry32Uint(seed: number, i: number): number {
  const a = (seed + Math.imul(i + 1, GOLDEN)) >>> 0;
  let t = Math.imul(a ^ (a >>> 15), a | 1) >>> 0;
  t = ((t + Math.imul(t ^ (t >>> 7), t | 61)) >>> 0) ^ t;
  return (t ^ (t >>> 14)) >>> 0;
}

/** The first `count` outputs of mulberry32(seed), float64 in [0, 1). */
export function mulberry32(seed: number, count: number): Float64Array {
  checkSeed(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = mulberry32Uint(seed, i) / 4294967296;
  return out;
}

/** `count` standard normal float32 values for `seed`, the same as `gaussian_noise(seed, shape)`. */
export function gaussianNoise(seed: number, count: number): Float32Array {
  checkSeed(seed);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`Noise count ${count} must be an integer >= 0.`);
  const out = new Float32Array(count);
  for (let pair = 0; 2 * pair < count; pair++) {
    const u0 = mulberry32Uint(seed, 2 * pair) / 4294967296;
    const u1 = mulberry32Uint(seed, 2 * pair + 1) / 4294967296;
    const r = Math.sqrt(-2 * Math.log(1 - u0));
    const angle = 2 * Math.PI * u1;
    out[2 * pair] = r * Math.cos(angle);
    if (2 * pair + 1 < count) out[2 * pair + 1] = r * Math.sin(angle);
  }
  return out;
}
