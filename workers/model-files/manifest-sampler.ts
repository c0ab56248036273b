// The manifest's sampler defaults: the sampler and steps a request without
// them gets, and the page's Speed presets (sampler.speeds). Both are the
// model's, measured for it (for the built-in model, bench/samplers.md: Fast
// is the fastest setting whose judged scores stay within a point of Euler at
// 24 steps). A manifest written before samplers names neither: its default is
// Euler, Quality is that default and Fast is DPM-Solver++(2M) at 8 steps.

import { SAMPLERS, type SamplerName, type SamplerSetting, SPEEDS, type Speed } from '../contracts/generator';
import { int, ManifestError, oneOf, record } from './manifest-fields';

/** More steps than this is a typo (workers/engine/request.ts MAX_STEPS says the same for requests). */
const MAX_PRESET_STEPS = 1000;

export type SamplerDefaults = { defaultSampler: SamplerName; speeds: Record<Speed, SamplerSetting> };

function setting(value: unknown, path: string): SamplerSetting {
  const r = record(value, path);
  const steps = int(r['steps'], `${path}.steps`, 1);
  if (steps > MAX_PRESET_STEPS) throw new ManifestError(`${path}.steps`, `is ${steps}; it must be at most ${MAX_PRESET_STEPS}.`);
  return { sampler: oneOf(r['sampler'], SAMPLERS, `${path}.sampler`), steps };
}

/** Reads sampler.defaultSampler and sampler.speeds of the manifest's `sampler` block, given its defaultSteps. */
export function parseSamplerDefaults(block: Record<string, unknown>, defaultSteps: number): SamplerDefaults {
  const defaultSampler = block['defaultSampler'] === undefined ? 'euler' : oneOf(block['defaultSampler'], SAMPLERS, 'sampler.defaultSampler');
  if (block['speeds'] === undefined) {
    return {
      defaultSampler,
      speeds: { quality: { sampler: defaultSampler, steps: defaultSteps }, fast: { sampler: 'dpmpp2m', steps: Math.min(8, defaultSteps) } },
    };
  }
  const given = record(block['speeds'], 'sampler.speeds');
  const unknown = Object.keys(given).filter((k) => !(SPEEDS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new ManifestError('sampler.speeds', `has ${unknown.join(', ')}; its presets are ${SPEEDS.join(' and ')}.`);
  const speeds = Object.fromEntries(SPEEDS.map((speed) => [speed, setting(given[speed], `sampler.speeds.${speed}`)])) as Record<Speed, SamplerSetting>;
  // The page tells the presets apart by their sampler (steps stay editable), and shows the default as chosen.
  if (new Set(SPEEDS.map((speed) => speeds[speed].sampler)).size !== SPEEDS.length) {
    throw new ManifestError('sampler.speeds', `gives ${SPEEDS.join(' and ')} the same sampler; each preset must use its own.`);
  }
  if (!SPEEDS.some((speed) => speeds[speed].sampler === defaultSampler && speeds[speed].steps === defaultSteps)) {
    throw new ManifestError(
      'sampler.speeds',
      `has no preset for the default (${defaultSampler} at ${defaultSteps} steps, sampler.defaultSampler and sampler.defaultSteps); the default must be one of them.`,
    );
  }
  return { defaultSampler, speeds };
}
