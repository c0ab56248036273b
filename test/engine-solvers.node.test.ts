// The higher-order samplers (workers/engine/sampling/solvers.ts) against the
// training code: test/fixtures/engine/solvers.json is written by
// test/support/engine_reference.py from training/lantern/flow.py (`integrate`
// with each sampler, an analytic denoiser v = a x + b t + c, every call
// recorded).
//
// Tolerance: the float32 maths is the same operation by operation, and the TS
// trajectories equal PyTorch's exactly (max abs difference 0 when written);
// the tests allow 1e-6 (latents are O(1)), room for Math.log differing from
// libm in the last float64 bit and so moving a float32 rounding.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { gaussianNoise } from '../workers/engine/sampling/noise';
import { eulerStep, InvalidSamplerSettingsError, sampleSchedule, x0Estimate } from '../workers/engine/sampling/sampler';
import { createSolver, denoiserEvaluations, dpmpp2mStep, heunCorrection, parseSampler, SAMPLERS, type Solver } from '../workers/engine/sampling/solvers';

type Run = {
  sampler: string;
  steps: number;
  shift: number;
  start: number;
  times: number[];
  evaluations: number;
  calls: { t: number; x: number[]; v: number[] }[];
  states: number[][];
  x0: number[][];
};
type Fixture = { denoiser: { a: number[]; b: number[]; c: number[] }; x: number[]; runs: Run[] };

const ref = JSON.parse(readFileSync(new URL('./fixtures/engine/solvers.json', import.meta.url), 'utf8')) as Fixture;
const f32 = (values: number[]) => Float32Array.from(values);
const TOLERANCE = 1e-6;
const a = f32(ref.denoiser.a);
const b = f32(ref.denoiser.b);
const c = f32(ref.denoiser.c);

/** The fixture's denoiser in float32 as PyTorch evaluates `a * x + b * t + c`. */
function analytic(x: Float32Array, t: number): Float32Array {
  const f = Math.fround;
  const tt = f(t);
  return x.map((xi, i) => f(f(f(a[i]! * xi) + f(b[i]! * tt)) + c[i]!));
}

function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let max = 0;
  for (let i = 0; i < actual.length; i++) max = Math.max(max, Math.abs(actual[i]! - expected[i]!));
  return max;
}

/** Runs a solver to the end with `velocity`, recording the latent after each step. */
function drive(solver: Solver, velocity: (x: Float32Array, t: number, call: number) => Float32Array): Float32Array[] {
  const states: Float32Array[] = [];
  let calls = 0;
  while (!solver.done) {
    if (solver.advance(velocity(solver.x, solver.t, calls++))) states.push(solver.latent.slice());
  }
  expect(calls).toBe(solver.evaluations);
  return states;
}

const name = (run: Run) => `${run.sampler}, ${run.steps} steps, shift ${run.shift}, start ${run.start}`;

describe('sampler names and cost', () => {
  test('the list and denoiser calls per run match flow.py', () => {
    expect(SAMPLERS).toEqual(['euler', 'heun', 'dpmpp2m']);
    for (const run of ref.runs) expect(denoiserEvaluations(parseSampler(run.sampler), run.steps)).toBe(run.evaluations);
    expect([1, 8, 20].map((n) => SAMPLERS.map((s) => denoiserEvaluations(s, n)))).toEqual([
      [1, 1, 1],
      [8, 15, 8],
      [20, 39, 20],
    ]);
  });

  test('an unknown sampler is a named error listing the valid ones', () => {
    expect(() => parseSampler('dpm++')).toThrow(InvalidSamplerSettingsError);
    expect(() => createSolver('ddim', [1, 0], new Float32Array(1))).toThrow("Sampler 'ddim' is not allowed. It must be one of: euler, heun, dpmpp2m.");
    expect(() => parseSampler(undefined)).toThrow(/Sampler 'undefined'/);
    expect(() => denoiserEvaluations('heun', 0)).toThrow('Steps 0 is not allowed. It must be an integer >= 1.');
  });
});

describe.each(ref.runs.map((run) => [name(run), run] as const))('%s matches flow.integrate', (_, run) => {
  const times = sampleSchedule(run.steps, run.shift, run.start);

  test('schedule', () => {
    expect(maxAbsDiff(times, run.times)).toBeLessThanOrEqual(1e-15);
  });

  test("fed flow.py's velocities, it asks for the same points and takes the same steps", () => {
    const solver = createSolver(run.sampler, run.times, f32(ref.x));
    let worst = 0;
    const states = drive(solver, (x, t, call) => {
      const expected = run.calls[call]!;
      expect(t).toBe(expected.t);
      worst = Math.max(worst, maxAbsDiff(x, expected.x));
      return f32(expected.v);
    });
    expect(states.length).toBe(run.steps);
    states.forEach((state, i) => {
      worst = Math.max(worst, maxAbsDiff(state, run.states[i]!));
    });
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
  });

  test('with the same denoiser in TS, the whole trajectory and the previews match', () => {
    const solver = createSolver(run.sampler, times, f32(ref.x));
    const previews: Float32Array[] = [];
    let calls = 0;
    while (!solver.done) {
      calls++;
      if (solver.advance(analytic(solver.x, solver.t))) {
        expect(maxAbsDiff(solver.latent, run.states[solver.step - 1]!)).toBeLessThanOrEqual(TOLERANCE);
        previews.push(solver.x0.slice());
      }
    }
    expect(calls).toBe(run.evaluations);
    previews.forEach((x0, i) => {
      expect(maxAbsDiff(x0, run.x0[i]!)).toBeLessThanOrEqual(TOLERANCE);
    });
  });
});

