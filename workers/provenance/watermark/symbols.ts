// The payload's channel code: 32 bits plus a CRC-10 make 7 six-bit symbols
// (5 bits pick a row of the symbol's group, 1 bit its sign). Decoding takes
// each group's strongest row and, when the CRC fails, tries the runner-ups of
// the least certain symbols (CRC-aided list decoding). Python's crc,
// encode_symbols and decode_symbols, with the same candidate order.
import { CRC_BITS, CRC_POLY, LIST_TRIES, SYMBOL_ROWS, SYMBOLS } from './constants';
import { GROUPS } from './keyed';

/** CRC-10/ATM of a bit list (MSB first). */
export function crc(bits: readonly number[]): number {
  let r = 0;
  for (const b of bits) {
    const top = (r >> (CRC_BITS - 1)) ^ b;
    r = ((r << 1) & ((1 << CRC_BITS) - 1)) ^ (top ? CRC_POLY : 0);
  }
  return r;
}

/** The n low bits of value, most significant first (n <= 32). */
export function toBits(value: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (value >>> (n - 1 - i)) & 1);
}

/** Bits (MSB first) -> an unsigned number. */
export function fromBits(bits: readonly number[]): number {
  return bits.reduce((value, b) => value * 2 + b, 0);
}

/** A 32-bit payload -> 7 six-bit symbols: the payload's bits, then its CRC-10. */
export function encodeSymbols(payload: number): number[] {
  const bits = toBits(payload, 32);
  bits.push(...toBits(crc(bits), CRC_BITS));
  return Array.from({ length: SYMBOLS }, (_, k) => fromBits(bits.slice(6 * k, 6 * k + 6)));
}

type Option = { symbol: number; strength: number };
type Substitution = { k: number; rank: 1 | 2 };

/**
 * Row correlations (256) -> the payload if a CRC check passes (else null),
 * and the 32 best-guess bits either way.
 */
export function decodeSymbols(coef: ArrayLike<number>): { payload: number | null; bits: number[] } {
  // per symbol, its three best values with their |correlation|
  const options: Option[][] = GROUPS.map((rows) => {
    const order = rows.map((_, i) => i).sort((a, b) => Math.abs(coef[rows[b]!]!) - Math.abs(coef[rows[a]!]!));
    return order.slice(0, 3).map((i) => {
      const c = coef[rows[i]!]!;
      return { symbol: i | (c < 0 ? SYMBOL_ROWS : 0), strength: Math.abs(c) };
    });
  });
  const option = (k: number, rank: number): Option => options[k]![rank]!;
  // candidates with up to two symbols replaced by a runner-up, cheapest first
  // (cost: the |correlation| given up, i.e. squared distance in likelihood)
  const cost = ({ k, rank }: Substitution): number => option(k, 0).strength * option(k, 0).strength - option(k, rank).strength * option(k, rank).strength;
  const subs: Substitution[] = [];
  for (let k = 0; k < SYMBOLS; k++) subs.push({ k, rank: 1 }, { k, rank: 2 });
  const tries: { cost: number; picks: Substitution[] }[] = [{ cost: 0, picks: [] }, ...subs.map((s) => ({ cost: cost(s), picks: [s] }))];
  subs.forEach((a, i) => {
    for (const b of subs.slice(i + 1)) if (a.k !== b.k) tries.push({ cost: cost(a) + cost(b), picks: [a, b] });
  });
  tries.sort((a, b) => a.cost - b.cost); // stable, as Python's sort
  const wordBits = (picks: readonly Substitution[]): number[] =>
    options.flatMap((_, k) => toBits(option(k, picks.find((p) => p.k === k)?.rank ?? 0).symbol, 6));
  for (const { picks } of tries.slice(0, LIST_TRIES)) {
    const bits = wordBits(picks);
    if (crc(bits.slice(0, 32)) === fromBits(bits.slice(32))) return { payload: fromBits(bits.slice(0, 32)), bits: bits.slice(0, 32) };
  }
  return { payload: null, bits: wordBits([]).slice(0, 32) };
}
