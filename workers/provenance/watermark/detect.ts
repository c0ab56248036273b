// The detector (Python's detect): for each candidate tile period (the clip's
// unknown scale and crop) the sync's correlation peak; the best CANDIDATES
// peaks read out in full; the best of those refined between grid periods;
// then the payload decoded with the CRC. A statistical test, so it need not
// match Python bit for bit: test/watermark.node.test.ts holds its score to
// Python's within 0.5 on fixtures.
import { CANDIDATES, CROP_RANGE, SCALE_STEP, THRESHOLD, TILE_FRACTION } from './constants';
import { peak, type Residual, readout } from './readout';
import { residual } from './residual';
import { decodeSymbols } from './symbols';
import { checkFrames, type RgbaFrame } from './validate';

export type WatermarkDetection = {
  /** score >= THRESHOLD: the mark is present. */
  found: boolean;
  /** The 32-bit payload when found and a CRC check passed, else null. */
  payload: number | null;
  /** sqrt(z_sync^2 + sum over symbols of (z^2 - its null mean)); unmarked videos score about 5 (max 7.4 measured). */
  score: number;
  /** The 32 best-guess payload bits, even when nothing was found. */
  bits: number[];
  /** The tile period (px) the mark was read at; TILE_FRACTION * min side for an unscaled, uncropped clip. */
  period: number;
};

type Candidate = { score: number; coef: Float64Array; period: number };

/** Looks for the mark in RGBA frames (one per frame, width * height * 4 bytes) of unknown scale and crop. */
export function detectWatermark(frames: readonly RgbaFrame[], width: number, height: number): WatermarkDetection {
  checkFrames(frames, width, height);
  const r: Residual = { ...residual(frames, width, height), width, height };
  const periods: number[] = [];
  for (let k = CROP_RANGE[1]; k >= CROP_RANGE[0]; k /= 1 + SCALE_STEP) periods.push((TILE_FRACTION * Math.min(width, height)) / k);
  const peaks = periods
    .map((period) => ({ ...peak(r, period), period }))
    .sort((a, b) => b.value - a.value) // stable, as Python's sorted
    .slice(0, CANDIDATES);
  const read = (period: number, shift: readonly [number, number]): Candidate => ({ ...readout(r, period, shift), period });
  // the first of equal scores wins, as Python's max
  const better = (a: Candidate, b: Candidate): Candidate => (b.score > a.score ? b : a);
  const [first, ...rest] = peaks.map(({ period, shift }) => read(period, shift));
  if (first === undefined) throw new Error('detectWatermark: no candidate periods (CROP_RANGE is empty).');
  let best = rest.reduce(better, first);
  for (const j of [-0.5, -0.25, 0.25, 0.5]) {
    // refine the period between grid points, around the best so far
    const period: number = best.period * (1 + SCALE_STEP) ** j;
    best = better(best, read(period, peak(r, period).shift));
  }
  const { payload, bits } = decodeSymbols(best.coef);
  const found = best.score >= THRESHOLD;
  return { found, payload: found ? payload : null, score: best.score, bits, period: best.period };
}
