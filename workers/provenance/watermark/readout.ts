// The detector's measurements at one candidate tile period (Python's fold,
// _upsample, _equaliser, _cell_sums, _readout and _peak). The weighted
// residual is folded into one tile of (N * SAMPLES)^2 bins; a cyclic
// correlation with the sync finds the crop's shift (peak); at a shift the
// 256 cells are read out (tent-weighted matched filter, then the inverse of
// the interpolation's cell-to-cell blur) and the transform inverted, giving
// every row's correlation in units of the rows that carry nothing (readout).
import { CELL_REG, EQ_REG, N, NULL_MAX2, SAMPLES, SYMBOLS } from './constants';
import { fft2 } from './fft';
import { GROUPS, PERM, SIGN } from './keyed';
import { axis } from './pattern';
import { wht } from './wht';

const M = N * SAMPLES; // folded bins per tile side

export type Residual = { res: Float64Array; wgt: Float64Array; width: number; height: number };
type Folded = { acc: Float64Array; tot: Float64Array };

/** Splat weight * residual, and the weight, bilinearly into M x M bins for a tile period of `period` px. */
export function fold({ res, wgt, width, height }: Residual, period: number): Folded {
  const ys = axis(height, period, SAMPLES);
  const xs = axis(width, period, SAMPLES);
  const acc = new Float64Array(M * M);
  const tot = new Float64Array(M * M);
  const splat = (idx: number, ww: number, v: number): void => {
    acc[idx] = acc[idx]! + ww * v;
    tot[idx] = tot[idx]! + ww;
  };
  for (let y = 0; y < height; y++) {
    const [r0, r1, fy] = [ys.i0[y]! * M, ys.i1[y]! * M, ys.frac[y]!];
    for (let x = 0; x < width; x++) {
      const [x0, x1, fx] = [xs.i0[x]!, xs.i1[x]!, xs.frac[x]!];
      const p = y * width + x;
      const [v, g] = [res[p]!, wgt[p]!];
      splat(r0 + x0, (1 - fy) * (1 - fx) * g, v);
      splat(r0 + x1, (1 - fy) * fx * g, v);
      splat(r1 + x0, fy * (1 - fx) * g, v);
      splat(r1 + x1, fy * fx * g, v);
    }
  }
  return { acc, tot };
}

/** Cells (N x N) -> the folded grid (M x M), bilinear, cell centres at multiples of SAMPLES. */
function upsample(c: Float64Array): Float64Array {
  const i0 = Array.from({ length: M }, (_, j) => Math.floor(j / SAMPLES));
  const f = Array.from({ length: M }, (_, j) => j / SAMPLES - i0[j]!);
  const out = new Float64Array(M * M);
  for (let y = 0; y < M; y++) {
    const row = (cx: number): number => c[i0[y]! * N + cx]! * (1 - f[y]!) + c[((i0[y]! + 1) % N) * N + cx]! * f[y]!;
    for (let x = 0; x < M; x++) out[y * M + x] = row(i0[x]!) * (1 - f[x]!) + row((i0[x]! + 1) % N) * f[x]!;
  }
  return out;
}

/** e with EQ[i][j] = e[(j - i) mod N]: the regularised inverse of the (1/6, 2/3, 1/6) cell blur. */
function equaliser(): Float64Array {
  const inv = Array.from({ length: N }, (_, k) => 1 / (2 / 3 + (1 / 3) * Math.cos((2 * Math.PI * k) / N) + EQ_REG));
  return Float64Array.from({ length: N }, (_, j) => inv.reduce((sum, v, k) => sum + v * Math.cos((2 * Math.PI * j * k) / N), 0) / N);
}

const EQ_ROW = equaliser();
const TENT = Array.from({ length: 2 * SAMPLES - 1 }, (_, i) => 1 - Math.abs(i - SAMPLES + 1) / SAMPLES);
/** conj(FFT2(upsampled sync)): row 0 alone, whose transform is all ones. */
const SYNC_F = (() => {
  const sync = new Float64Array(N * N);
  for (let j = 0; j < N * N; j++) sync[PERM[j]!] = SIGN[j]!;
  const re = upsample(sync);
  const im = new Float64Array(M * M);
  fft2(re, im, M);
  return { re, im: im.map((v) => -v) };
})();

