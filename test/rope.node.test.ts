// The RoPE tables built in TypeScript against the training code's (written
// beside the attention fixtures by training/lantern/fixtures.py).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { type Rope, RopeConfigError, ropeCosSin, ropeKernelTable } from '../workers/engine/gpu/rope';

const FIXTURES = new URL('./fixtures/attention/', import.meta.url);

type FixtureCase = { name: string; headDim: number; queries: number; rope: Rope | null };
const index = JSON.parse(readFileSync(new URL('index.json', FIXTURES), 'utf8')) as { cases: FixtureCase[] };

function tensor(name: string): Float32Array {
  const bytes = readFileSync(new URL(`${name}.bin`, FIXTURES));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/** Largest difference in float32 ulps (at 1.0, 2^-23): both sides round a float64 angle's cos once. */
function maxUlps(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!) / 2 ** -23);
  return max;
}

describe('ropeCosSin matches the training code', () => {
  const cases = index.cases.filter((c): c is FixtureCase & { rope: Rope } => c.rope !== null);

  test('there are RoPE fixtures', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const { cos, sin } = ropeCosSin(c.rope, c.headDim);
    const expectedCos = tensor(`${name}_rope_cos`);
    expect(cos.length).toBe(c.queries * (c.headDim / 2));
    expect(cos.length).toBe(expectedCos.length);
    // Math.cos and torch's float64 cos may differ in the last float64 bit,
    // which can move the float32 rounding by one ulp; no more.
    expect(maxUlps(cos, expectedCos)).toBeLessThanOrEqual(1);
    expect(maxUlps(sin, tensor(`${name}_rope_sin`))).toBeLessThanOrEqual(1);
  });
});

test('ropeKernelTable lays out (cos a, cos a, cos b, cos b, sin a, sin a, sin b, sin b) per vec4 column', () => {
  const rope: Rope = { grid: [2, 1, 3], dims: [4, 2, 2], theta: 10000 };
  const { cos, sin } = ropeCosSin(rope, 8);
  const table = ropeKernelTable(rope, 8);
  expect(table.length).toBe(6 * 2 * 8);
  // Token 4 (frame 1, row 0, column 1), vec4 column 1 holds pairs 2 and 3.
  const at = (4 * 2 + 1) * 8;
  expect(Array.from(table.subarray(at, at + 8))).toEqual([
    cos[4 * 4 + 2],
    cos[4 * 4 + 2],
    cos[4 * 4 + 3],
    cos[4 * 4 + 3],
    sin[4 * 4 + 2],
    sin[4 * 4 + 2],
    sin[4 * 4 + 3],
    sin[4 * 4 + 3],
  ]);
  // Pair 2 belongs to the row axis (dims[1] = 2, one pair), row 0: no turn.
  expect(cos[4 * 4 + 2]).toBe(1);
  // Pair 3 belongs to the column axis: column 1 turns by 1 * theta^0 = 1 radian.
  expect(cos[4 * 4 + 3]).toBe(Math.fround(Math.cos(1)));
});

test('invalid RoPE settings throw a named error', () => {
  expect(() => ropeCosSin({ grid: [1, 1, 1], dims: [4, 4, 4], theta: 10000 }, 8)).toThrow(RopeConfigError);
  expect(() => ropeCosSin({ grid: [1, 1, 1], dims: [3, 3, 2], theta: 10000 }, 8)).toThrow(/even integer/);
});
