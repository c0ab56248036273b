// The engine's denoising loop (sampleLatent in workers/engine/generate.ts)
// drives each sampler as the solver itself prescribes (solvers.ts, pinned
// against flow.py by engine-solvers.node.test.ts): one denoiser call per
// evaluation, with the latent and time the solver asks for, progress once
// per finished step with the evaluations done, and Euler unchanged.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { Denoiser } from '../workers/engine/denoiser';
import { sampleLatent } from '../workers/engine/generate';
import { gaussianNoise } from '../workers/engine/sampling/noise';
import { eulerStep, guided, sampleSchedule } from '../workers/engine/sampling/sampler';
import { createSolver, denoiserEvaluations, SAMPLERS } from '../workers/engine/sampling/solvers';
import { parseManifest } from '../workers/model-files/manifest';

const manifest = parseManifest(JSON.parse(readFileSync(new URL('../models-manifest/lantern-tiny.json', import.meta.url), 'utf8')));
const { channels, frames, height, width } = manifest.latent;
const n = channels * frames * height * width;
const GUIDANCE = 3;

/** v = 0.5 x - 0.3 + t (conditional) and 0.4 x + 0.1 (unconditional), from x_in's first C channels; records each call. */
function standInDenoiser(calls: { t: number; x: Float32Array }[]): Denoiser {
  const f = Math.fround;
  return {
    async run(xIn: Float32Array, t: Float32Array) {
      const perClip = xIn.length / 2;
      const x = xIn.subarray(0, n);
      calls.push({ t: t[0]!, x: Float32Array.from(x) });
      const out = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        out[i] = f(f(f(0.5 * x[i]!) - 0.3) + t[0]!);
        out[n + i] = f(f(0.4 * xIn[perClip + i]!) + 0.1);
      }
      return out;
    },
  } as unknown as Denoiser;
}

/** The same velocity, guided, as a plain function of (x, t). */
function guidedVelocity(x: Float32Array, t: number): Float32Array {
  const f = Math.fround;
  const cond = x.map((value) => f(f(f(0.5 * value) - 0.3) + f(t)));
  const uncond = x.map((value) => f(f(0.4 * value) + 0.1));
  return guided(cond, uncond, GUIDANCE);
}

describe('sampleLatent with each sampler', () => {
  const noise = gaussianNoise(11, n);

  test.each(SAMPLERS.map((s) => [s]))('%s: the solver is driven call by call, progress comes per step', async (sampler) => {
    const steps = 5;
    const calls: { t: number; x: Float32Array }[] = [];
    const seen: { step: number; evaluations: number; totalEvaluations: number }[] = [];
    const latent = await sampleLatent(
      standInDenoiser(calls),
      manifest,
      noise,
      { steps, guidance: GUIDANCE, sampler },
      ({ step, evaluations, totalEvaluations }) => {
        seen.push({ step, evaluations, totalEvaluations });
      },
    );

    const solver = createSolver(sampler, sampleSchedule(steps, manifest.sampler.shift), noise);
    const expectedTimes: number[] = [];
    while (!solver.done) {
      expectedTimes.push(Math.fround(solver.t));
      solver.advance(guidedVelocity(solver.x, solver.t));
    }
    expect(latent).toEqual(solver.latent);
    expect(calls.map((c) => c.t)).toEqual(expectedTimes);
    expect(calls).toHaveLength(denoiserEvaluations(sampler, steps));
    expect(seen.map((s) => s.step)).toEqual([1, 2, 3, 4, 5]);
    expect(seen.at(-1)).toEqual({ step: 5, evaluations: calls.length, totalEvaluations: calls.length });
  });

  test("a request's shift spreads the steps: calls at sampleSchedule(steps, shift), not the model's shift", async () => {
    const calls: { t: number; x: Float32Array }[] = [];
    await sampleLatent(standInDenoiser(calls), manifest, noise, { steps: 4, guidance: GUIDANCE, sampler: 'euler', shift: 5 });
    const times = sampleSchedule(4, 5).slice(0, -1).map(Math.fround);
    expect(calls.map((c) => c.t)).toEqual(times);
    expect(times).not.toEqual(sampleSchedule(4, manifest.sampler.shift).slice(0, -1).map(Math.fround));
  });

  test('Euler is the loop it always was: x + (t_next - t) v at each step', async () => {
    const steps = 4;
    const latent = await sampleLatent(standInDenoiser([]), manifest, noise, { steps, guidance: GUIDANCE });
    const times = sampleSchedule(steps, manifest.sampler.shift);
    const x = Float32Array.from(noise);
    for (let i = 0; i < steps; i++) eulerStep(x, guidedVelocity(x, times[i]!), times[i]!, times[i + 1]!, x);
    expect(latent).toEqual(x);
  });
});
