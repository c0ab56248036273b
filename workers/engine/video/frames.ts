// Decoder output to pixels: the one float-to-RGBA conversion, used for the
// clip's frames (generate.ts) and by encodeFloatClip.

/** Where a frame holds NaN: nothing can be drawn from it. */
export type NanPlace = { channel: number; pixel: number };

/**
 * Frame `t` of (T, 3, H, W) floats in [0, 1] as RGBA bytes in `out`
 * (width * height * 4): clamped to [0, 255] and rounded half to even, as
 * Uint8ClampedArray does and as the training code's uint8 frames are.
 * Returns the first NaN's place (leaving `out` part-written), or null.
 */
export function floatFrameToRgba(video: Float32Array, t: number, width: number, height: number, out: Uint8ClampedArray): NanPlace | null {
  const plane = width * height;
  for (let c = 0; c < 3; c++) {
    const base = (t * 3 + c) * plane;
    for (let p = 0; p < plane; p++) {
      const value = video[base + p]!;
      if (Number.isNaN(value)) return { channel: c, pixel: p };
      out[4 * p + c] = value * 255;
    }
  }
  for (let p = 0; p < plane; p++) out[4 * p + 3] = 255;
  return null;
}
