// The generate form's Speed choice: named pairs of sampler and steps, so a
// quicker clip is one click rather than knowing which sampler takes how few
// steps. A preset only fills the form: the steps stay editable (the sampler
// stays as chosen), and the request and the recipe carry the sampler itself,
// so a recipe makes the same clip whatever these numbers become.
import type { SamplerName } from '../workers/contracts/generator';

/** The choices, in the order the form shows them; the first is the default. */
export const SPEEDS = ['quality', 'fast'] as const;
export type Speed = (typeof SPEEDS)[number];
export const DEFAULT_SPEED: Speed = SPEEDS[0];

export type SpeedPreset = {
  sampler: SamplerName;
  /** null: the model's default steps (ModelInfo.defaultSteps). */
  steps: number | null;
};

/**
 * Quality is the model's own setting: Euler at its default steps. Fast's
 * sampler and steps come from bench/samplers.md (DPM-Solver++(2M) against
 * Euler over steps, judged against a 100-step reference); they follow it
 * when it is measured again.
 */
export const SPEED_PRESETS: Record<Speed, SpeedPreset> = {
  quality: { sampler: 'euler', steps: null },
  fast: { sampler: 'dpmpp2m', steps: 8 },
};

export const SPEED_LABEL: Record<Speed, string> = { quality: 'Quality', fast: 'Fast' };

/** The preset whose sampler this is; null for a sampler no preset uses (Heun, from a recipe or a script). */
export function speedOf(sampler: SamplerName): Speed | null {
  return SPEEDS.find((speed) => SPEED_PRESETS[speed].sampler === sampler) ?? null;
}

/**
 * What choosing `speed` puts into the form: its sampler, and its steps as the
 * form's text. Quality's are the model's default, or '' while no model is
 * known (the store fills an empty steps field when a model loads).
 */
export function presetForm(speed: Speed, defaultSteps: number | null): { sampler: SamplerName; steps: string } {
  const { sampler, steps } = SPEED_PRESETS[speed];
  const n = steps ?? defaultSteps;
  return { sampler, steps: n === null ? '' : String(n) };
}
