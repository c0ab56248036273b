// shaders/attention.wgsl in headless Chromium (WebGPU on SwiftShader), on
// both lane paths: against the PyTorch float64 fixtures of
// training/lantern/fixtures.py, and against a float64 JS reference on random
// shapes, ragged tiles and large logits.
import { beforeAll, describe, expect, test } from 'vitest';
import { type AttentionOptions, type AttentionPath, createAttention } from '../workers/engine/gpu/attention';
import type { Rope } from '../workers/engine/gpu/rope';
import { uploadAttentionInputs } from './support/attention-buffers';
import { type AttentionShape, attentionReference, closeness, maxAbsError, mulberry32, randomNormal, type Tolerance } from './support/attention-reference';
import { createF32, readF32 } from './support/gpu-buffers';

const FIXTURES = '/test/fixtures/attention';

type FixtureCase = AttentionShape & { name: string; layout: 'BHND'; rope: (Rope & { pairing: string; order: string }) | null };
type FixtureIndex = { cases: FixtureCase[]; tolerance: Tolerance & { note: string } };

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${response.statusText}`);
  return response;
}

async function fixtureTensor(name: string): Promise<Float32Array> {
  return new Float32Array(await (await fetchOk(`${FIXTURES}/${name}.bin`)).arrayBuffer());
}

let device: GPUDevice;
let index: FixtureIndex;

beforeAll(async () => {
  const adapter = await navigator.gpu?.requestAdapter();
  if (adapter === null || adapter === undefined) {
    throw new Error('No WebGPU adapter: launch Chromium with --enable-unsafe-webgpu (vitest.config.ts).');
  }
  const features: GPUFeatureName[] = adapter.features.has('subgroups') ? ['subgroups'] : [];
  device = await adapter.requestDevice({ label: 'test.attention.device', requiredFeatures: features });
  index = (await (await fetchOk(`${FIXTURES}/index.json`)).json()) as FixtureIndex;
});

const PATHS: readonly AttentionPath[] = ['subgroups', 'portable'];

/** Runs one attention call on the GPU and reads the output back. */
async function run(
  shape: AttentionShape,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  path: AttentionPath,
  tile?: AttentionOptions['tile'],
): Promise<Float32Array> {
  const attention = await createAttention(device, {
    kind: shape.rope === null ? 'cross' : 'self',
    batch: shape.batch,
    heads: shape.heads,
    headDim: shape.headDim,
    queries: shape.queries,
    keys: shape.keys,
    scale: shape.scale,
    ...(shape.rope === null ? {} : { rope: shape.rope }),
    useSubgroups: path === 'subgroups',
    ...(tile === undefined ? {} : { tile }),
  });
  expect(attention.path).toBe(path);
  const buffers = uploadAttentionInputs(device, { q, k, v }, 'test');
  const encoder = device.createCommandEncoder({ label: 'test.attention.encoder' });
  attention.encode(encoder, buffers);
  device.queue.submit([encoder.finish()]);
  const out = await readF32(device, buffers.out, q.length);
  buffers.destroy();
  attention.destroy();
  return out;
}

function expectClose(actual: Float32Array, expected: ArrayLike<number>, tol: Tolerance, what: string): void {
  const problem = closeness(actual, expected, tol);
  expect(problem, `${what}: ${problem}`).toBeNull();
}

test('the test adapter offers subgroups, so both lane paths are exercised', () => {
  expect(device.features.has('subgroups')).toBe(true);
  expect(device.adapterInfo.subgroupMinSize).toBeGreaterThanOrEqual(4);
});

describe.each(PATHS)('fixtures from PyTorch, %s path', (path) => {
  // Names are listed here so each case is its own test; a case added to the
  // index without being listed here fails the coverage test below.
  // Head size 128 runs on the subgroups path only (the portable path refuses it: below).
  const HD128 = ['self_24_hd128', 'cross_24x13_hd128'];
  const NAMES = ['self_debug', 'self_50', 'self_24_hd64', 'self_256', 'cross_50x13', 'cross_256x48', ...(path === 'subgroups' ? HD128 : [])];

  test('every fixture case is covered', () => {
    expect(index.cases.map((c) => c.name).sort()).toEqual([...NAMES, ...(path === 'subgroups' ? [] : HD128)].sort());
  });

  test.each(NAMES)('%s matches within the fixture tolerance', async (name) => {
    const c = index.cases.find((x) => x.name === name);
    if (c === undefined) throw new Error(`Fixture case '${name}' is not in ${FIXTURES}/index.json.`);
    const [q, k, v, expected] = await Promise.all(['q', 'k', 'v', 'out'].map((t) => fixtureTensor(`${name}_${t}`)));
    const out = await run(c, q!, k!, v!, path);
    // atol 2e-5, rtol 1e-4 (index.json): float32 kernel against float64 PyTorch.
    expectClose(out, expected!, index.tolerance, `${name} (${path})`);
  });
});

// The float64 JS reference: same atol/rtol as the fixtures (inputs are N(0, 1),
// like theirs, so scores and outputs have the same magnitudes).
const RANDOM_TOLERANCE: Tolerance = { atol: 2e-5, rtol: 1e-4 };

type RandomCase = { label: string; shape: AttentionShape; tile?: AttentionOptions['tile']; qStd?: number };

function selfShape(batch: number, heads: number, grid: Rope['grid'], dims: Rope['dims']): AttentionShape {
  const headDim = dims[0] + dims[1] + dims[2];
  const tokens = grid[0] * grid[1] * grid[2];
  return { batch, heads, queries: tokens, keys: tokens, headDim, scale: headDim ** -0.5, rope: { grid, dims, theta: 10000 } };
}

function crossShape(batch: number, heads: number, queries: number, keys: number, headDim: number): AttentionShape {
  return { batch, heads, queries, keys, headDim, scale: headDim ** -0.5, rope: null };
}

/** Shapes drawn from a seeded PRNG: token counts 1..70, head dims 32 and 64, rope splits that vary. */
function randomCases(seed: number, count: number): RandomCase[] {
  const random = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const cases: RandomCase[] = [];
  for (let i = 0; i < count; i++) {
    const headDim = random() < 0.5 ? 32 : 64;
    const batch = int(1, 2);
    const heads = int(1, 3);
    if (i % 2 === 0) {
      const dt = 2 * int(0, headDim / 4);
      const dh = 2 * int(0, (headDim - dt) / 2);
      const dims = [dt, dh, headDim - dt - dh] as const;
      const grid = [int(1, 3), int(1, 5), int(1, 5)] as const;
      cases.push({ label: `random self ${grid.join('x')} dims ${dims.join('/')}`, shape: selfShape(batch, heads, grid, dims) });
    } else {
      const shape = crossShape(batch, heads, int(1, 70), int(1, 60), headDim);
      cases.push({ label: `random cross ${shape.queries}x${shape.keys} hd${headDim}`, shape });
    }
  }
  return cases;
}

const CASES: RandomCase[] = [
  // Tiles that divide nothing: 7 query rows and 12 keys per tile over 30 tokens, ...
  { label: 'ragged tiles 7x12 over 30 tokens', shape: selfShape(1, 2, [2, 3, 5], [8, 12, 12]), tile: { queries: 7, keys: 12, rows: 1 } },
  // ... 3 rows per lane group, 9 rows per workgroup over 30 tokens ...
  { label: 'ragged tiles 9x8, 3 rows a group, hd16', shape: selfShape(2, 1, [2, 3, 5], [4, 6, 6]), tile: { queries: 9, keys: 8, rows: 3 } },
  // ... and the default tiles (64 rows, 4 a group on the quad path) over 11 rows and a single key.
  { label: 'ragged tiles 5x4, hd64, 1 key', shape: crossShape(2, 1, 11, 1, 64), tile: { queries: 5, keys: 4, rows: 1 } },
  { label: 'default tiles, 11 queries, 1 key', shape: crossShape(1, 2, 11, 1, 32) },
  { label: 'one query, one key', shape: crossShape(1, 1, 1, 1, 32) },
  { label: 'keys one past a tile (33)', shape: crossShape(1, 2, 40, 33, 32) },
  // Logits of about +-300: exp() of them overflows float32 unless the running maximum is subtracted.
  { label: 'large logits (q x 30)', shape: crossShape(1, 2, 20, 45, 32), qStd: 30 },
  ...randomCases(7, 10),
];

/**
 * Large logits: the kernel's scores carry float32 rounding relative to their
 * size (|s| ~ 300 gives ~3e-5 absolute), which moves the softmax weights by
 * that much relative; 2e-4 absolute holds that with margin.
 */
const LARGE_LOGIT_TOLERANCE: Tolerance = { atol: 2e-4, rtol: 1e-3 };

describe.each(PATHS)('random shapes against the float64 reference, %s path', (path) => {
  test.each(CASES.map((c, i) => [c.label, c, i] as const))('%s', async (_label, c, i) => {
    const random = mulberry32(1000 + i);
    const { batch, heads, queries, keys, headDim } = c.shape;
    const q = randomNormal(random, batch * heads * queries * headDim, c.qStd ?? 1);
    const k = randomNormal(random, batch * heads * keys * headDim);
    const v = randomNormal(random, batch * heads * keys * headDim);
    const expected = attentionReference(c.shape, q, k, v);
    const out = await run(c.shape, q, k, v, path, c.tile);
    const tol = c.qStd === undefined ? RANDOM_TOLERANCE : LARGE_LOGIT_TOLERANCE;
    expectClose(out, expected, tol, `${c.label} (${path}); max abs error ${maxAbsError(out, expected)}`);
  });
});

test("encode records into the caller's encoder and reuses its bind group", async () => {
  const shape = crossShape(1, 1, 9, 5, 32);
  const random = mulberry32(3);
  const q = randomNormal(random, 9 * 32);
  const k = randomNormal(random, 5 * 32);
  const v = randomNormal(random, 5 * 32);
  const attention = await createAttention(device, { kind: 'cross', batch: 1, heads: 1, headDim: 32, queries: 9, keys: 5 });
  const buffers = uploadAttentionInputs(device, { q, k, v }, 'test');
  // Twice in one encoder, as a denoising step would across blocks.
  const encoder = device.createCommandEncoder({ label: 'test.attention.encoder' });
  attention.encode(encoder, buffers);
  attention.encode(encoder, buffers);
  device.queue.submit([encoder.finish()]);
  expectClose(await readF32(device, buffers.out, q.length), attentionReference(shape, q, k, v), RANDOM_TOLERANCE, 'twice');
  buffers.destroy();
  attention.destroy();
});

// Head size 128 (Wan2.1-1.3B's, the synthetic large model's): the quad path only, where a
// lane holds 8 of a row's 32 vec4s. Workgroup memory holds 12 keys a tile (16 KiB).
const HD128_CASES: RandomCase[] = [
  { label: 'hd128 self 2x3x5, Wan rope split 44/42/42', shape: selfShape(2, 2, [2, 3, 5], [44, 42, 42]) },
  { label: 'hd128 cross 37x13, ragged', shape: crossShape(1, 3, 37, 13, 128) },
  { label: 'hd128 cross, 1 row a group, tiles 5x4', shape: crossShape(2, 1, 11, 9, 128), tile: { queries: 5, keys: 4, rows: 1 } },
  // The large model's self-attention, whole: B2 H12, 4x8x8 tokens.
  { label: 'hd128 self B2 H12 4x8x8 (the large model)', shape: selfShape(2, 12, [4, 8, 8], [44, 42, 42]) },
];

describe('head size 128 against the float64 reference, subgroups path', () => {
  test.each(HD128_CASES.map((c, i) => [c.label, c, i] as const))('%s', async (_label, c, i) => {
    const random = mulberry32(2000 + i);
    const { batch, heads, queries, keys, headDim } = c.shape;
    const q = randomNormal(random, batch * heads * queries * headDim);
    const k = randomNormal(random, batch * heads * keys * headDim);
    const v = randomNormal(random, batch * heads * keys * headDim);
    const out = await run(c.shape, q, k, v, 'subgroups', c.tile);
    const expected = attentionReference(c.shape, q, k, v);
    expectClose(out, expected, RANDOM_TOLERANCE, `${c.label}; max abs error ${maxAbsError(out, expected)}`);
  });

  test('the portable path refuses it, naming the feature it needs', async () => {
    await expect(createAttention(device, { kind: 'cross', batch: 1, heads: 1, queries: 4, keys: 4, headDim: 128, useSubgroups: false })).rejects.toMatchObject({
      name: 'AttentionConfigError',
      message: expect.stringContaining("requiredFeatures: ['subgroups']") as unknown,
    });
  });
});

test('bad configurations fail with named errors that say what is allowed', async () => {
  const base = { kind: 'cross', batch: 1, heads: 1, queries: 4, keys: 4 } as const;
  await expect(createAttention(device, { ...base, headDim: 40 })).rejects.toMatchObject({
    name: 'AttentionConfigError',
    message: expect.stringContaining('Must be one of: 16, 32, 48, 64, 128') as unknown,
  });
  await expect(createAttention(device, { ...base, kind: 'self', headDim: 32 })).rejects.toMatchObject({
    name: 'AttentionConfigError',
  });
  await expect(createAttention(device, { ...base, kind: 'self', headDim: 32, rope: { grid: [1, 2, 2], dims: [8, 12, 10], theta: 1e4 } })).rejects.toMatchObject(
    { name: 'RopeConfigError' },
  );
  await expect(createAttention(device, { ...base, headDim: 32, tile: { keys: 6 } })).rejects.toMatchObject({
    name: 'AttentionConfigError',
    message: expect.stringContaining('multiple of 4') as unknown,
  });
  const attention = await createAttention(device, { ...base, headDim: 32 });
  const small = createF32(device, 4, 'test.small');
  const encoder = device.createCommandEncoder({ label: 'test.attention.encoder' });
  expect(() => attention.encode(encoder, { q: small, k: small, v: small, out: small })).toThrow(/needs 512/);
  small.destroy();
  attention.destroy();
});
