// Frame-conditioned generation, as training/lantern/pipeline.py `generate`
// feeds it: the given frames go through the encoder graph, and the latent
// frames taken from it (with a mask of ones over them) enter the denoiser as
// its `condition` and `mask` channels (sampling/sampler.ts assembleInput).
//
//   image         the image held still for a whole clip; the clip's first
//                 `imageToVideo.latentFrames` latent frames are its latent
//   continuation  the clip so far; its last `frames` frames are encoded and
//                 their last k latent frames become the new clip's first k
//   edit          a whole clip; its latent is the sampler's start, re-noised
//                 to the edit's strength (generate.ts), with no given frames
//
// The encoder's temporal chunks are independent (temporalCompression frames
// each), so encoding the last `frames` frames of a long clip gives the same
// last latent frames as encoding the clip whole would.

import { ConditioningUnsupportedError, InferenceError, InvalidRequestError } from '../contracts/errors';
import { type ConditioningFrames, MAX_CONDITIONING_SECONDS } from '../contracts/generator';
import { latentSize, type Manifest } from '../model-files/manifest';
import { ENCODER } from '../model-files/manifest-conditioning';
import { floatTensor, readFloats, runSession, type Session } from './ort';
import type { Conditioning } from './sampling/sampler';

export type ValidConditioning =
  | { kind: 'image'; image: Uint8ClampedArray }
  | { kind: 'continuation'; previous: Uint8ClampedArray[]; latentFrames: number }
  | { kind: 'edit'; clip: Uint8ClampedArray[]; strength: number };

/** The frame-conditioned kinds: their latent frames are given to the denoiser (an edit's are not). */
export type GivenConditioning = Exclude<ValidConditioning, { kind: 'edit' }>;

/** The longest clip a continuation may be given, in frames, for this model. */
export function maxConditioningFrames(manifest: Manifest): number {
  return Math.floor(MAX_CONDITIONING_SECONDS * manifest.video.fps);
}

/** Checks `conditioning` against the model: kind, support, frame count and each frame's size. */
export function validateConditioning(conditioning: ConditioningFrames, manifest: Manifest): ValidConditioning {
  if (typeof conditioning !== 'object' || conditioning === null) {
    throw new InvalidRequestError(
      'conditioning',
      `conditioning must be { kind: 'image' | 'continuation' | 'edit', frames } or left out; got ${String(conditioning)}.`,
    );
  }
  const { kind } = conditioning as { kind: unknown };
  if (kind !== 'image' && kind !== 'continuation' && kind !== 'edit') {
    throw new InvalidRequestError(
      'conditioning.kind',
      `conditioning.kind ${JSON.stringify(kind)} is not allowed. It must be 'image', 'continuation' or 'edit'.`,
    );
  }
  const support = manifest.conditioning;
  const supported = { image: support?.imageToVideo, continuation: support?.continuation, edit: support?.editing }[kind];
  if (supported == null) throw new ConditioningUnsupportedError(kind, manifest.name);

  const { frames } = conditioning;
  if (!Array.isArray(frames))
    throw new InvalidRequestError('conditioning.frames', `conditioning.frames must be an array of RGBA frames; got ${typeof frames}.`);
  if (kind === 'image') {
    if (frames.length !== 1) {
      throw new InvalidRequestError('conditioning.frames', `An image conditioning takes exactly 1 frame; got ${frames.length}. Pass [image].`);
    }
    return { kind, image: checkFrame(frames[0], 0, manifest) };
  }
  if (kind === 'edit') return validateEdit(conditioning as { frames: unknown[]; strength?: unknown }, manifest);
  const max = support!.continuation!.maxLatentFrames;
  const latentFrames = (conditioning as { latentFrames?: unknown }).latentFrames ?? 1;
  if (typeof latentFrames !== 'number' || !Number.isInteger(latentFrames) || latentFrames < 1 || latentFrames > max) {
    throw new InvalidRequestError(
      'conditioning.latentFrames',
      `conditioning.latentFrames ${String(latentFrames)} is not allowed. It must be an integer from 1 to ${max} (${manifest.name} continues from at most ${max} latent frames).`,
    );
  }
  const least = latentFrames * manifest.latent.temporalCompression;
  const most = maxConditioningFrames(manifest);
  if (frames.length < least || frames.length > most) {
    throw new InvalidRequestError(
      'conditioning.frames',
      `A continuation takes the clip so far, from ${least} to ${most} frames (${MAX_CONDITIONING_SECONDS} s at ${manifest.video.fps} fps); got ${frames.length}.` +
        (frames.length > most ? ' Start a new clip from its last frame (image-to-video) instead.' : ''),
    );
  }
  return { kind, previous: frames.map((f, i) => checkFrame(f, i, manifest)), latentFrames };
}

