// The attention shapes the benchmarks time, read from a model's manifest so
// that they follow a re-export: the first self and the first cross attention
// step of `denoiser.plan` (cross keys "text" arrive resolved to
// `text.tokens`), at batch 2 for classifier-free guidance. Shared by the
// browser bench (attention.bench.ts) and the GPU-machine bench
// (gpu/attention-dawn.ts).

import type { Rope } from '../workers/engine/gpu/rope';
import { GUIDANCE_BATCH } from '../workers/engine/sampling/sampler';
import type { Manifest, PlanAttention } from '../workers/model-files/manifest';

export type BenchShape = {
  kind: PlanAttention['kind'];
  batch: number;
  heads: number;
  headDim: number;
  queries: number;
  keys: number;
  scale: number;
  rope: Rope | null;
  /** Where the shape comes from: the model's plan, or a larger DiT it stands for. */
  origin: string;
};

export function shapeName(s: BenchShape): string {
  const tokens = s.kind === 'self' ? `${s.queries}` : `${s.queries}x${s.keys}`;
  return `${s.kind} B${s.batch} H${s.heads} N${tokens} D${s.headDim}${s.rope === null ? '' : ' +RoPE'}`;
}

/** The plan's first attention step of each kind, as bench shapes at the guidance batch. */
export function planShapes(manifest: Manifest, manifestUrl: string): Record<PlanAttention['kind'], BenchShape> {
  const first = (kind: PlanAttention['kind']): BenchShape => {
    const step = manifest.denoiser.plan.find((s): s is PlanAttention => s.op === 'attention' && s.kind === kind);
    if (step === undefined) {
      throw new Error(`${manifestUrl} has no ${kind}-attention step in denoiser.plan; the bench times one of each kind.`);
    }
    const { heads, headDim, queries, keys, scale, rope } = step;
    return {
      kind,
      batch: GUIDANCE_BATCH,
      heads,
      headDim,
      queries,
      keys,
      scale,
      rope: rope === null ? null : { grid: rope.grid, dims: rope.dims, theta: rope.theta },
      origin: `${manifest.id} plan`,
    };
  };
  return { self: first('self'), cross: first('cross') };
}

/**
 * Larger shapes of the same form (head size 64, 3-D RoPE), standing for the
 * real DiTs the engine is built to run: self-attention over a 4x16x16 latent
 * grid (1,024 tokens, 4 heads) and a 16x16x16 one (4,096 tokens, 8 heads),
 * the two shapes ENVIRONMENT.md gives PyTorch scaled_dot_product_attention
 * figures for, and cross-attention from 4,096 tokens to the model's text.
 */
export function scaledShapes(template: BenchShape): BenchShape[] {
  const rope = template.rope ?? { grid: [1, 1, 1] as const, dims: [16, 24, 24] as const, theta: 10000 };
  const self = (heads: number, grid: readonly [number, number, number]): BenchShape => ({
    kind: 'self',
    batch: GUIDANCE_BATCH,
    heads,
    headDim: 64,
    queries: grid[0] * grid[1] * grid[2],
    keys: grid[0] * grid[1] * grid[2],
    scale: 64 ** -0.5,
    rope: { grid, dims: rope.dims, theta: rope.theta },
    origin: 'larger DiT',
  });
  return [
    self(4, [4, 16, 16]),
    self(8, [16, 16, 16]),
    { ...self(8, [16, 16, 16]), kind: 'cross', keys: template.kind === 'cross' ? template.keys : 48, rope: null },
  ];
}
