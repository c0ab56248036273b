// The flow-matching sampler's maths, the same as training/lantern/flow.py:
// the shifted schedule, the Euler step, classifier-free guidance, the
// denoiser's input x_in and the x0 estimate behind the live preview.
//
// Latents are one clip, (C, F, h, w) row-major Float32Arrays, normalised as
// the graphs take them. Element-wise maths rounds to float32 after every
// operation (Math.fround), as PyTorch's float32 tensors do, so results agree
// with the training code to the last bit or so, not merely approximately.

const f = Math.fround;

/**
 * Classifier-free guidance runs the conditional and the unconditional clip in
 * one batch, in that order (the manifest's sampler.guidanceBatch).
 */
export const GUIDANCE_BATCH = 2;

/** Sampler settings outside what the model or the maths allow. */
export class InvalidSamplerSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSamplerSettingsError';
  }
}

/** SD3's time shift: shift * t / (1 + (shift - 1) t). */
export function shiftTime(t: number, shift: number): number {
  return (shift * t) / (1 + (shift - 1) * t);
}

/**
 * `steps + 1` times from `start` down to 0 on the shifted schedule (float64,
 * like `sample_schedule`). `start` < 1 is editing: the clip's latent is
 * re-noised to `start` and denoised from there.
 */
export function sampleSchedule(steps: number, shift: number, start = 1): number[] {
  if (!Number.isInteger(steps) || steps < 1) {
    throw new InvalidSamplerSettingsError(`Steps ${steps} is not allowed. It must be an integer >= 1.`);
  }
  if (!(shift > 0) || !Number.isFinite(shift)) {
    throw new InvalidSamplerSettingsError(`Schedule shift ${shift} is not allowed. It must be a finite number > 0.`);
  }
  if (!(start > 0 && start <= 1)) {
    throw new InvalidSamplerSettingsError(`Start time (editing strength) ${start} is not allowed. It must be in (0, 1].`);
  }
  const times: number[] = [];
  for (let i = 0; i <= steps; i++) {
    // torch.linspace(1, 0, steps + 1) in float64: start + i * step for the
    // first floor(n / 2) points, end - (steps - i) * step for the rest.
    const step = -1 / steps;
    const t = i < Math.floor((steps + 1) / 2) ? 1 + i * step : 0 - (steps - i) * step;
    times.push(shiftTime(t, shift) * start);
  }
  return times;
}

/** x + (tNext - t) v, written into `out` (which may be x). */
export function eulerStep(x: Float32Array, v: Float32Array, t: number, tNext: number, out: Float32Array = new Float32Array(x.length)): Float32Array {
  sameLength(x, v, out);
  const dt = f(tNext - t);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]! + f(dt * v[i]!));
  return out;
}

/**
 * An edit's start: the clip's latent re-noised to time t, (1 - t) x0 + t noise
 * (flow.py `noisy`, with t a float32 tensor as there).
 */
export function renoise(latent: Float32Array, noise: Float32Array, t: number): Float32Array {
  sameLength(latent, noise);
  const tt = f(t);
  const keep = f(1 - tt);
  const out = new Float32Array(latent.length);
  for (let i = 0; i < latent.length; i++) out[i] = f(f(keep * latent[i]!) + f(tt * noise[i]!));
  return out;
}

/** Classifier-free guidance: vUncond + guidance (vCond - vUncond). */
export function guided(vCond: Float32Array, vUncond: Float32Array, guidance: number, out: Float32Array = new Float32Array(vCond.length)): Float32Array {
  sameLength(vCond, vUncond, out);
  const g = f(guidance);
  for (let i = 0; i < vCond.length; i++) out[i] = f(vUncond[i]! + f(g * f(vCond[i]! - vUncond[i]!)));
  return out;
}

/**
 * Splits the denoiser's output for the batch (conditional, then
 * unconditional; each one clip) and guides it.
 */
export function guidedFromBatch(vBatch: Float32Array, guidance: number, out?: Float32Array): Float32Array {
  if (vBatch.length % 2 !== 0) throw new RangeError(`A guidance batch holds two clips; got ${vBatch.length} values.`);
  const n = vBatch.length / 2;
  return guided(vBatch.subarray(0, n), vBatch.subarray(n), guidance, out);
}

