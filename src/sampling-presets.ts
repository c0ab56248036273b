// The generate form's Speed choice: named pairs of sampler and steps, so a
// quicker clip is one click rather than knowing which sampler takes how few
// steps. The pairs are the loaded model's (ModelInfo.speeds, from its
// manifest, measured for it: bench/samplers.md for the built-in model); one
// of them is the model's default. A preset only fills the form: the steps
// stay editable (the sampler stays as chosen), and the request and the
// recipe carry the sampler itself, so a recipe makes the same clip whatever
// the presets become.
import { DEFAULT_SAMPLER, type ModelInfo, type SamplerName, SPEEDS, type Speed } from '../workers/contracts/generator';

export { SPEEDS, type Speed };

/** A preset before a model is loaded: steps and shift null until it is (the store fills them in then). */
export type SpeedPreset = { sampler: SamplerName; steps: number | null; shift: number | null };

/** Before a model is loaded: its sampler is not known yet, and the steps field stays empty until it is. */
export const SPEEDS_BEFORE_LOAD: Record<Speed, SpeedPreset> = {
  quality: { sampler: DEFAULT_SAMPLER, steps: null, shift: null },
  fast: { sampler: 'dpmpp2m', steps: 8, shift: null },
};

export const SPEED_LABEL: Record<Speed, string> = { quality: 'Quality', fast: 'Fast' };

type Presets = Pick<ModelInfo, 'speeds'> | null | undefined;

/** The presets of `model`, or the ones before a model is known. */
export function speedPresets(model: Presets): Record<Speed, SpeedPreset> {
  return model?.speeds ?? SPEEDS_BEFORE_LOAD;
}

/** The form's sampling settings, as text where the user types them. */
export type FormSetting = { sampler: SamplerName; steps: string; shift: number | null | 'schedule' };

/** The preset the form's settings are; null for any other (steps typed by hand, a recipe's or a script's settings). */
export function speedOf(form: FormSetting, model: Presets): Speed | null {
  const presets = speedPresets(model);
  const same = (p: SpeedPreset) => p.sampler === form.sampler && (p.steps === null ? '' : String(p.steps)) === form.steps.trim() && p.shift === form.shift;
  return SPEEDS.find((speed) => same(presets[speed])) ?? null;
}

/** The model's default as a preset (the manifest makes it one of them). */
export function defaultSpeed(model: Pick<ModelInfo, 'speeds' | 'defaultSampler' | 'defaultSteps' | 'defaultShift'>): Speed {
  return speedOf({ sampler: model.defaultSampler, steps: String(model.defaultSteps), shift: model.defaultShift }, model) ?? SPEEDS[0];
}

/**
 * What choosing `speed` puts into the form: its sampler and shift, and its
 * steps as the form's text ('' while no model is known; shift null: the model's).
 */
export function presetForm(speed: Speed, model: Presets): { sampler: SamplerName; steps: string; shift: number | null } {
  const { sampler, steps, shift } = speedPresets(model)[speed];
  return { sampler, steps: steps === null ? '' : String(steps), shift };
}

/** A preset as words: "DPM-Solver++(2M) sampler at 8 steps, shift 5". */
export function describeSetting(setting: SpeedPreset, label: Record<SamplerName, string>): string {
  return `${label[setting.sampler]} sampler at ${setting.steps ?? "the model's"} steps${setting.shift === null ? '' : `, shift ${setting.shift}`}`;
}
