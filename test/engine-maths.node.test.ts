// The engine's pure maths (seeded noise, sampler, x_in, preview) against the
// training code: test/fixtures/engine/reference.json is written by
// test/support/engine_reference.py from training/lantern (noise.py, flow.py).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { gaussianNoise, InvalidSeedError, mulberry32 } from '../workers/engine/sampling/noise';
import {
  assembleInput,
  eulerStep,
  guided,
  guidedFromBatch,
  InvalidSamplerSettingsError,
  previewRgba,
  restoreGiven,
  sampleSchedule,
  x0Estimate,
} from '../workers/engine/sampling/sampler';

type Reference = {
  mulberry: Record<string, number[]>;
  noise_odd: number[];
  noise_small: number[];
  noise_big: { n: number; sum64: number; sumsq64: number; at: Record<string, number> };
  schedule: Record<'s4_2' | 's3_3_06' | 's5_1' | 's1_2', number[]>;
  euler: { x: number[]; v: number[]; vu: number[]; t: number; tn: number; out: number[] };
  guided: { g: number; out: number[] };
  x0: number[];
  x_in: { cond: number[]; shape: number[]; out: number[]; restored: number[] };
  preview: { matrix: [number, number, number][]; rgb: number[] };
};

const ref = JSON.parse(readFileSync(new URL('./fixtures/engine/reference.json', import.meta.url), 'utf8')) as Reference;
const f32 = (values: number[]) => Float32Array.from(values);

/** Largest difference in units of float32 epsilon relative to max(1, |expected|). */
function maxRelUlps(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let max = 0;
  for (let i = 0; i < actual.length; i++) {
    max = Math.max(max, Math.abs(actual[i]! - expected[i]!) / (2 ** -23 * Math.max(1, Math.abs(expected[i]!))));
  }
  return max;
}

describe('mulberry32', () => {
  test('gives the documented first outputs for seed 12345', () => {
    expect(Array.from(mulberry32(12345, 4))).toEqual([0.9797282677609473, 0.3067522644996643, 0.484205421525985, 0.817934412509203]);
  });

  test.each(Object.entries(ref.mulberry))('seed %s matches noise.py bit for bit', (seed, expected) => {
    expect(Array.from(mulberry32(Number(seed), expected.length))).toEqual(expected);
  });

  test('rejects seeds outside [0, 2^32) with a named error', () => {
    for (const seed of [-1, 2 ** 32, 1.5, Number.NaN]) {
      expect(() => mulberry32(seed, 1)).toThrow(InvalidSeedError);
    }
    expect(() => gaussianNoise(-1, 4)).toThrow(/must be an integer from 0 to 4294967295/);
  });
});

describe('gaussianNoise', () => {
  // Math.log/cos/sin and numpy's may differ in the last float64 bit, which can
  // move a float32 rounding by one ulp; in practice the streams are identical.
  test('matches gaussian_noise for an odd count (the last pair is half used)', () => {
    expect(maxRelUlps(gaussianNoise(7, 3), ref.noise_odd)).toBeLessThanOrEqual(1);
  });

  test('matches gaussian_noise(12345, (2, 2, 3, 3)) in (C, F, h, w) order', () => {
    expect(maxRelUlps(gaussianNoise(12345, 36), ref.noise_small)).toBeLessThanOrEqual(1);
  });

  test('matches a 3072-value clip: sum, sum of squares and samples', () => {
    const z = gaussianNoise(7, ref.noise_big.n);
    let sum = 0;
    let sumsq = 0;
    for (const x of z) {
      sum += x;
      sumsq += x * x;
    }
    expect(sum).toBeCloseTo(ref.noise_big.sum64, 3);
    expect(sumsq).toBeCloseTo(ref.noise_big.sumsq64, 2);
    for (const [i, value] of Object.entries(ref.noise_big.at)) expect(z[Number(i)]).toBe(value);
  });

  test('is the same for the same seed and differs across seeds', () => {
    expect(gaussianNoise(3, 64)).toEqual(gaussianNoise(3, 64));
    expect(gaussianNoise(3, 64)).not.toEqual(gaussianNoise(4, 64));
  });
});

