// The manifest's sampler defaults: the sampler, steps and schedule shift a
// request without them gets, and the page's Speed presets (sampler.speeds).
// Both are the model's, measured for it (for the built-in model,
// bench/samplers.md: Fast is the fastest setting whose judged scores stay
// within a point of Euler at 24 steps on the model's own shift). A manifest
// written before them names none: its default is Euler on the model's shift,
// Quality is that default and Fast is DPM-Solver++(2M) at 8 steps.

import { MAX_SHIFT, MAX_STEPS, SAMPLERS, type SamplerName, type SamplerSetting, SPEEDS, type Speed } from '../contracts/generator';
import { int, ManifestError, num, oneOf, record } from './manifest-fields';

export type SamplerDefaults = { defaultSampler: SamplerName; defaultShift: number; speeds: Record<Speed, SamplerSetting> };

function shiftAt(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  const shift = num(value, path, 0, true);
  if (shift > MAX_SHIFT) throw new ManifestError(path, `is ${shift}; it must be at most ${MAX_SHIFT}.`);
  return shift;
}

function setting(value: unknown, path: string, scheduleShift: number): SamplerSetting {
  const r = record(value, path);
  const steps = int(r['steps'], `${path}.steps`, 1);
  if (steps > MAX_STEPS) throw new ManifestError(`${path}.steps`, `is ${steps}; it must be at most ${MAX_STEPS}.`);
  return { sampler: oneOf(r['sampler'], SAMPLERS, `${path}.sampler`), steps, shift: shiftAt(r['shift'], `${path}.shift`, scheduleShift) };
}

/**
 * Reads sampler.defaultSampler, sampler.defaultShift and sampler.speeds of
 * the manifest's `sampler` block, given its defaultSteps and shift (a preset
 * or default without a shift has the model's).
 */
export function parseSamplerDefaults(block: Record<string, unknown>, defaultSteps: number, scheduleShift: number): SamplerDefaults {
  const defaultSampler = block['defaultSampler'] === undefined ? 'euler' : oneOf(block['defaultSampler'], SAMPLERS, 'sampler.defaultSampler');
  const defaultShift = shiftAt(block['defaultShift'], 'sampler.defaultShift', scheduleShift);
  if (block['speeds'] === undefined) {
    const fast: SamplerSetting = { sampler: 'dpmpp2m', steps: Math.min(8, defaultSteps), shift: scheduleShift };
    return { defaultSampler, defaultShift, speeds: { quality: { sampler: defaultSampler, steps: defaultSteps, shift: defaultShift }, fast } };
  }
  const given = record(block['speeds'], 'sampler.speeds');
  const unknown = Object.keys(given).filter((k) => !(SPEEDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new ManifestError('sampler.speeds', `has ${unknown.join(', ')}; its presets are ${SPEEDS.join(' and ')}.`);
  const speeds = Object.fromEntries(SPEEDS.map((speed) => [speed, setting(given[speed], `sampler.speeds.${speed}`, scheduleShift)])) as Record<
    Speed,
    SamplerSetting
  >;
  // The page tells the presets apart by their settings, and shows the default as chosen.
  const key = (s: SamplerSetting) => `${s.sampler} ${s.steps} ${s.shift}`;
  if (new Set(SPEEDS.map((speed) => key(speeds[speed]))).size !== SPEEDS.length) {
    throw new ManifestError('sampler.speeds', `gives ${SPEEDS.join(' and ')} the same sampler, steps and shift; each preset must differ.`);
  }
  const isDefault = (s: SamplerSetting) => s.sampler === defaultSampler && s.steps === defaultSteps && s.shift === defaultShift;
  if (!SPEEDS.some((speed) => isDefault(speeds[speed]))) {
    throw new ManifestError(
      'sampler.speeds',
      `has no preset for the default (${defaultSampler} at ${defaultSteps} steps, shift ${defaultShift}: sampler.defaultSampler, defaultSteps and defaultShift); the default must be one of them.`,
    );
  }
  return { defaultSampler, defaultShift, speeds };
}
