// Checks on what the embedder and the detector are given; each failure is an
// InvalidWatermarkInputError naming the bad value and the fix.
import { MIN_SIDE } from './constants';
import { InvalidWatermarkInputError } from './errors';

/** One RGBA frame: width * height * 4 bytes, row-major, alpha last. */
export type RgbaFrame = Uint8Array | Uint8ClampedArray;

export function checkSize(width: number, height: number): void {
  for (const [name, side] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(side) || side < MIN_SIDE) {
      throw new InvalidWatermarkInputError(
        'size',
        `Frame ${name} ${String(side)} cannot carry the watermark: width and height must be whole numbers of at least ${MIN_SIDE} px ` +
          `(one pixel per tile cell). Mark the clip at ${MIN_SIDE} x ${MIN_SIDE} px or larger.`,
      );
    }
  }
}

export function checkFrames(frames: readonly RgbaFrame[], width: number, height: number): void {
  checkSize(width, height);
  if (!Array.isArray(frames) || frames.length === 0) {
    throw new InvalidWatermarkInputError('frames', `Got ${Array.isArray(frames) ? 'no frames' : String(frames)}: pass an array of one or more RGBA frames.`);
  }
  const bytes = width * height * 4;
  frames.forEach((frame, i) => {
    if (!(frame instanceof Uint8Array || frame instanceof Uint8ClampedArray)) {
      throw new InvalidWatermarkInputError(
        'frames',
        `Frame ${i} is not a Uint8Array or Uint8ClampedArray: pass RGBA bytes (ImageData.data or a VideoFrame copied out as RGBA).`,
      );
    }
    if (frame.length !== bytes) {
      throw new InvalidWatermarkInputError(
        'frames',
        `Frame ${i} has ${frame.length} bytes, but a ${width} x ${height} RGBA frame has ${bytes} (width * height * 4). ` +
          'Pass every frame at the width and height given, 4 bytes per pixel.',
      );
    }
  });
}

export function checkPayload(payload: number): void {
  if (typeof payload !== 'number' || !Number.isInteger(payload) || payload < 0 || payload > 0xffffffff) {
    throw new InvalidWatermarkInputError(
      'payload',
      `Payload ${String(payload)} is not a 32-bit unsigned integer (0 to 4294967295). Use lanternPayload(modelId) for the payload Lantern marks with.`,
    );
  }
}
