// Variations: one prompt, 2 to 4 clips with consecutive seeds, made one
// after another on the engine's queue. Progress is over the whole set, and a
// cancel stops the set: the clips finished before it are kept and returned
// (`canceled: true`), the way a storyboard keeps its finished shots.
import { InvalidRequestError } from '../workers/contracts/errors';
import type { GenerateCallbacks, GenerateRequest, GenerateResult, Progress } from '../workers/contracts/generator';
import { isCanceled } from './engine-client';

export const MIN_VARIATIONS = 2;
export const MAX_VARIATIONS = 4;

export type VariationsCallbacks = {
  /** The running clip's progress; `fraction` is over the whole set. */
  onProgress?: (progress: Progress & { variation: number; variations: number }) => void;
  onPreview?: GenerateCallbacks['onPreview'];
  /** Each clip as it finishes, in order (index from 0). */
  onClip?: (index: number, result: GenerateResult) => void;
  signal?: AbortSignal;
};

export type VariationsResult = { results: GenerateResult[]; seeds: number[]; canceled: boolean };

/** The seeds of a set: the request's seed, then the next ones (wrapping at 2^32). */
export function variationSeeds(seed: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (seed + i) % 2 ** 32);
}

export function checkVariationCount(count: unknown): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < MIN_VARIATIONS || count > MAX_VARIATIONS) {
    throw new InvalidRequestError(
      'count',
      `Variations count ${String(count)} is not allowed. It must be an integer from ${MIN_VARIATIONS} to ${MAX_VARIATIONS}; for one clip, use Generate.`,
    );
  }
  return count;
}

export async function renderVariations(
  generate: (request: GenerateRequest, callbacks?: GenerateCallbacks) => Promise<GenerateResult>,
  request: GenerateRequest,
  count: number,
  callbacks: VariationsCallbacks = {},
): Promise<VariationsResult> {
  const variations = checkVariationCount(count);
  const seeds = variationSeeds(request.seed, variations);
  const results: GenerateResult[] = [];
  for (const [variation, seed] of seeds.entries()) {
    if (callbacks.signal?.aborted) return { results, seeds, canceled: true };
    try {
      const result = await generate(
        { ...request, seed },
        {
          onProgress: (p) => callbacks.onProgress?.({ ...p, fraction: (variation + p.fraction) / variations, variation, variations }),
          ...(callbacks.onPreview === undefined ? {} : { onPreview: callbacks.onPreview }),
        },
      );
      results.push(result);
      callbacks.onClip?.(variation, result);
    } catch (error) {
      if (isCanceled(error)) return { results, seeds, canceled: true };
      throw error;
    }
  }
  return { results, seeds, canceled: false };
}