describe('the steps on their own', () => {
  const x = f32(ref.x);
  const times = sampleSchedule(5, 2);

  test('Euler through the solver is eulerStep, bit for bit', () => {
    const y = x.slice();
    const states = drive(createSolver('euler', times, x), (xt, t) => analytic(xt, t));
    for (let i = 0; i < 5; i++) {
      eulerStep(y, analytic(y, times[i]!), times[i]!, times[i + 1]!, y);
      expect(states[i]).toEqual(y);
    }
  });

  test('Heun: the corrector averages the two velocities; the final step is Euler', () => {
    const [t, tNext] = [times[1]!, times[2]!];
    const v = analytic(x, t);
    const vNext = analytic(eulerStep(x, v, t, tNext), tNext);
    const mid = x.map((xi, i) => xi + (tNext - t) * 0.5 * (v[i]! + vNext[i]!));
    expect(maxAbsDiff(heunCorrection(x, v, vNext, t, tNext), mid)).toBeLessThanOrEqual(TOLERANCE);
    const y = x.slice();
    expect(heunCorrection(y, v, v, t, tNext, y)).toEqual(eulerStep(x, v, t, tNext));
  });

  test('DPM-Solver++(2M): first order is Euler, the step into t = 0 gives x0 exactly, after t = 1 first order', () => {
    const [t, tNext] = [times[1]!, times[2]!];
    const v = analytic(x, t);
    const x0 = x0Estimate(x, v, t);
    expect(maxAbsDiff(dpmpp2mStep(x, x0, null, null, t, tNext), eulerStep(x, v, t, tNext))).toBeLessThanOrEqual(TOLERANCE);
    expect(
      dpmpp2mStep(
        x,
        x0,
        x.map((xi) => xi + 1),
        0.5,
        0.2,
        0,
      ),
    ).toEqual(x0);
    const other = x.map((xi) => 3 * xi);
    expect(dpmpp2mStep(x, x0, other, 1, t, tNext)).toEqual(dpmpp2mStep(x, x0, null, null, t, tNext));
    expect(dpmpp2mStep(x, x0, other, times[0]! * 0.9, t, tNext)).not.toEqual(dpmpp2mStep(x, x0, null, null, t, tNext));
  });

  test('the solver refuses a wrong length, a finished run and a schedule that does not end at 0', () => {
    const solver = createSolver('dpmpp2m', [1, 0], x);
    expect(() => solver.advance(new Float32Array(3))).toThrow(RangeError);
    solver.advance(analytic(x, 1));
    expect(solver.done).toBe(true);
    expect(() => solver.advance(x)).toThrow(/finished its 1 steps/);
    expect(() => createSolver('heun', [1, 0.5], x)).toThrow(RangeError);
    expect(x).toEqual(f32(ref.x)); // the start latent is copied, not changed
  });

  test('on the exact flow of Gaussian data, the higher-order samplers end closer to the answer than Euler at 8 steps', () => {
    // training/tests/test_samplers.py measures the convergence in float64; this is the port's sanity check.
    const [mu, s] = [0.5, 0.5];
    const velocity = (xt: Float32Array, t: number) =>
      xt.map((xi) => (xi - (mu + ((1 - t) * s * s * (xi - (1 - t) * mu)) / ((1 - t) ** 2 * s * s + t * t))) / t);
    const z = gaussianNoise(0, 4096);
    const rms = (sampler: string, steps: number) => {
      const solver = createSolver(sampler, sampleSchedule(steps, 2), z);
      drive(solver, velocity);
      return Math.sqrt(solver.latent.reduce((sum, xi, i) => sum + (xi - (mu + s * z[i]!)) ** 2, 0) / z.length);
    };
    const error = Object.fromEntries(SAMPLERS.map((sampler) => [sampler, rms(sampler, 8)]));
    expect(error['euler']!).toBeGreaterThan(0.1);
    expect(error['heun']!).toBeLessThan(0.6 * error['euler']!);
    expect(error['dpmpp2m']!).toBeLessThan(0.7 * error['euler']!);
  });
});
