// The keyed tables: which cell each Walsh-Hadamard output goes to (PERM) and
// its sign (SIGN), drawn from xorshift32 seeded with KEY, and the rows each
// symbol chooses among (GROUPS). Integer maths only, so they equal Python's
// _rng, _keyed and GROUPS exactly (test/watermark.node.test.ts checks them).
import { KEY, N, SYMBOL_ROWS, SYMBOLS } from './constants';

/** xorshift32 (Python's _rng): a stream of uint32, shifts and xors only. */
export function* xorshift32(seed: number): Generator<number, never> {
  let s = seed >>> 0 || 1;
  for (;;) {
    s = (s ^ (s << 13)) >>> 0;
    s = (s ^ (s >>> 17)) >>> 0;
    s = (s ^ (s << 5)) >>> 0;
    yield s;
  }
}

function keyed(): { perm: Int32Array; sign: Float64Array } {
  const rng = xorshift32(KEY);
  const next = (): number => rng.next().value;
  const perm = new Int32Array(N * N).map((_, i) => i);
  for (let i = N * N - 1; i > 0; i--) {
    const j = next() % (i + 1); // Fisher-Yates
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const sign = new Float64Array(N * N).map(() => (next() & 0x100 ? 1 : -1));
  return { perm, sign };
}

const tables = keyed();
/** Transform output j goes to cell PERM[j] (row-major in the N x N tile), times SIGN[j]. */
export const PERM: Readonly<Int32Array> = tables.perm;
export const SIGN: Readonly<Float64Array> = tables.sign;
/** GROUPS[k]: the SYMBOL_ROWS transform rows symbol k chooses among (row 0 is the sync). */
export const GROUPS: readonly (readonly number[])[] = Array.from({ length: SYMBOLS }, (_, k) =>
  Array.from({ length: SYMBOL_ROWS }, (_, r) => 1 + k * SYMBOL_ROWS + r),
);
