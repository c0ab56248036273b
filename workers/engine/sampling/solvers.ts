// Higher-order samplers for the flow in sampler.ts, the same as
// training/lantern/flow.py: Heun's second-order method (heun_correction,
// heun_step) and DPM-Solver++(2M) (dpmpp2m_step), beside the Euler step, and
// a solver a generate loop drives one denoiser call at a time (flow.py's
// `integrate`).
//
// Latents are (C, F, h, w) row-major Float32Arrays; element-wise maths rounds
// to float32 after every operation (Math.fround), scalars computed in float64
// first, as PyTorch does with a Python float times a float32 tensor, so the
// trajectories match flow.py's (test/fixtures/engine/solvers.json).

import { SAMPLERS, type SamplerName } from '../../contracts/generator';
import { eulerStep, InvalidSamplerSettingsError, x0Estimate } from './sampler';

const f = Math.fround;

// The list of samplers is the contract's (workers/contracts/choices.mjs), the same as flow.py SAMPLERS.
export { SAMPLERS, type SamplerName };

/** A sampler name from a request or a setting; a named error for anything else. */
export function parseSampler(name: unknown): SamplerName {
  if (typeof name === 'string' && (SAMPLERS as readonly string[]).includes(name)) return name as SamplerName;
  throw new InvalidSamplerSettingsError(`Sampler '${String(name)}' is not allowed. It must be one of: ${SAMPLERS.join(', ')}.`);
}

/**
 * Denoiser calls (each one guidance batch) that `steps` steps cost: Euler and
 * DPM-Solver++(2M) one per step, Heun two per step but one on the last (the
 * final step into t = 0 is Euler). flow.py `denoiser_evaluations`.
 */
export function denoiserEvaluations(sampler: SamplerName, steps: number): number {
  if (!Number.isInteger(steps) || steps < 1) {
    throw new InvalidSamplerSettingsError(`Steps ${steps} is not allowed. It must be an integer >= 1.`);
  }
  return parseSampler(sampler) === 'heun' ? 2 * steps - 1 : steps;
}

/**
 * Heun's corrector, x + (tNext - t) (v + vNext) / 2, with vNext the velocity
 * at the Euler prediction eulerStep(x, v, t, tNext). Written into `out`
 * (which may be x).
 */
export function heunCorrection(
  x: Float32Array,
  v: Float32Array,
  vNext: Float32Array,
  t: number,
  tNext: number,
  out: Float32Array = new Float32Array(x.length),
): Float32Array {
  sameLength(x, v, vNext, out);
  const half = f(0.5 * (tNext - t));
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]! + f(half * f(v[i]! + vNext[i]!)));
  return out;
}

/** lambda = log(alpha / sigma) with alpha = 1 - t, sigma = t (flow.py `log_snr`). */
export function logSnr(t: number): number {
  return Math.log((1 - t) / t);
}

/**
 * One DPM-Solver++(2M) step for velocity prediction in rectified flow, from
 * the data prediction x0 = x - t v (x0Estimate) at t, and the previous step's
 * x0Prev at tPrev (null on the first step). With alpha = 1 - t, sigma = t the
 * update is x r + D (1 - r), r = tNext / t; D = x0 at first order (which is
 * the Euler step), else x0 + (x0 - x0Prev) h / (2 hPrev), the data prediction
 * extrapolated linearly in lambda. First order on the first step, on the step
 * after t = 1 (lambda = -inf) and on the final step into t = 0, which gives
 * x0 exactly. Written into `out` (which may be x). flow.py `dpmpp2m_step`.
 */
export function dpmpp2mStep(
  x: Float32Array,
  x0: Float32Array,
  x0Prev: Float32Array | null,
  tPrev: number | null,
  t: number,
  tNext: number,
  out: Float32Array = new Float32Array(x.length),
): Float32Array {
  sameLength(x, x0, out);
  if (tNext === 0) {
    out.set(x0);
    return out;
  }
  const r = tNext / t;
  const keep = f(r);
  const take = f(1 - r);
  if (x0Prev === null || tPrev === null || tPrev >= 1) {
    for (let i = 0; i < x.length; i++) out[i] = f(f(keep * x[i]!) + f(take * x0[i]!));
    return out;
  }
  sameLength(x, x0Prev);
  const h = logSnr(tNext) - logSnr(t);
  const hPrev = logSnr(t) - logSnr(tPrev);
  const k = f(h / (2 * hPrev));
  for (let i = 0; i < x.length; i++) {
    const d = f(x0[i]! + f(f(x0[i]! - x0Prev[i]!) * k));
    out[i] = f(f(keep * x[i]!) + f(take * d));
  }
  return out;
}