function validateEdit({ frames, strength: given }: { frames: unknown[]; strength?: unknown }, manifest: Manifest): ValidConditioning {
  const count = manifest.video.frames;
  if (frames.length !== count) {
    throw new InvalidRequestError(
      'conditioning.frames',
      `An edit takes one clip of exactly ${count} frames (what ${manifest.name} makes); got ${frames.length}.` +
        (frames.length > count ? ' An extended clip is several clips: edit a clip before extending it.' : ''),
    );
  }
  const strength = given ?? manifest.conditioning!.editing!.defaultStrength;
  if (typeof strength !== 'number' || !(strength > 0 && strength <= 1)) {
    throw new InvalidRequestError(
      'conditioning.strength',
      `conditioning.strength ${String(strength)} is not allowed. It must be a number in (0, 1]: how much of the clip may change (1 makes a new clip; ${manifest.name}'s default is ${manifest.conditioning!.editing!.defaultStrength}).`,
    );
  }
  return { kind: 'edit', clip: frames.map((f, i) => checkFrame(f, i, manifest)), strength };
}

function checkFrame(frame: unknown, index: number, manifest: Manifest): Uint8ClampedArray {
  const { width, height } = manifest.video;
  const bytes = width * height * 4;
  if (!(frame instanceof Uint8ClampedArray || frame instanceof Uint8Array) || frame.length !== bytes) {
    const got = frame instanceof Uint8ClampedArray || frame instanceof Uint8Array ? `${frame.length} bytes` : typeof frame;
    throw new InvalidRequestError(
      `conditioning.frames[${index}]`,
      `Frame ${index} must be RGBA bytes of ${width}x${height} (${bytes} bytes, a Uint8ClampedArray); got ${got}. ` +
        'Fit images and videos of other sizes with lantern.fitImage() or lantern.readVideoFrames().',
    );
  }
  return frame instanceof Uint8ClampedArray ? frame : new Uint8ClampedArray(frame.buffer, frame.byteOffset, frame.length);
}

/** The clip the encoder is given, (1, T, 3, H, W) floats in [0, 1], T = the model's frame count. */
export function encoderInput(manifest: Manifest, conditioning: ValidConditioning): Float32Array {
  const { frames, width, height } = manifest.video;
  const plane = width * height;
  const clip =
    conditioning.kind === 'edit'
      ? conditioning.clip
      : conditioning.kind === 'image'
        ? Array.from({ length: frames }, () => conditioning.image)
        : Array.from({ length: frames }, (_, i) => {
            const prev = conditioning.previous;
            // Fewer frames than a clip: the front chunks repeat the first frame; only the last chunks are taken.
            return prev[Math.max(0, prev.length - frames + i)]!;
          });
  const out = new Float32Array(frames * 3 * plane);
  clip.forEach((rgba, t) => {
    for (let c = 0; c < 3; c++) {
      const base = (t * 3 + c) * plane;
      for (let p = 0; p < plane; p++) out[base + p] = rgba[4 * p + c]! / 255;
    }
  });
  return out;
}

/** The encoder's normalised latent (C, F, h, w) of a clip from encoderInput. */
export async function encodeFrames(manifest: Manifest, encoder: Session, clip: Float32Array): Promise<Float32Array> {
  const { frames, width, height } = manifest.video;
  const out = await runSession(ENCODER.graph, encoder, { [ENCODER.input]: floatTensor(clip, [1, frames, 3, height, width]) });
  const latent = out[ENCODER.output];
  if (latent === undefined) throw new InferenceError(ENCODER.graph, `gave no '${ENCODER.output}'.`);
  return readFloats(ENCODER.graph, ENCODER.output, latent, [1, ...latentSize(manifest).shape]);
}

/** How many latent frames are given: image-to-video's from the manifest, a continuation's from the request. */
export function givenLatentFrames(manifest: Manifest, conditioning: GivenConditioning): number {
  return conditioning.kind === 'image' ? manifest.conditioning!.imageToVideo!.latentFrames : conditioning.latentFrames;
}

/**
 * The sampler's condition and mask from the encoder's latent: an image gives
 * its first k latent frames, a continuation its last k, both into the new
 * clip's frames 0..k-1.
 */
export function givenLatent(manifest: Manifest, conditioning: GivenConditioning, encoded: Float32Array): Conditioning {
  const [channels, frames, h, w] = latentSize(manifest).shape;
  const k = givenLatentFrames(manifest, conditioning);
  const from = conditioning.kind === 'image' ? 0 : frames - k;
  const frameCells = h * w;
  const latent = new Float32Array(encoded.length);
  const mask = new Float32Array(frames * frameCells);
  mask.fill(1, 0, k * frameCells);
  for (let c = 0; c < channels; c++) {
    const channel = c * frames * frameCells;
    latent.set(encoded.subarray(channel + from * frameCells, channel + (from + k) * frameCells), channel);
  }
  return { latent, mask };
}
