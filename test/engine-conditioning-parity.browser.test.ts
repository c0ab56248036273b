// Frame-conditioned generation on both backends against the training code's
// fixtures (test/fixtures/conditioning/{image,continuation,edit}, written by
// training/lantern/fixtures.py conditioning_fixtures): the RGBA frames the
// engine is given go through validation, the encoder graph and the
// given-latent selection, then the guided sampler with the condition and
// mask channels, then the decoder. An edit encodes the whole clip, starts
// from its latent re-noised to the strength's time and samples with no
// given frames.
//
// Tolerances (max abs error) are the fixture's (index.json): encoder latent
// 1e-3, trajectory 2e-3, decoded frames 2e-3. The engine encodes the prompt
// itself here (the fixture holds no text embedding), so the text encoder's
// own error (parity-tested in engine-parity.browser.test.ts) is inside these
// numbers. The console line prints what was measured.
import { afterAll, describe, expect, test } from 'vitest';
import type { Backend } from '../workers/contracts/generator';
import { encodeFrames, encoderInput, type GivenConditioning, givenLatent, validateConditioning } from '../workers/engine/conditioning';
import { clipFrames, decodeLatent, editStart, encodeText, rgbaFrames, sampleLatent } from '../workers/engine/generate';
import { gaussianNoise } from '../workers/engine/sampling/noise';
import { latentSize } from '../workers/model-files/manifest';
import { fixtureFloats, fixtureIndex, fixtureTensor, loadRuntime, maxAbsDiff, type TestRuntime } from './support/engine-fixtures';

type Kind = 'image' | 'continuation';
type ConditioningIndex = {
  kind: Kind;
  prompt: string;
  negative: string;
  seed: number;
  steps: number;
  guidance: number;
  latent_frames: number;
  tolerances: Record<'encoder_latent' | 'trajectory' | 'frames', number>;
};

const measured: Record<string, Record<string, number>> = {};
afterAll(() => {
  console.log(`conditioning: measured max abs error vs fixtures: ${JSON.stringify(measured)}`);
});

// A WebGPU step on SwiftShader takes 20-60 s on this 2-core machine depending on what else runs.
const TIMEOUT = { wasm: 120_000, webgpu: 600_000 } as const;