describe('sampleSchedule', () => {
  test.each([
    ['s4_2', 4, 2, 1],
    ['s3_3_06', 3, 3, 0.6],
    ['s5_1', 5, 1, 1],
    ['s1_2', 1, 2, 1],
  ] as const)('%s equals sample_schedule in float64', (key, steps, shift, start) => {
    const expected = ref.schedule[key];
    const times = sampleSchedule(steps, shift, start);
    expect(times.length).toBe(steps + 1);
    for (let i = 0; i < times.length; i++) expect(times[i]).toBeCloseTo(expected[i]!, 15);
    expect(times[0]).toBe(start);
    expect(times[steps]).toBe(0);
  });

  test('rejects impossible settings with messages naming the value', () => {
    expect(() => sampleSchedule(0, 2)).toThrow(InvalidSamplerSettingsError);
    expect(() => sampleSchedule(-3, 2)).toThrow('Steps -3 is not allowed. It must be an integer >= 1.');
    expect(() => sampleSchedule(2.5, 2)).toThrow(InvalidSamplerSettingsError);
    expect(() => sampleSchedule(4, 0)).toThrow(/shift 0/);
    expect(() => sampleSchedule(4, 2, 1.5)).toThrow(/strength\) 1.5/);
  });
});

describe('sampler steps match flow.py in float32', () => {
  const x = f32(ref.euler.x);
  const v = f32(ref.euler.v);
  const vu = f32(ref.euler.vu);

  test('eulerStep', () => {
    expect(maxRelUlps(eulerStep(x, v, ref.euler.t, ref.euler.tn), ref.euler.out)).toBeLessThanOrEqual(1);
  });

  test('eulerStep in place', () => {
    const y = x.slice();
    expect(eulerStep(y, v, ref.euler.t, ref.euler.tn, y)).toBe(y);
    expect(maxRelUlps(y, ref.euler.out)).toBeLessThanOrEqual(1);
  });

  test('guided (classifier-free guidance)', () => {
    expect(maxRelUlps(guided(v, vu, ref.guided.g), ref.guided.out)).toBeLessThanOrEqual(1);
  });

  test('guidedFromBatch splits conditional, then unconditional', () => {
    const batch = new Float32Array(2 * v.length);
    batch.set(v);
    batch.set(vu, v.length);
    expect(guidedFromBatch(batch, ref.guided.g)).toEqual(guided(v, vu, ref.guided.g));
    expect(() => guidedFromBatch(new Float32Array(3), 1)).toThrow(RangeError);
  });

  test('x0Estimate for the preview', () => {
    expect(maxRelUlps(x0Estimate(x, v, ref.euler.t), ref.x0)).toBeLessThanOrEqual(1);
  });

  test('mismatched lengths are an error, not garbage', () => {
    expect(() => eulerStep(x, v.subarray(1), 1, 0)).toThrow(RangeError);
  });
});

describe('denoiser input x_in = [x, cond * mask, mask], conditional then unconditional', () => {
  // Latent (C=2, F=2, h=2, w=2); the first latent frame is given.
  const x = f32(ref.euler.x);
  const mask = new Float32Array(8);
  mask.fill(1, 0, 4);
  const conditioning = { latent: f32(ref.x_in.cond), mask };

  test('with conditioning equals torch.cat([...]).repeat(2)', () => {
    expect(ref.x_in.shape).toEqual([2, 5, 2, 2, 2]);
    expect(assembleInput(x, 2, conditioning)).toEqual(f32(ref.x_in.out));
  });

  test('text-to-video: condition and mask are zero', () => {
    const out = assembleInput(x, 2, null, new Float32Array(80).fill(9));
    expect(out.subarray(0, 16)).toEqual(x);
    expect(out.subarray(16, 40).every((value) => value === 0)).toBe(true);
    expect(out.subarray(40)).toEqual(out.subarray(0, 40));
  });

  test('restoreGiven puts given frames back exactly', () => {
    expect(restoreGiven(x.slice(), 2, conditioning)).toEqual(f32(ref.x_in.restored));
    expect(restoreGiven(x, 2, null)).toBe(x);
  });

  test('wrong sizes are errors', () => {
    expect(() => assembleInput(x, 3, null)).toThrow(RangeError);
    expect(() => assembleInput(x, 2, { latent: x, mask: new Float32Array(3) })).toThrow(RangeError);
  });
});

describe('previewRgba', () => {
  test('applies the (C + 1) x 3 matrix per latent cell, as the Python least-squares map does', () => {
    const latent = f32(ref.euler.x); // (C=2, F=2, h=2, w=2)
    const rgba = previewRgba(latent, [2, 2, 2, 2], ref.preview.matrix);
    expect(rgba.length).toBe(8 * 4);
    for (let cell = 0; cell < 8; cell++) {
      for (let ch = 0; ch < 3; ch++) {
        const expected = Math.min(255, Math.max(0, ref.preview.rgb[cell * 3 + ch]! * 255));
        expect(Math.abs(rgba[cell * 4 + ch]! - expected)).toBeLessThanOrEqual(0.5 + 1e-9);
      }
      expect(rgba[cell * 4 + 3]).toBe(255);
    }
  });

  test('a matrix of the wrong size is an error', () => {
    expect(() => previewRgba(new Float32Array(16), [2, 2, 2, 2], [[0, 0, 0]])).toThrow(/needs 3 rows/);
  });
});
