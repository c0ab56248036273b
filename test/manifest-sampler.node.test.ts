// The manifest's sampler defaults (workers/model-files/manifest-sampler.ts):
// the default sampler a request without one gets and the page's Speed
// presets, measured for each model. A manifest written before them reads
// as Euler by default; a bad value is a ManifestError naming the field.
import { expect, test } from 'vitest';
import { ManifestError, parseManifest } from '../workers/model-files/manifest';
import { validManifest } from './support/valid-manifest';

function withSampler(fields: Record<string, unknown>): Record<string, any> {
  const m = validManifest();
  Object.assign(m['sampler'], fields);
  return m;
}

function refusal(m: unknown): ManifestError {
  try {
    parseManifest(m);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return error as ManifestError;
  }
  throw new Error('the manifest was accepted');
}

const SPEEDS = { quality: { sampler: 'euler', steps: 24 }, fast: { sampler: 'dpmpp2m', steps: 10, shift: 5 } };

test('a manifest without them: Euler by default, Quality is the default and Fast is DPM-Solver++(2M) at 8 steps at most', () => {
  const m = validManifest();
  const steps = m['sampler'].defaultSteps as number;
  const shift = m['sampler'].shift as number;
  expect(parseManifest(m).sampler).toMatchObject({
    defaultSampler: 'euler',
    defaultShift: shift,
    speeds: { quality: { sampler: 'euler', steps, shift }, fast: { sampler: 'dpmpp2m', steps: Math.min(8, steps), shift } },
  });
  expect(parseManifest(withSampler({ defaultSteps: 4 })).sampler.speeds.fast.steps).toBe(4);
});

test("a manifest that names them: the default is one of its presets; a preset without a shift has the model's", () => {
  const parsed = parseManifest(withSampler({ shift: 2, defaultSampler: 'dpmpp2m', defaultSteps: 10, defaultShift: 5, speeds: SPEEDS })).sampler;
  expect(parsed).toMatchObject({
    defaultSampler: 'dpmpp2m',
    defaultSteps: 10,
    defaultShift: 5,
    speeds: { ...SPEEDS, quality: { ...SPEEDS.quality, shift: 2 } },
  });
});

test.each([
  ['an unknown default sampler', { defaultSampler: 'unipc' }, 'sampler.defaultSampler', /unipc.*euler.*heun.*dpmpp2m/],
  [
    'a default that is no preset',
    { defaultSampler: 'dpmpp2m', defaultSteps: 12, defaultShift: 5, speeds: SPEEDS },
    'sampler.speeds',
    /dpmpp2m at 12 steps, shift 5/,
  ],
  ['a default of another shift than its preset', { defaultSampler: 'dpmpp2m', defaultSteps: 10, speeds: SPEEDS }, 'sampler.speeds', /shift 2:/],
  ['a default shift of 0', { defaultShift: 0 }, 'sampler.defaultShift', /must be > 0/],
  ['a preset shift over 100', { speeds: { ...SPEEDS, fast: { sampler: 'dpmpp2m', steps: 10, shift: 101 } } }, 'sampler.speeds.fast.shift', /at most 100/],
  ['a preset missing', { speeds: { quality: SPEEDS.quality } }, 'sampler.speeds.fast', /must be an object/],
  ['a preset too many', { speeds: { ...SPEEDS, turbo: SPEEDS.fast } }, 'sampler.speeds', /turbo/],
  ['a preset with an unknown sampler', { speeds: { ...SPEEDS, fast: { sampler: 'lcm', steps: 4 } } }, 'sampler.speeds.fast.sampler', /lcm/],
  ['a preset of 0 steps', { speeds: { ...SPEEDS, fast: { sampler: 'dpmpp2m', steps: 0 } } }, 'sampler.speeds.fast.steps', /integer >= 1/],
  ['a preset of 5000 steps', { speeds: { ...SPEEDS, fast: { sampler: 'dpmpp2m', steps: 5000 } } }, 'sampler.speeds.fast.steps', /at most 1000/],
  [
    'two presets alike',
    { defaultSteps: 24, speeds: { ...SPEEDS, fast: { sampler: 'euler', steps: 24, shift: 2 } } },
    'sampler.speeds',
    /same sampler, steps and shift/,
  ],
])('%s is a ManifestError naming the field', (_, fields, field, message) => {
  const error = refusal(withSampler(fields));
  expect(error.field).toBe(field);
  expect(error.message).toMatch(message);
});