describe.each(['wasm', 'webgpu'] as const)('%s backend: conditioned generation matches the training code', (backend: Backend) => {
  let model: TestRuntime;

  test('loads the model with its encoder', { timeout: TIMEOUT[backend] }, async () => {
    model = await loadRuntime(backend);
    expect(model.runtime.info.backend).toBe(backend);
    expect(model.runtime.encoder).not.toBeNull();
  });

  test.each(['image', 'continuation'] as const)('%s: encoder latent, trajectory and frames', { timeout: TIMEOUT[backend] }, async (kind: Kind) => {
    const { manifest, runtime, tokenizer } = model;
    const index = await fixtureIndex<ConditioningIndex>(`/test/fixtures/conditioning/${kind}`);
    expect(index.kind).toBe(kind);
    const given = await fixtureTensor(index, 'given_rgba');
    const frameBytes = manifest.video.width * manifest.video.height * 4;
    const frames = Array.from({ length: given.data.length / frameBytes }, (_, i) => new Uint8ClampedArray(given.data.buffer, i * frameBytes, frameBytes));
    const conditioning = validateConditioning(
      kind === 'image' ? { kind, frames } : { kind, frames, latentFrames: index.latent_frames },
      manifest,
    ) as GivenConditioning;

    const encoded = await encodeFrames(manifest, runtime.encoder!, encoderInput(manifest, conditioning));
    const err: Record<string, number> = { encoder_latent: maxAbsDiff(encoded, await fixtureFloats(index, 'encoder_latent')) };
    const cond = givenLatent(manifest, conditioning, encoded);
    expect(maxAbsDiff(cond.mask, await fixtureFloats(index, 'given_mask'))).toBe(0);
    err['cond'] = maxAbsDiff(cond.latent, await fixtureFloats(index, 'cond'));

    const size = latentSize(manifest).elements;
    const trajectory = await fixtureFloats(index, 'trajectory');
    const steps: Float32Array[] = [];
    const text = await encodeText(manifest, runtime, tokenizer, index.prompt, index.negative);
    let latent: Float32Array;
    try {
      await runtime.denoiser.setText(text.text);
      latent = await sampleLatent(
        runtime.denoiser,
        manifest,
        gaussianNoise(index.seed, size),
        index,
        ({ x }) => {
          steps.push(x.slice());
        },
        cond,
      );
    } finally {
      runtime.denoiser.clearText();
      text.text.dispose();
    }
    expect(steps).toHaveLength(index.steps);
    err['trajectory'] = Math.max(...steps.map((x, i) => maxAbsDiff(x, trajectory.subarray(i * size, (i + 1) * size))));
    err['final_latent'] = maxAbsDiff(latent, await fixtureFloats(index, 'final_latent'));
    const video = await decodeLatent(manifest, runtime, latent);
    err['frames'] = maxAbsDiff(video, await fixtureFloats(index, 'frames'));
    measured[`${backend}/${kind}`] = err;

    expect(err['encoder_latent']).toBeLessThanOrEqual(index.tolerances.encoder_latent);
    expect(err['cond']).toBeLessThanOrEqual(index.tolerances.encoder_latent);
    expect(err['trajectory']).toBeLessThanOrEqual(index.tolerances.trajectory);
    expect(err['final_latent']).toBeLessThanOrEqual(index.tolerances.trajectory);
    expect(err['frames']).toBeLessThanOrEqual(index.tolerances.frames);

    // The result holds what the user gets: the given clip and then the new frames.
    const { frames: count, height, width } = manifest.video;
    const clip = clipFrames(manifest, conditioning, rgbaFrames(video, count, height, width));
    const newFrames = count - index.latent_frames * manifest.latent.temporalCompression;
    expect(clip).toHaveLength(kind === 'image' ? count : frames.length + newFrames);
    if (kind === 'continuation') expect(clip.slice(0, frames.length)).toEqual(frames);
  });

  test('edit: encoder latent, re-noised start, trajectory and frames', { timeout: TIMEOUT[backend] }, async () => {
    const { manifest, runtime, tokenizer } = model;
    const index = await fixtureIndex<ConditioningIndex & { strength: number }>('/test/fixtures/conditioning/edit');
    const given = await fixtureTensor(index, 'given_rgba');
    const frameBytes = manifest.video.width * manifest.video.height * 4;
    const frames = Array.from({ length: given.data.length / frameBytes }, (_, i) => new Uint8ClampedArray(given.data.buffer, i * frameBytes, frameBytes));
    const conditioning = validateConditioning({ kind: 'edit', frames, strength: index.strength }, manifest);

    const encoded = await encodeFrames(manifest, runtime.encoder!, encoderInput(manifest, conditioning));
    const err: Record<string, number> = { encoder_latent: maxAbsDiff(encoded, await fixtureFloats(index, 'encoder_latent')) };
    const size = latentSize(manifest).elements;
    const start = editStart(manifest, encoded, gaussianNoise(index.seed, size), index.steps, index.strength);
    err['start_latent'] = maxAbsDiff(start, await fixtureFloats(index, 'start_latent'));

    const trajectory = await fixtureFloats(index, 'trajectory');
    const steps: Float32Array[] = [];
    const text = await encodeText(manifest, runtime, tokenizer, index.prompt, index.negative);
    let latent: Float32Array;
    try {
      await runtime.denoiser.setText(text.text);
      latent = await sampleLatent(runtime.denoiser, manifest, start, { ...index, start: index.strength }, ({ x }) => {
        steps.push(x.slice());
      });
    } finally {
      runtime.denoiser.clearText();
      text.text.dispose();
    }
    expect(steps).toHaveLength(index.steps);
    err['trajectory'] = Math.max(...steps.map((x, i) => maxAbsDiff(x, trajectory.subarray(i * size, (i + 1) * size))));
    const video = await decodeLatent(manifest, runtime, latent);
    err['frames'] = maxAbsDiff(video, await fixtureFloats(index, 'frames'));
    measured[`${backend}/edit`] = err;

    expect(err['encoder_latent']).toBeLessThanOrEqual(index.tolerances.encoder_latent);
    expect(err['start_latent']).toBeLessThanOrEqual(index.tolerances.encoder_latent);
    expect(err['trajectory']).toBeLessThanOrEqual(index.tolerances.trajectory);
    expect(err['frames']).toBeLessThanOrEqual(index.tolerances.frames);
    // An edit gives back a clip of the same length, all of it new.
    expect(clipFrames(manifest, conditioning, rgbaFrames(video, frames.length, manifest.video.height, manifest.video.width))).toHaveLength(frames.length);
  });

  test('releases', async () => {
    await model.runtime.release();
  });
});
