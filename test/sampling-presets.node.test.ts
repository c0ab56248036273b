// The Speed presets of the generate form (src/sampling-presets.ts): the
// loaded model's (ModelInfo.speeds, from its manifest), and the one sampler
// list the page, recipes, the CLI and the engine share
// (workers/contracts/choices.mjs).
import { expect, test } from 'vitest';
import { defaultSpeed, presetForm, SPEEDS, SPEEDS_BEFORE_LOAD, speedOf } from '../src/sampling-presets';
import { DEFAULT_SAMPLER, isSampler, type ModelInfo, SAMPLERS } from '../workers/contracts/generator';
import { SAMPLERS as ENGINE_SAMPLERS } from '../workers/engine/sampling/solvers';

const model = (defaultSampler: ModelInfo['defaultSampler']): Pick<ModelInfo, 'speeds' | 'defaultSampler' | 'defaultSteps' | 'defaultShift'> => ({
  defaultSampler,
  defaultSteps: defaultSampler === 'euler' ? 24 : 10,
  defaultShift: defaultSampler === 'euler' ? 2 : 5,
  speeds: { quality: { sampler: 'euler', steps: 24, shift: 2 }, fast: { sampler: 'dpmpp2m', steps: 10, shift: 5 } },
});

test("the engine's samplers are the contract's list", () => {
  expect(ENGINE_SAMPLERS).toBe(SAMPLERS);
  for (const sampler of SAMPLERS) expect(isSampler(sampler)).toBe(true);
  for (const other of ['Euler', 'dpm++2m', '', null, undefined, 1]) expect(isSampler(other)).toBe(false);
});

test("a preset fills the form with the loaded model's sampler and steps", () => {
  expect(presetForm('fast', model('dpmpp2m'))).toEqual({ sampler: 'dpmpp2m', steps: '10', shift: 5 });
  expect(presetForm('quality', model('dpmpp2m'))).toEqual({ sampler: 'euler', steps: '24', shift: 2 });
});

test('before a model is known: Quality has no steps yet (the store fills them when one loads), Fast its own', () => {
  expect(SPEEDS_BEFORE_LOAD.quality.sampler).toBe(DEFAULT_SAMPLER);
  expect(presetForm('quality', null)).toEqual({ sampler: DEFAULT_SAMPLER, steps: '', shift: null });
  expect(presetForm('fast', null)).toEqual({ sampler: 'dpmpp2m', steps: '8', shift: null });
});

test("the model's default is the preset with its settings", () => {
  expect(defaultSpeed(model('dpmpp2m'))).toBe('fast');
  expect(defaultSpeed(model('euler'))).toBe('quality');
});

test('a form names a preset only with all its settings: other steps or another shift are custom', () => {
  for (const m of [model('euler'), null]) {
    for (const speed of SPEEDS) expect(speedOf(presetForm(speed, m), m)).toBe(speed);
  }
  const m = model('dpmpp2m');
  expect(speedOf({ sampler: 'dpmpp2m', steps: ' 10 ', shift: 5 }, m)).toBe('fast');
  expect(speedOf({ sampler: 'dpmpp2m', steps: '11', shift: 5 }, m)).toBeNull();
  expect(speedOf({ sampler: 'dpmpp2m', steps: '10', shift: 2 }, m)).toBeNull();
  expect(speedOf({ sampler: 'heun', steps: '10', shift: 5 }, m)).toBeNull();
  expect(speedOf({ sampler: 'euler', steps: '24', shift: 'schedule' }, m)).toBeNull();
});
