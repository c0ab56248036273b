// The unnormalised fast Walsh-Hadamard transform: wht(wht(v)) = v.length * v.
// The butterflies run in the order of Python's _wht (h = 1, 2, 4, ...; sum
// first, difference second), so the embed's cell values match it bit for bit.

/** A new array: the transform of v (length a power of two). */
export function wht(v: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(v);
  for (let h = 1; h < out.length; h *= 2) {
    for (let block = 0; block < out.length; block += 2 * h) {
      for (let j = block; j < block + h; j++) {
        const a = out[j]!;
        const b = out[j + h]!;
        out[j] = a + b;
        out[j + h] = a - b;
      }
    }
  }
  return out;
}
