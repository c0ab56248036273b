// The mark's picture: the tile's 16 x 16 cell values for a payload (sync row
// plus 7 symbol rows through the keyed Walsh-Hadamard transform), repeated
// over the frame with period TILE_FRACTION * min(height, width) px and
// interpolated bilinearly. Python's cells, _axis and pattern, with the same
// float64 operations in the same order: the embed depends on it bit for bit.
import { N, SYMBOLS, SYNC_ENERGY, TILE_FRACTION } from './constants';
import { GROUPS, PERM, SIGN } from './keyed';
import { encodeSymbols } from './symbols';
import { wht } from './wht';

/** The tile's N x N cell values (RMS 1, row-major) that carry a payload (uint32). */
export function cells(payload: number): Float64Array {
  const s = new Float64Array(N * N);
  s[0] = Math.sqrt(SYNC_ENERGY);
  encodeSymbols(payload >>> 0).forEach((sym, k) => {
    s[GROUPS[k]![sym & 31]!] = (sym & 32 ? -1.0 : 1.0) * Math.sqrt((1 - SYNC_ENERGY) / SYMBOLS);
  });
  const w = wht(s);
  const out = new Float64Array(N * N);
  for (let j = 0; j < N * N; j++) out[PERM[j]!] = SIGN[j]! * w[j]!;
  return out;
}

/** One axis of a periodic grid of N * samples points over `period` px. */
export type Axis = { i0: Int32Array; i1: Int32Array; frac: Float64Array };

/**
 * For pixels 0..n-1: the two grid points (cell centres at integers when
 * samples = 1) around each pixel centre, and the weight of the second.
 */
export function axis(n: number, period: number, samples = 1): Axis {
  const m = N * samples;
  const out = { i0: new Int32Array(n), i1: new Int32Array(n), frac: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const t = ((i + 0.5) * m) / period - 0.5;
    const f = Math.floor(t);
    const i0 = ((f % m) + m) % m; // non-negative, as numpy's %
    out.i0[i] = i0;
    out.i1[i] = (i0 + 1) % m;
    out.frac[i] = t - f;
  }
  return out;
}

/** (height, width) row-major: the periodic, bilinearly interpolated tile of cells c. */
export function pattern(height: number, width: number, c: Float64Array): Float64Array {
  const period = TILE_FRACTION * Math.min(height, width);
  const ys = axis(height, period);
  const xs = axis(width, period);
  const out = new Float64Array(height * width);
  for (let y = 0; y < height; y++) {
    const r0 = ys.i0[y]! * N;
    const r1 = ys.i1[y]! * N;
    const fy = ys.frac[y]!;
    for (let x = 0; x < width; x++) {
      const x0 = xs.i0[x]!;
      const x1 = xs.i1[x]!;
      const fx = xs.frac[x]!;
      const top = c[r0 + x0]! * (1 - fx) + c[r0 + x1]! * fx;
      const bottom = c[r1 + x0]! * (1 - fx) + c[r1 + x1]! * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}