/** The clean-clip estimate x - t v behind the live preview. */
export function x0Estimate(x: Float32Array, v: Float32Array, t: number, out: Float32Array = new Float32Array(x.length)): Float32Array {
  sameLength(x, v, out);
  const tt = f(t);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]! - f(tt * v[i]!));
  return out;
}

/** Given latent frames (image-to-video, continuation): the latent and a (F, h, w) mask, 1 where given. */
export type Conditioning = { latent: Float32Array; mask: Float32Array };

/**
 * The denoiser's input for one clip and its guidance batch:
 * x_in = [x, cond * mask, mask] along channels, twice (conditional, then
 * unconditional), shape (2, 2C + 1, F, h, w). `conditioning` null means
 * text-to-video (condition and mask all zero).
 */
export function assembleInput(x: Float32Array, channels: number, conditioning: Conditioning | null, out?: Float32Array): Float32Array {
  const cell = x.length / channels; // F * h * w
  if (!Number.isInteger(cell)) throw new RangeError(`A latent of ${x.length} values cannot have ${channels} channels.`);
  const perClip = (2 * channels + 1) * cell;
  const target = out ?? new Float32Array(2 * perClip);
  if (target.length !== 2 * perClip) throw new RangeError(`x_in needs ${2 * perClip} values; got ${target.length}.`);
  target.set(x, 0);
  if (conditioning === null) {
    target.fill(0, x.length, perClip);
  } else {
    const { latent, mask } = conditioning;
    if (latent.length !== x.length || mask.length !== cell) {
      throw new RangeError(`Conditioning needs a latent of ${x.length} and a mask of ${cell} values; got ${latent.length} and ${mask.length}.`);
    }
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < cell; i++) target[x.length + c * cell + i] = f(latent[c * cell + i]! * mask[i]!);
    }
    target.set(mask, 2 * x.length);
  }
  target.copyWithin(perClip, 0, perClip);
  return target;
}

/** Given frames come back exactly as given: x (1 - mask) + cond mask. */
export function restoreGiven(x: Float32Array, channels: number, conditioning: Conditioning | null): Float32Array {
  if (conditioning === null) return x;
  const cell = x.length / channels;
  const { latent, mask } = conditioning;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < cell; i++) {
      const j = c * cell + i;
      x[j] = f(f(x[j]! * f(1 - mask[i]!)) + f(latent[j]! * mask[i]!));
    }
  }
  return x;
}

/**
 * The live preview without a decoder call: each normalised latent cell
 * [z_0 .. z_{C-1}, 1] times the manifest's (C + 1) x 3 matrix gives the mean
 * RGB of the pixels it decodes to. Returns RGBA bytes, F frames of h x w,
 * ready for `ImageData` (the UI scales them up).
 */
export function previewRgba(
  latent: Float32Array,
  shape: readonly [number, number, number, number],
  matrix: readonly (readonly [number, number, number])[],
): Uint8ClampedArray {
  const [channels, frames, height, width] = shape;
  const cell = frames * height * width;
  if (latent.length !== channels * cell) throw new RangeError(`A (${shape.join(', ')}) latent has ${channels * cell} values; got ${latent.length}.`);
  if (matrix.length !== channels + 1) throw new RangeError(`The preview matrix needs ${channels + 1} rows; got ${matrix.length}.`);
  const out = new Uint8ClampedArray(cell * 4);
  const bias = matrix[channels]!;
  for (let i = 0; i < cell; i++) {
    let r = bias[0];
    let g = bias[1];
    let b = bias[2];
    for (let c = 0; c < channels; c++) {
      const z = latent[c * cell + i]!;
      const row = matrix[c]!;
      r += z * row[0];
      g += z * row[1];
      b += z * row[2];
    }
    // Uint8ClampedArray rounds half to even and clamps to [0, 255].
    out[4 * i] = r * 255;
    out[4 * i + 1] = g * 255;
    out[4 * i + 2] = b * 255;
    out[4 * i + 3] = 255;
  }
  return out;
}

function sameLength(...arrays: Float32Array[]): void {
  const n = arrays[0]!.length;
  for (const a of arrays) {
    if (a.length !== n) throw new RangeError(`Latents must have the same length; got ${arrays.map((x) => x.length).join(' and ')}.`);
  }
}
