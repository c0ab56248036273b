// The Speed presets of the generate form (src/sampling-presets.ts), and the
// sampler list the page, recipes and the CLI share
// (workers/contracts/choices.mjs), held to the engine's own list and default
// (workers/engine/sampling/solvers.ts, workers/engine/request.ts), which
// keep theirs.
import { expect, test } from 'vitest';
import { MAX_STEPS } from '../src/recipe/validate';
import { DEFAULT_SPEED, presetForm, SPEED_PRESETS, SPEEDS, speedOf } from '../src/sampling-presets';
import { DEFAULT_SAMPLER, isSampler, SAMPLERS } from '../workers/contracts/generator';
import { DEFAULT_SAMPLER as ENGINE_DEFAULT_SAMPLER } from '../workers/engine/request';
import { SAMPLERS as ENGINE_SAMPLERS } from '../workers/engine/sampling/solvers';

test("the contract's samplers and default are the engine's", () => {
  expect(SAMPLERS).toEqual(ENGINE_SAMPLERS);
  expect(DEFAULT_SAMPLER).toBe(ENGINE_DEFAULT_SAMPLER);
  for (const sampler of SAMPLERS) expect(isSampler(sampler)).toBe(true);
  for (const other of ['Euler', 'dpm++2m', '', null, undefined, 1]) expect(isSampler(other)).toBe(false);
});

test("Quality is the default: the engine's default sampler at the model's default steps", () => {
  expect(DEFAULT_SPEED).toBe('quality');
  expect(SPEED_PRESETS.quality).toEqual({ sampler: DEFAULT_SAMPLER, steps: null });
  expect(presetForm('quality', 20)).toEqual({ sampler: 'euler', steps: '20' });
  // No model known yet: the steps field stays empty, and the store fills it when one loads.
  expect(presetForm('quality', null)).toEqual({ sampler: 'euler', steps: '' });
});

test('Fast is another sampler at a fixed number of steps, whatever the model', () => {
  const fast = SPEED_PRESETS.fast;
  expect(fast.sampler).not.toBe(SPEED_PRESETS.quality.sampler);
  expect(Number.isInteger(fast.steps) && (fast.steps as number) >= 1 && (fast.steps as number) <= MAX_STEPS).toBe(true);
  for (const defaultSteps of [null, 4, 20, 50]) expect(presetForm('fast', defaultSteps)).toEqual({ sampler: fast.sampler, steps: String(fast.steps) });
});

test("every preset's sampler names its preset; a sampler no preset uses names none", () => {
  for (const speed of SPEEDS) {
    expect(SAMPLERS).toContain(SPEED_PRESETS[speed].sampler);
    expect(speedOf(SPEED_PRESETS[speed].sampler)).toBe(speed);
  }
  const used = SPEEDS.map((speed) => SPEED_PRESETS[speed].sampler);
  for (const sampler of SAMPLERS.filter((s) => !used.includes(s))) expect(speedOf(sampler)).toBeNull();
});
