// A small radix-2 complex FFT, in place on separate real and imaginary
// arrays, and its 2-D form over a row-major n x n grid: what the detector's
// cyclic correlations need (64 x 64) and no more. Forward is
// X[k] = sum x[j] e^(-2 pi i jk / n), inverse divides by n, as numpy's.

function fft1(re: Float64Array, im: Float64Array, offset: number, stride: number, n: number, inverse: boolean): void {
  // bit-reversal permutation
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const a = offset + i * stride;
      const b = offset + j * stride;
      [re[a], re[b]] = [re[b]!, re[a]!];
      [im[a], im[b]] = [im[b]!, im[a]!];
    }
  }
  for (let len = 2; len <= n; len *= 2) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / len;
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(angle * k);
        const wi = Math.sin(angle * k);
        const a = offset + (start + k) * stride;
        const b = offset + (start + k + len / 2) * stride;
        const br = re[b]! * wr - im[b]! * wi;
        const bi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - br;
        im[b] = im[a]! - bi;
        re[a] = re[a]! + br;
        im[a] = im[a]! + bi;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      re[offset + i * stride] = re[offset + i * stride]! / n;
      im[offset + i * stride] = im[offset + i * stride]! / n;
    }
  }
}

/** In place: the 2-D FFT (or inverse FFT) of an n x n row-major complex grid, n a power of two. */
export function fft2(re: Float64Array, im: Float64Array, n: number, inverse = false): void {
  if ((n & (n - 1)) !== 0 || re.length !== n * n || im.length !== n * n) {
    throw new RangeError(`fft2 needs an n x n grid with n a power of two; got n = ${n} and ${re.length} values.`);
  }
  for (let row = 0; row < n; row++) fft1(re, im, row * n, 1, n, inverse);
  for (let col = 0; col < n; col++) fft1(re, im, col, n, n, inverse);
}