/** Tent-weighted sums of the folded grid around each cell centre, after a cyclic shift: (N x N). */
function cellSums(tile: Float64Array, shift: readonly [number, number]): Float64Array {
  const out = new Float64Array(N * N);
  for (let cy = 0; cy < N; cy++) {
    for (let cx = 0; cx < N; cx++) {
      let sum = 0;
      for (let dy = 0; dy < TENT.length; dy++) {
        const y = (((cy * SAMPLES + dy - SAMPLES + 1 + shift[0]) % M) + M) % M;
        for (let dx = 0; dx < TENT.length; dx++) {
          const x = (((cx * SAMPLES + dx - SAMPLES + 1 + shift[1]) % M) + M) % M;
          sum += TENT[dy]! * TENT[dx]! * tile[y * M + x]!;
        }
      }
      out[cy * N + cx] = sum;
    }
  }
  return out;
}

/** (score, row correlations in noise units) at one period and cyclic shift. */
export function readout(r: Residual, period: number, shift: readonly [number, number]): { score: number; coef: Float64Array } {
  const { acc, tot } = fold(r, period);
  const a = cellSums(acc, shift);
  const w = cellSums(tot, shift);
  const reg = (CELL_REG * w.reduce((s, v) => s + v, 0)) / w.length + 1e-12;
  const cellsRead = a.map((v, i) => v / (w[i]! + reg));
  // v = EQ @ cells @ EQ^T, EQ[i][j] = EQ_ROW[(j - i) mod N]
  const eq = (i: number, j: number): number => EQ_ROW[(j - i + N) % N]!;
  const half = new Float64Array(N * N); // cells @ EQ^T
  const v = new Float64Array(N * N);
  for (let k = 0; k < N; k++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let l = 0; l < N; l++) sum += cellsRead[k * N + l]! * eq(j, l);
      half[k * N + j] = sum;
    }
  }
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < N; k++) sum += eq(i, k) * half[k * N + j]!;
      v[i * N + j] = sum;
    }
  }
  const coef = wht(Float64Array.from({ length: N * N }, (_, j) => SIGN[j]! * v[PERM[j]!]!));
  const busy = [0, ...GROUPS.map((g) => g.reduce((best, row) => (Math.abs(coef[row]!) > Math.abs(coef[best]!) ? row : best), g[0]!))];
  let idle = 0;
  coef.forEach((c, i) => {
    if (!busy.includes(i)) idle += c * c;
  });
  const rms = Math.sqrt(idle / (coef.length - busy.length)) + 1e-12;
  for (let i = 0; i < coef.length; i++) coef[i] = coef[i]! / rms;
  let energy = coef[0]! * Math.abs(coef[0]!) - SYMBOLS * NULL_MAX2;
  for (const row of busy.slice(1)) energy += coef[row]! ** 2;
  return { score: Math.sign(energy) * Math.sqrt(Math.abs(energy)), coef };
}

/** Best cyclic shift of the sync at one period: (peak / RMS of the correlation surface, shift). */
export function peak(r: Residual, period: number): { value: number; shift: [number, number] } {
  const { acc, tot } = fold(r, period);
  const norm = tot.reduce((s, v) => s + v, 0) / tot.length + 1e-12;
  const re = acc.map((v) => v / norm);
  const im = new Float64Array(M * M);
  fft2(re, im, M);
  for (let i = 0; i < M * M; i++) {
    const [a, b, c, d] = [re[i]!, im[i]!, SYNC_F.re[i]!, SYNC_F.im[i]!];
    re[i] = a * c - b * d;
    im[i] = a * d + b * c;
  }
  fft2(re, im, M, true);
  let best = 0;
  let squares = 0;
  re.forEach((v, i) => {
    squares += v * v;
    if (v > re[best]!) best = i;
  });
  return { value: re[best]! / (Math.sqrt(squares / re.length) + 1e-12), shift: [Math.floor(best / M), best % M] };
}
