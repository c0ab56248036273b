// The GPU-machine attention bench (bench/gpu/attention-sweep.ts, run there
// through Node.js and Dawn) run here in Chromium at a small shape: every tile
// its sweep tries computes the right attention, on both lane paths, and its
// table names each path's default and best tile. Dawn in Node.js cannot use
// SwiftShader on these machines (bench/README.md), so this is where that code
// runs before it meets a GPU.
import { expect, test } from 'vitest';
import type { BenchShape } from '../bench/attention-shapes';
import { measureShape, TOLERANCE, table } from '../bench/gpu/attention-sweep';

async function testDevice(): Promise<GPUDevice> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (adapter === null || adapter === undefined) throw new Error('No WebGPU adapter: launch Chromium with --enable-unsafe-webgpu.');
  return adapter.requestDevice({ label: 'test.sweep.device', requiredFeatures: ['subgroups'] });
}

// Self-attention with 3-D RoPE over 30 tokens at head size 64: every query
// tile (8 to 256 rows) and key tile (16 to 64) is ragged somewhere.
const SHAPE: BenchShape = {
  kind: 'self',
  batch: 1,
  heads: 2,
  headDim: 64,
  queries: 30,
  keys: 30,
  scale: 0.125,
  rope: { grid: [2, 3, 5], dims: [16, 24, 24], theta: 10000 },
  origin: 'test',
};

test('every tile of the sweep agrees with the float64 reference, on both lane paths', async () => {
  const device = await testDevice();
  const result = await measureShape(device, SHAPE, { sweep: true, reps: 1 });
  const paths = new Set(result.timings.map((t) => t.path));
  expect([...paths].sort()).toEqual(['portable', 'subgroups']);
  // The default plus every distinct tile the device holds: rows 1, 2 and 4 with quads at head size 64, 1 row without.
  const subgroupTiles = result.timings.filter((t) => t.path === 'subgroups');
  expect(subgroupTiles.filter((t) => t.isDefault)).toHaveLength(1);
  expect(new Set(subgroupTiles.map((t) => t.tile.rows))).toEqual(new Set([1, 2, 4]));
  expect(result.timings.filter((t) => t.path === 'portable').every((t) => t.tile.rows === 1)).toBe(true);
  for (const t of result.timings) {
    expect(t.maxError, `${t.path} ${JSON.stringify(t.tile)}`).toBeLessThanOrEqual(TOLERANCE);
    expect(t.ms).toBeGreaterThan(0);
  }
  const printed = table([result]);
  expect(printed).toContain('self B1 H2 N30 D64 +RoPE');
  expect(printed.split('\n')).toHaveLength(4); // header, rule, one row per path
  device.destroy();
});
