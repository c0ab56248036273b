// Frame conditioning without a browser: the manifest's conditioning block,
// request validation (every bad input is a named error saying what to do),
// the encoder's input layout, the given-latent selection, and which frames
// a continuation's result holds.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ENGINE_ERROR_NAMES } from '../workers/contracts/errors';
import type { GenerateRequest } from '../workers/contracts/generator';
import { encoderInput, givenLatent, maxConditioningFrames, validateConditioning } from '../workers/engine/conditioning';
import { clipFrames } from '../workers/engine/generate';
import { validateRequest } from '../workers/engine/request';
import { type Manifest, parseManifest } from '../workers/model-files/manifest';
import { validManifest } from './support/valid-manifest';

const tinyJson = JSON.parse(readFileSync(new URL('../models-manifest/lantern-tiny.json', import.meta.url), 'utf8'));
const tiny = parseManifest(tinyJson);
const { width, height, frames } = tiny.video;
const frame = (value = 0) => new Uint8ClampedArray(width * height * 4).fill(value);
const clip = (n: number) => Array.from({ length: n }, (_, i) => frame(i));

function errorOf(request: unknown, manifest: Manifest = tiny): Error {
  try {
    validateRequest(request as GenerateRequest, manifest);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected validateRequest to throw');
}

describe('the manifest conditioning block', () => {
  test("the built-in model's: image-to-video from one latent frame, continuation from up to two", () => {
    expect(tiny.conditioning).toEqual({
      imageToVideo: { latentFrames: 1, image: 'still' },
      continuation: { maxLatentFrames: 2 },
      editing: { defaultStrength: 0.9 },
    });
  });

  test('absent means text-to-video only', () => {
    const m = validManifest();
    delete m['conditioning'];
    expect(parseManifest(m).conditioning).toBeNull();
  });

  test.each([
    [(m: any) => delete m.graphs.encoder, 'graphs.encoder', /is missing; the conditioning block needs it/],
    [(m: any) => (m.graphs.encoder.outputs = ['z']), 'graphs.encoder', /the engine needs \[video\] and \[latent\]/],
    [(m: any) => (m.conditioning.imageToVideo.latentFrames = 2), 'conditioning.imageToVideo.latentFrames', /less than latent.frames 2/],
    [(m: any) => (m.conditioning.imageToVideo.image = 'first-frame'), 'conditioning.imageToVideo.image', /one of: 'still'/],
    [(m: any) => (m.conditioning.continuation = { maxLatentFrames: 0 }), 'conditioning.continuation.maxLatentFrames', />= 1/],
    [(m: any) => (m.conditioning.editing = { defaultStrength: 1.5 }), 'conditioning.editing.defaultStrength', /in \(0, 1\]/],
  ])('%# a broken block names %s', (change, field, message) => {
    const m = validManifest();
    change(m);
    expect(() => parseManifest(m)).toThrow(message);
    try {
      parseManifest(m);
    } catch (error) {
      expect((error as Error).name).toBe('ManifestError');
      expect((error as { field: string }).field).toBe(field);
    }
  });
});

describe('validating conditioning', () => {
  test('an image is one frame at the model size; a continuation the clip so far, 1 latent frame by default', () => {
    const image = frame(9);
    expect(validateRequest({ prompt: 'x', seed: 1, conditioning: { kind: 'image', frames: [image] } }, tiny).conditioning).toEqual({ kind: 'image', image });
    const previous = clip(20);
    const valid = validateConditioning({ kind: 'continuation', frames: previous }, tiny);
    // Identity, not deep equality: the frames are passed through, not copied (and 20 x 64 KiB compares slowly).
    expect(valid.kind === 'continuation' && valid.latentFrames === 1 && valid.previous.every((f, i) => f === previous[i])).toBe(true);
    expect(validateConditioning({ kind: 'continuation', frames: previous, latentFrames: 2 }, tiny)).toMatchObject({ latentFrames: 2 });
  });

  test('Uint8Array frames are accepted as bytes', () => {
    const bytes = new Uint8Array(width * height * 4);
    const valid = validateConditioning({ kind: 'image', frames: [bytes as unknown as Uint8ClampedArray] }, tiny);
    expect(valid.kind === 'image' && valid.image instanceof Uint8ClampedArray).toBe(true);
  });

  const max = maxConditioningFrames(tiny);
  test.each([
    ['an unknown kind', { kind: 'video', frames: [] }, /conditioning.kind "video" is not allowed. It must be 'image', 'continuation' or 'edit'/],
    ['null', null, /conditioning must be \{ kind/],
    ['frames that are not an array', { kind: 'image', frames: 'a.png' }, /must be an array of RGBA frames/],
    ['an image of no frames', { kind: 'image', frames: [] }, /exactly 1 frame; got 0/],
    ['an image of two frames', { kind: 'image', frames: clip(2) }, /exactly 1 frame; got 2/],
    ['an image of the wrong size', { kind: 'image', frames: [new Uint8ClampedArray(64 * 64 * 4)] }, /128x128 \(65536 bytes.*got 16384 bytes.*fitImage/],
    ['an image that is not bytes', { kind: 'image', frames: [[1, 2, 3]] }, /Frame 0 must be RGBA bytes.*got object/],
    ['a continuation of 3 frames', { kind: 'continuation', frames: clip(3) }, /from 4 to 960 frames .*got 3/],
    ['a continuation of 7 frames from 2 latent frames', { kind: 'continuation', frames: clip(7), latentFrames: 2 }, /from 8 to 960 frames .*got 7/],
    ['3 latent frames', { kind: 'continuation', frames: clip(16), latentFrames: 3 }, /latentFrames 3 is not allowed. It must be an integer from 1 to 2/],
    ['half a latent frame', { kind: 'continuation', frames: clip(16), latentFrames: 0.5 }, /latentFrames 0.5/],
    ['a short last frame', { kind: 'continuation', frames: [...clip(15), frame().subarray(4)] }, /Frame 15 must be RGBA bytes/],
    ['an edit of 15 frames', { kind: 'edit', frames: clip(15) }, /An edit takes one clip of exactly 16 frames .*got 15\.$/],
    ['an edit of an extended clip', { kind: 'edit', frames: clip(28) }, /got 28\. An extended clip is several clips: edit a clip before extending it/],
    ['an edit of strength 0', { kind: 'edit', frames: clip(16), strength: 0 }, /strength 0 is not allowed. It must be a number in \(0, 1\].*default is 0.9/],
    ['an edit of strength 1.5', { kind: 'edit', frames: clip(16), strength: 1.5 }, /strength 1.5 is not allowed/],
    ['an edit of strength "high"', { kind: 'edit', frames: clip(16), strength: 'high' }, /strength high is not allowed/],
    ['an edit with a wrong-sized frame', { kind: 'edit', frames: [...clip(15), frame().subarray(4)] }, /Frame 15 must be RGBA bytes/],
  ])('%s is an InvalidRequestError', (_, conditioning, message) => {
    const error = errorOf({ prompt: 'x', seed: 1, conditioning });
    expect(error.name).toBe('InvalidRequestError');
    expect(error.message).toMatch(message);
  });

  test("an edit is one clip of the model's length, at the manifest's strength unless the request names one", () => {
    const frames16 = clip(frames);
    const valid = validateConditioning({ kind: 'edit', frames: frames16 }, tiny);
    expect(valid.kind === 'edit' && valid.strength === 0.9 && valid.clip.every((f, i) => f === frames16[i])).toBe(true);
    expect(validateConditioning({ kind: 'edit', frames: frames16, strength: 1 }, tiny)).toMatchObject({ strength: 1 });
  });

  test('the longest continuation is 120 s at the model frame rate', () => {
    expect(maxConditioningFrames(tiny)).toBe(960);
  });

  test('a continuation longer than the limit says to start from its last frame instead', () => {
    const long = Array.from({ length: max + 1 }, () => frame());
    expect(errorOf({ prompt: 'x', seed: 1, conditioning: { kind: 'continuation', frames: long } }).message).toMatch(
      /got 961\. Start a new clip from its last frame/,
    );
  });

  test('a model without the block rejects every kind with ConditioningUnsupportedError', () => {
    const m = validManifest();
    delete m['conditioning'];
    const plain = parseManifest(m);
    for (const kind of ['image', 'continuation', 'edit'] as const) {
      const error = errorOf({ prompt: 'x', seed: 1, conditioning: { kind, frames: [] } }, plain);
      expect(error.name).toBe('ConditioningUnsupportedError');
      expect(error.message).toMatch(/Leave conditioning out/);
      expect(ENGINE_ERROR_NAMES as readonly string[]).toContain(error.name);
    }
    expect(errorOf({ prompt: 'x', seed: 1, conditioning: { kind: 'edit', frames: [] } }, plain).message).toMatch(
      /cannot edit a clip: its manifest has no conditioning.editing block/,
    );
  });
});

describe('feeding the encoder and the sampler', () => {
  test('an image is held still for a whole clip, planar RGB in [0, 1], alpha dropped', () => {
    const image = frame();
    image.set([255, 51, 0, 7], 0); // pixel 0: r=1, g=0.2, b=0, alpha ignored
    const input = encoderInput(tiny, { kind: 'image', image });
    const plane = width * height;
    expect(input.length).toBe(frames * 3 * plane);
    for (let t = 0; t < frames; t++) {
      expect([input[t * 3 * plane], input[(t * 3 + 1) * plane], input[(t * 3 + 2) * plane]]).toEqual([1, Math.fround(51 / 255), 0]);
    }
  });

  test("a continuation encodes the clip's last frames; a short clip repeats its first frame in front", () => {
    const plane = width * height;
    const red = (input: Float32Array, t: number) => Math.round(input[t * 3 * plane]! * 255);
    const long = encoderInput(tiny, { kind: 'continuation', previous: clip(40), latentFrames: 1 });
    expect(Array.from({ length: frames }, (_, t) => red(long, t))).toEqual(Array.from({ length: frames }, (_, t) => 24 + t));
    const short = encoderInput(tiny, { kind: 'continuation', previous: clip(6), latentFrames: 1 });
    expect(Array.from({ length: frames }, (_, t) => red(short, t))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5]);
  });

  test("an image gives its first latent frames, a continuation its last, into the new clip's first", () => {
    const [channels, latentFrames, h, w] = [tiny.latent.channels, tiny.latent.frames, tiny.latent.height, tiny.latent.width];
    const cell = h * w;
    // Each value names its channel and frame: 100 c + f.
    const encoded = new Float32Array(channels * latentFrames * cell).map(
      (_, i) => 100 * Math.floor(i / (latentFrames * cell)) + (Math.floor(i / cell) % latentFrames),
    );
    const image = givenLatent(tiny, { kind: 'image', image: frame() }, encoded);
    const cont = givenLatent(tiny, { kind: 'continuation', previous: clip(16), latentFrames: 2 }, encoded);
    const at = (z: Float32Array, c: number, f: number) => z[(c * latentFrames + f) * cell + 5];
    expect([at(image.latent, 3, 0), at(image.latent, 3, 1)]).toEqual([300, 0]);
    expect([at(cont.latent, 3, 0), at(cont.latent, 3, 1), at(cont.latent, 3, 2)]).toEqual([302, 303, 0]);
    expect([image.mask[0], image.mask[cell], cont.mask[cell], cont.mask[2 * cell]]).toEqual([1, 0, 1, 0]);
  });

  test('a continuation result is the clip so far, then the frames after the given latent frames', () => {
    const previous = clip(20);
    const decoded = clip(16).map((f) => f.map((v) => v + 100));
    const result = clipFrames(tiny, { kind: 'continuation', previous, latentFrames: 1 }, decoded);
    expect(result).toHaveLength(20 + 12);
    expect(result.slice(0, 20).every((f, i) => f === previous[i])).toBe(true);
    expect(result[20]).toBe(decoded[4]);
    expect(clipFrames(tiny, { kind: 'continuation', previous, latentFrames: 2 }, decoded)).toHaveLength(28);
    expect(clipFrames(tiny, { kind: 'image', image: frame() }, decoded)).toBe(decoded);
    expect(clipFrames(tiny, { kind: 'edit', clip: clip(16), strength: 0.6 }, decoded)).toBe(decoded);
  });

  test('an edit encodes the clip itself, frame by frame', () => {
    const given = clip(frames);
    const input = encoderInput(tiny, { kind: 'edit', clip: given, strength: 0.6 });
    const plane = width * height;
    for (const t of [0, 7, 15]) expect(input[(t * 3 + 1) * plane]).toBeCloseTo(t / 255, 6);
  });
});
