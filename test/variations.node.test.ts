// Variations without a browser: the seeds of a set, the count's limits, and
// how a set ends (progress over the whole set, a cancel keeps the finished
// clips, another error stops the set). The engine is a scripted stand-in
// here; the real set runs in e2e/gallery.e2e.test.ts.
import { describe, expect, test } from 'vitest';
import { checkVariationCount, renderVariations, variationSeeds } from '../src/variations';
import type { GenerateCallbacks, GenerateRequest, GenerateResult } from '../workers/contracts/generator';

const named = (name: string) => Object.assign(new Error(name), { name });

function scripted(failAt: number | null = null, error = named('GenerationCanceledError')) {
  const seen: number[] = [];
  const generate = async (request: GenerateRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult> => {
    if (seen.length === failAt) throw error;
    seen.push(request.seed);
    callbacks?.onProgress?.({ phase: 'denoise', step: 1, steps: 2, fraction: 0.5 });
    callbacks?.onProgress?.({ phase: 'encode', frame: 1, frames: 1, fraction: 1 });
    return { seed: request.seed } as GenerateResult;
  };
  return { seen, generate };
}

describe('variations', () => {
  test('seeds are the request seed and the next ones, wrapping at 2^32', () => {
    expect(variationSeeds(7, 3)).toEqual([7, 8, 9]);
    expect(variationSeeds(0xffff_ffff, 2)).toEqual([0xffff_ffff, 0]);
  });

  test.each([1, 5, 2.5, '3', Number.NaN])('a count of %s is an InvalidRequestError naming 2 to 4', (count) => {
    expect(() => checkVariationCount(count)).toThrow(/Variations count .* is not allowed. It must be an integer from 2 to 4/);
  });

  test('a set of 3 makes 3 clips in seed order, with progress over the whole set that never goes back', async () => {
    const engine = scripted();
    const fractions: number[] = [];
    const clips: number[] = [];
    const result = await renderVariations(engine.generate, { prompt: 'a red ball', seed: 10 }, 3, {
      onProgress: (p) => fractions.push(p.fraction),
      onClip: (i, r) => clips.push(i * 1000 + r.seed),
    });
    expect(result).toMatchObject({ seeds: [10, 11, 12], canceled: false });
    expect(result.results.map((r) => r.seed)).toEqual([10, 11, 12]);
    expect(clips).toEqual([10, 1011, 2012]);
    expect(fractions).toEqual([0.5 / 3, 1 / 3, 1.5 / 3, 2 / 3, 2.5 / 3, 1]);
  });

  test('a cancel keeps the clips made before it; a signal aborted between clips stops the set', async () => {
    const engine = scripted(2);
    expect(await renderVariations(engine.generate, { prompt: 'x', seed: 1 }, 4)).toMatchObject({ canceled: true, seeds: [1, 2, 3, 4] });
    expect(engine.seen).toEqual([1, 2]);
    const controller = new AbortController();
    const second = scripted();
    const result = await renderVariations(second.generate, { prompt: 'x', seed: 1 }, 3, { signal: controller.signal, onClip: () => controller.abort() });
    expect(result.canceled).toBe(true);
    expect(result.results).toHaveLength(1);
  });

  test('another error stops the set and is thrown', async () => {
    const engine = scripted(1, named('InferenceError'));
    await expect(renderVariations(engine.generate, { prompt: 'x', seed: 1 }, 2)).rejects.toMatchObject({ name: 'InferenceError' });
  });
});
