// Images and videos a user gives Lantern, in Chromium: fitted to the model's
// frame by cover-crop (the middle is kept, nothing is stretched), checked
// before they decode, and hostile files (empty, not an image, 20000x20000,
// damaged, a video whose codec cannot be decoded) are named errors.
import { describe, expect, test } from 'vitest';
import { coverCrop, fitImage, MAX_IMAGE_PIXELS } from '../src/media/fit-image';
import { readImageHeader } from '../src/media/image-size';
import { encodeRgbaClip } from '../workers/engine/video/encode';
import { readVideoFrames, sampleTimes } from '../workers/media/read-video';

const SIZE = { width: 128, height: 128 };

/** A PNG of `width` x `height`: left half red, right half blue, with a green 2-pixel column in the middle. */
async function halves(width: number, height: number, type = 'image/png'): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const c = canvas.getContext('2d')!;
  c.fillStyle = '#f00';
  c.fillRect(0, 0, width / 2, height);
  c.fillStyle = '#00f';
  c.fillRect(width / 2, 0, width / 2, height);
  return canvas.convertToBlob({ type });
}

const px = (rgba: Uint8ClampedArray, x: number, y: number) => Array.from(rgba.subarray((y * 128 + x) * 4, (y * 128 + x) * 4 + 4));

