// The embedder: adds the payload's pattern to R, G and B in proportion to
// their luma weights, at a strength set over the whole clip so that the mean
// square change is AMPLITUDE^2 (40.5 dB PSNR), clipping at 0 and 255
// included. PASSES - 1 passes measure the exact integer error at the current
// strength and rescale it, the last one writes. Python's embed, bit for bit:
// the same float64 operations in the same order, floor(x + 0.5) rounding.
import { AMPLITUDE, MAX_BOOST, PASSES, PATTERN_RMS, RGB } from './constants';
import { cells, pattern } from './pattern';
import { checkFrames, checkPayload, type RgbaFrame } from './validate';

const [WR, WG, WB] = RGB;

function marked(f: number, delta: number): number {
  const v = Math.floor(f + delta + 0.5);
  return Math.min(255, Math.max(0, v));
}

/** Sum over the clip of (marked - original)^2 at strength s: an integer, exact in float64 below 2^53. */
function squaredError(frames: readonly RgbaFrame[], d: Float64Array, s: number): number {
  let err = 0;
  for (const frame of frames) {
    for (let p = 0, o = 0; p < d.length; p++, o += 4) {
      const ds = d[p]! * s;
      const r = marked(frame[o]!, ds * WR) - frame[o]!;
      const g = marked(frame[o + 1]!, ds * WG) - frame[o + 1]!;
      const b = marked(frame[o + 2]!, ds * WB) - frame[o + 2]!;
      err += r * r + g * g + b * b;
    }
  }
  return err;
}

/** The strength Python's last pass marks with (1 if the mark changes nothing). */
function strength(frames: readonly RgbaFrame[], d: Float64Array): number {
  const target = AMPLITUDE * AMPLITUDE * (frames.length * d.length * 3);
  let s = 1.0;
  for (let pass = 0; pass < PASSES - 1; pass++) {
    const err = squaredError(frames, d, s);
    if (err === 0) break;
    s = Math.min(MAX_BOOST, s * Math.sqrt(target / err));
  }
  return s;
}

/** Marks RGBA frames in place with a 32-bit payload (alpha untouched); returns them. */
export function embedWatermarkInPlace<F extends RgbaFrame>(frames: F[], width: number, height: number, payload: number): F[] {
  checkFrames(frames, width, height);
  checkPayload(payload);
  const d = pattern(height, width, cells(payload));
  const scale = AMPLITUDE / PATTERN_RMS;
  for (let p = 0; p < d.length; p++) d[p] = d[p]! * scale;
  const s = strength(frames, d);
  for (const frame of frames) {
    for (let p = 0, o = 0; p < d.length; p++, o += 4) {
      const ds = d[p]! * s;
      frame[o] = marked(frame[o]!, ds * WR);
      frame[o + 1] = marked(frame[o + 1]!, ds * WG);
      frame[o + 2] = marked(frame[o + 2]!, ds * WB);
    }
  }
  return frames;
}

/** Marked copies of RGBA frames (one per frame, width * height * 4 bytes each) carrying a 32-bit payload. */
export function embedWatermark(frames: readonly RgbaFrame[], width: number, height: number, payload: number): Uint8ClampedArray[] {
  checkFrames(frames, width, height);
  checkPayload(payload);
  return embedWatermarkInPlace(
    frames.map((f) => new Uint8ClampedArray(f)),
    width,
    height,
    payload,
  );
}
