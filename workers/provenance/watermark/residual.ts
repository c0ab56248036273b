// The detector's first step (Python's _blur and residual): the frames' mean
// luma, high-passed (minus a Gaussian blur of about one cell), and a
// whitening weight 1 / (local residual energy + NOISE^2) so that flat areas,
// where the mark is clean, count more than edges. The mark is static and
// content and codec noise are not, so averaging the frames helps it.
import { ENERGY_SIGMA, HP_SIGMA, N, NOISE, TILE_FRACTION } from './constants';
import type { RgbaFrame } from './validate';

/** numpy's 'reflect' padding (mirror without repeating the edge), any distance out. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const j = Math.abs(i) % period;
  return j < n ? j : period - j;
}

/** A separable Gaussian blur (radius ceil(3 sigma)) of a row-major height x width image, reflect-padded. */
export function blur(img: Float64Array, width: number, height: number, sigma: number): Float64Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-0.5 * ((i - r) / sigma) ** 2));
  const sum = k.reduce((a, b) => a + b, 0);
  for (let i = 0; i < k.length; i++) k[i] = k[i]! / sum;
  const columns = new Float64Array(img.length); // along y first, as Python
  for (let y = 0; y < height; y++) {
    for (let j = 0; j < k.length; j++) {
      const src = reflect(y + j - r, height) * width;
      const kj = k[j]!;
      for (let x = 0; x < width; x++) columns[y * width + x] = columns[y * width + x]! + kj * img[src + x]!;
    }
  }
  const out = new Float64Array(img.length);
  for (let x = 0; x < width; x++) {
    for (let j = 0; j < k.length; j++) {
      const src = reflect(x + j - r, width);
      const kj = k[j]!;
      for (let y = 0; y < height; y++) out[y * width + x] = out[y * width + x]! + kj * columns[y * width + src]!;
    }
  }
  return out;
}

/** RGBA frames -> (residual, weight), both height x width row-major. */
export function residual(frames: readonly RgbaFrame[], width: number, height: number): { res: Float64Array; wgt: Float64Array } {
  const y = new Float64Array(width * height);
  for (const frame of frames) {
    for (let p = 0, o = 0; p < y.length; p++, o += 4) y[p] = y[p]! + (0.299 * frame[o]! + 0.587 * frame[o + 1]! + 0.114 * frame[o + 2]!);
  }
  for (let p = 0; p < y.length; p++) y[p] = y[p]! / frames.length;
  const cell = (Math.min(width, height) * TILE_FRACTION) / N; // cell size in px if nothing was cropped
  const low = blur(y, width, height, Math.max(0.7, HP_SIGMA * cell));
  const res = y.map((v, p) => v - low[p]!);
  const energy = blur(
    res.map((v) => v * v),
    width,
    height,
    Math.max(0.7, ENERGY_SIGMA * cell),
  );
  return { res, wgt: energy.map((e) => 1.0 / (e + NOISE * NOISE)) };
}