async function errorOf(run: () => Promise<unknown>): Promise<Error> {
  let value: unknown;
  try {
    value = await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error(
    `expected a rejection; it resolved with ${JSON.stringify(value, (_, v) => (ArrayBuffer.isView(v) ? `<${v.byteLength} bytes>` : v)).slice(0, 200)}`,
  );
}

describe('fitImage', () => {
  test('cover-crop keeps the middle: a 2:1 image loses its left and right quarters, a 1:2 its top and bottom', () => {
    expect(coverCrop({ width: 256, height: 128 }, SIZE)).toEqual({ sx: 64, sy: 0, sw: 128, sh: 128 });
    expect(coverCrop({ width: 100, height: 200 }, SIZE)).toEqual({ sx: 0, sy: 50, sw: 100, sh: 100 });
    expect(coverCrop({ width: 128, height: 128 }, SIZE)).toEqual({ sx: 0, sy: 0, sw: 128, sh: 128 });
  });

  test('an image of the model size comes back pixel for pixel', async () => {
    const rgba = await fitImage(await halves(128, 128), SIZE);
    expect(px(rgba, 10, 10)).toEqual([255, 0, 0, 255]);
    expect(px(rgba, 63, 100)).toEqual([255, 0, 0, 255]);
    expect(px(rgba, 64, 100)).toEqual([0, 0, 255, 255]);
  });

  test('a wide JPEG is cropped, not squeezed: the red/blue edge stays in the middle', async () => {
    const rgba = await fitImage(await halves(1000, 300, 'image/jpeg'), SIZE);
    expect(rgba.length).toBe(128 * 128 * 4);
    const [r, , b] = px(rgba, 20, 64);
    expect(r).toBeGreaterThan(200);
    expect(b).toBeLessThan(60);
    const [r2, , b2] = px(rgba, 108, 64);
    expect(r2).toBeLessThan(60);
    expect(b2).toBeGreaterThan(200);
  });

  test('transparent pixels become black; an ImageData works like a file', async () => {
    const data = new ImageData(new Uint8ClampedArray(64 * 64 * 4), 64, 64); // all transparent
    const rgba = await fitImage(data, SIZE);
    expect(px(rgba, 5, 5)).toEqual([0, 0, 0, 255]);
  });

  test('headers are read without decoding: PNG, GIF, BMP, JPEG, WebP', async () => {
    for (const [type, w, h] of [
      ['image/png', 300, 200],
      ['image/jpeg', 301, 199],
      ['image/webp', 64, 48],
    ] as const) {
      const bytes = new Uint8Array(await (await halves(w, h, type)).arrayBuffer());
      expect(readImageHeader(bytes)).toMatchObject({ width: w, height: h });
    }
    const gif = new Uint8Array([...new TextEncoder().encode('GIF89a'), 10, 0, 20, 0]);
    expect(readImageHeader(gif)).toEqual({ type: 'gif', width: 10, height: 20 });
  });

  test('an empty file, a non-image and a 20000x20000 PNG are ImageInputErrors before anything decodes', async () => {
    const empty = await errorOf(() => fitImage(new File([], 'empty.png'), SIZE));
    expect(empty.name).toBe('ImageInputError');
    expect(empty.message).toMatch(/empty.png is empty \(0 bytes\)/);

    const text = await errorOf(() => fitImage(new File(['hello, not a picture'], 'notes.txt', { type: 'text/plain' }), SIZE));
    expect(text.name).toBe('ImageInputError');
    expect(text.message).toMatch(/notes.txt is not an image Lantern can read \(its type is text\/plain\)\. Use a PNG, JPEG/);

    // Only the header of a 20000x20000 PNG: the size alone refuses it.
    const header = new Uint8Array(33);
    header.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    new DataView(header.buffer).setUint32(16, 20000);
    new DataView(header.buffer).setUint32(20, 20000);
    const huge = await errorOf(() => fitImage(new File([header], 'huge.png', { type: 'image/png' }), SIZE));
    expect(huge.name).toBe('ImageInputError');
    expect(huge.message).toMatch(/huge.png is 20000x20000 pixels; Lantern takes images of 1 to 67,108,864 pixels/);
    expect(MAX_IMAGE_PIXELS).toBe(8192 * 8192);
  });

  test('a PNG cut short is an ImageInputError saying it does not decode', async () => {
    const bytes = new Uint8Array(await (await halves(300, 200)).arrayBuffer());
    const cut = await errorOf(() => fitImage(new File([bytes.subarray(0, 60)], 'cut.png', { type: 'image/png' }), SIZE));
    expect(cut.name).toBe('ImageInputError');
    expect(cut.message).toMatch(/cut.png looks like a PNG image of 300x200 but does not decode/);
  });
});

describe('readVideoFrames', () => {
  /** An H.264 MP4 of `frames` frames at `fps`, `width` x `height`; frame t has red level 10 t. */
  async function mp4(frames: number, fps: number, width = 128, height = 128): Promise<Uint8Array<ArrayBuffer>> {
    const rgba = Array.from({ length: frames }, (_, t) => {
      const f = new Uint8ClampedArray(width * height * 4);
      for (let i = 0; i < width * height; i++) f.set([10 * t, 128, 64, 255], 4 * i);
      return f;
    });
    return new Uint8Array((await encodeRgbaClip(rgba, { width, height }, { fps, codec: 'avc' })).data);
  }
  const opts = { ...SIZE, fps: 8, maxFrames: 960 };

  test('sample times sit in the middle of each output frame', () => {
    expect(sampleTimes(2, 8)).toHaveLength(16);
    expect(sampleTimes(2, 8)[0]).toBeCloseTo(1 / 16);
    expect(sampleTimes(1, 8, 0.5)).toEqual([0.5625, 0.6875, 0.8125, 0.9375]);
  });

  test("a Lantern clip at the model's size and fps comes back frame for frame", async () => {
    const { frames, duration } = await readVideoFrames(new Blob([await mp4(16, 8)]), opts);
    expect(duration).toBeCloseTo(2, 3);
    expect(frames).toHaveLength(16);
    expect(Math.max(...frames.map((f, t) => Math.abs(f[(64 * 128 + 64) * 4]! - 10 * t)))).toBeLessThanOrEqual(8);
  });

  test("another tool's clip (24 fps, 320x180) is resampled to 8 fps and cover-cropped", async () => {
    const { frames } = await readVideoFrames(new Blob([await mp4(24, 24, 320, 176)]), opts);
    expect(frames).toHaveLength(8);
    expect(frames[0]!.length).toBe(128 * 128 * 4);
    // Output frame i shows the source frame at (i + 0.5) / 8 s: source frame 3i + 1.
    expect(Math.max(...frames.map((f, i) => Math.abs(f[(64 * 128 + 64) * 4]! - 10 * (3 * i + 1))))).toBeLessThanOrEqual(8);
  });

  test('an empty file, a non-video, a clip too long and an undecodable codec are VideoInputErrors', async () => {
    const empty = await errorOf(() => readVideoFrames(new File([], 'empty.mp4'), opts));
    expect([empty.name, empty.message]).toEqual(['VideoInputError', expect.stringMatching(/empty.mp4 is empty \(0 bytes\)/)]);

    const junk = await errorOf(() => readVideoFrames(new File([new Uint8Array(4096).fill(7)], 'junk.mp4'), opts));
    expect(junk.name).toBe('VideoInputError');
    expect(junk.message).toMatch(/junk.mp4 is not a video file Lantern can read/);

    const clip = await mp4(16, 8);
    const long = await errorOf(() => readVideoFrames(new File([clip], 'long.mp4'), { ...opts, maxFrames: 10 }));
    expect(long.message).toMatch(/long.mp4 is 2.0 s long: 16 frames at 8 fps, over the 10 a continuation takes/);

    // The H.264 sample entry renamed to an unknown codec: nothing here can decode it.
    const renamed = await mp4(16, 8);
    const text = new TextDecoder('latin1').decode(renamed);
    const at = text.indexOf('avc1', text.indexOf('stsd')); // the sample entry, not the ftyp brand
    expect(at).toBeGreaterThan(0);
    renamed.set(new TextEncoder().encode('zzzz'), at);
    const unknown = await errorOf(() => readVideoFrames(new File([renamed], 'unknown.mp4'), opts));
    expect(unknown.name).toBe('VideoInputError');
    expect(unknown.message).toMatch(/unknown.mp4 (holds an unknown codec video, which this browser cannot decode|has no video track|is not a video file)/);

    // The frames' bytes overwritten: the container is fine, the video does not decode.
    const damaged = await mp4(16, 8);
    const mdat = new TextDecoder('latin1').decode(damaged).indexOf('mdat');
    damaged.fill(0xff, mdat + 4, damaged.length - 16);
    const broken = await errorOf(async () => console.log('DAMAGED', (await readVideoFrames(new File([damaged], 'damaged.mp4'), opts)).frames[3]?.slice(0, 8)));
    expect(broken.name).toBe('VideoInputError');
    expect(broken.message).toMatch(/damaged.mp4 (has video frames that do not decode|has no frame at|is not a video file)/);
  });
});