/**
 * A sampler's run over a schedule, one denoiser call at a time:
 *
 *     const solver = createSolver('heun', sampleSchedule(steps, shift), noise);
 *     while (!solver.done) {
 *       const v = guidedVelocity(solver.x, solver.t); // one denoiser call
 *       if (solver.advance(v)) onStep(solver.step, solver.latent, solver.x0);
 *     }
 *     return solver.latent;
 */
export type Solver = {
  readonly sampler: SamplerName;
  readonly steps: number;
  /** Denoiser calls the whole run takes: denoiserEvaluations(sampler, steps). */
  readonly evaluations: number;
  /** Steps finished: `latent` is at times[step]. */
  readonly step: number;
  readonly done: boolean;
  /** The latent the next denoiser call takes (the solver's own array: read it, don't keep or write it)... */
  readonly x: Float32Array;
  /** ...and its time. */
  readonly t: number;
  /** The latent at times[step]; the result once done. */
  readonly latent: Float32Array;
  /** x - t v from the last finished step's first velocity, for the live preview. */
  readonly x0: Float32Array;
  /**
   * Takes the guided velocity at (x, t). True when that finished a step;
   * false when the step needs another evaluation (Heun's corrector).
   */
  advance(v: Float32Array): boolean;
};

/**
 * A solver for `sampler` over `times` (sampleSchedule: decreasing, ending at
 * 0) from `start` (noise, or an edit's re-noised latent; copied, not changed).
 */
export function createSolver(sampler: string, times: readonly number[], start: Float32Array): Solver {
  const kind = parseSampler(sampler);
  const steps = times.length - 1;
  if (steps < 1 || times[steps] !== 0) throw new RangeError(`A schedule runs down to t = 0 in at least one step; got [${times.join(', ')}].`);
  const n = start.length;
  const latent = Float32Array.from(start);
  const predicted = new Float32Array(kind === 'heun' ? n : 0);
  const vFirst = new Float32Array(kind === 'heun' ? n : 0);
  let x0 = new Float32Array(n);
  let x0Prev = new Float32Array(kind === 'dpmpp2m' ? n : 0);
  let step = 0;
  let correcting = false; // Heun: the step's second evaluation, at the prediction, is due

  const finish = () => {
    step++;
    correcting = false;
    return true;
  };

  return {
    sampler: kind,
    steps,
    evaluations: denoiserEvaluations(kind, steps),
    get step() {
      return step;
    },
    get done() {
      return step === steps;
    },
    get x() {
      return correcting ? predicted : latent;
    },
    get t() {
      return correcting ? times[step + 1]! : times[step]!;
    },
    latent,
    get x0() {
      return x0;
    },
    advance(v: Float32Array): boolean {
      if (step === steps) throw new RangeError(`The ${kind} solver has finished its ${steps} steps; it takes no more velocities.`);
      if (v.length !== n) throw new RangeError(`A velocity for this latent has ${n} values; got ${v.length}.`);
      const t = times[step]!;
      const tNext = times[step + 1]!;
      if (correcting) {
        heunCorrection(latent, vFirst, v, t, tNext, latent);
        return finish();
      }
      if (kind === 'dpmpp2m') [x0, x0Prev] = [x0Prev, x0]; // keep the last step's data prediction
      x0Estimate(latent, v, t, x0);
      if (kind === 'heun' && tNext !== 0) {
        vFirst.set(v);
        eulerStep(latent, v, t, tNext, predicted);
        correcting = true;
        return false;
      }
      if (kind === 'dpmpp2m') {
        dpmpp2mStep(latent, x0, step > 0 ? x0Prev : null, step > 0 ? times[step - 1]! : null, t, tNext, latent);
      } else {
        eulerStep(latent, v, t, tNext, latent);
      }
      return finish();
    },
  };
}

function sameLength(...arrays: Float32Array[]): void {
  const n = arrays[0]!.length;
  for (const a of arrays) {
    if (a.length !== n) throw new RangeError(`Latents must have the same length; got ${arrays.map((x) => x.length).join(' and ')}.`);
  }
}
