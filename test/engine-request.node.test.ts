// Request validation against the built-in model's manifest: defaults come
// from the manifest, every bad field is its named error naming the value and
// what is allowed, and the engine errors all set their names.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  ENGINE_ERROR_NAMES,
  EngineBusyError,
  GpuDeviceLostError,
  InferenceError,
  InvalidRequestError,
  ModelFileError,
  ModelIntegrityError,
  ModelNotLoadedError,
  WebGpuUnavailableError,
} from '../workers/contracts/errors';
import type { GenerateRequest } from '../workers/contracts/generator';
import { validateRequest } from '../workers/engine/request';
import { parseManifest } from '../workers/model-files/manifest';

const manifest = parseManifest(JSON.parse(readFileSync(new URL('../models-manifest/lantern-tiny.json', import.meta.url), 'utf8')));

function errorOf(request: unknown): Error {
  try {
    validateRequest(request as GenerateRequest, manifest);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected validateRequest to throw');
}

describe('validateRequest', () => {
  test('fills defaults from the manifest', () => {
    expect(validateRequest({ prompt: 'a red ball', seed: 7 }, manifest)).toEqual({
      prompt: 'a red ball',
      negativePrompt: manifest.tokenizer.negativeDefault,
      seed: 7,
      sampler: manifest.sampler.defaultSampler,
      steps: manifest.sampler.defaultSteps,
      shift: manifest.sampler.defaultShift,
      guidance: manifest.sampler.defaultGuidance,
      fps: manifest.video.fps,
      codec: 'avc',
      previewEvery: 1,
      conditioning: null,
      provenance: { visibleMark: true, includeRecipe: false }, // privacy by default: the recipe stays out of the file
    });
    expect(
      validateRequest(
        { prompt: 'x', seed: 2 ** 32 - 1, sampler: 'dpmpp2m', steps: 1, guidance: 0, frames: manifest.video.frames, fps: 24, codec: 'vp9', previewEvery: 0 },
        manifest,
      ),
    ).toMatchObject({
      sampler: 'dpmpp2m',
      steps: 1,
      guidance: 0,
      fps: 24,
      codec: 'vp9',
      previewEvery: 0,
    });
  });

  test("a request without a sampler gets the model's default sampler, whatever it is", () => {
    for (const defaultSampler of ['euler', 'heun', 'dpmpp2m'] as const) {
      const m = { ...manifest, sampler: { ...manifest.sampler, defaultSampler } };
      expect(validateRequest({ prompt: 'x', seed: 1 }, m).sampler).toBe(defaultSampler);
      expect(validateRequest({ prompt: 'x', seed: 1, steps: 3 }, m)).toMatchObject({ sampler: defaultSampler, steps: 3 });
    }
  });

  test("a request without a shift gets the model's default shift; a shift must be above 0 and at most 100", () => {
    const m = { ...manifest, sampler: { ...manifest.sampler, defaultShift: 4.5 } };
    expect(validateRequest({ prompt: 'x', seed: 1 }, m).shift).toBe(4.5);
    expect(validateRequest({ prompt: 'x', seed: 1, shift: 0.5 }, m).shift).toBe(0.5);
    for (const shift of [0, -1, 101, Number.NaN, Number.POSITIVE_INFINITY, '3']) {
      const error = errorOf({ prompt: 'x', seed: 1, shift });
      expect(error.name).toBe('InvalidSamplerSettingsError');
      expect(error.message).toMatch(/^Shift .* is not allowed. It must be a number above 0 and at most 100 \(the model's default is /);
    }
  });

  test.each([
    [{ prompt: '', seed: 1 }, 'EmptyPromptError', /prompt is empty/],
    [{ prompt: '  \n', seed: 1 }, 'EmptyPromptError', /prompt is empty/],
    [{ prompt: 5, seed: 1 }, 'InvalidRequestError', /prompt must be a string/],
    [{ prompt: 'x', seed: -1 }, 'InvalidSeedError', /Seed -1 .* 0 to 4294967295/],
    [{ prompt: 'x', seed: 1.5 }, 'InvalidSeedError', /Seed 1.5/],
    [{ prompt: 'x', seed: 2 ** 32 }, 'InvalidSeedError', /Seed 4294967296/],
    [{ prompt: 'x', seed: '7' }, 'InvalidSeedError', /Seed 7/],
    [{ prompt: 'x', seed: 1, steps: 0 }, 'InvalidSamplerSettingsError', /Steps 0 .* integer from 1 to 1000/],
    [{ prompt: 'x', seed: 1, steps: -3 }, 'InvalidSamplerSettingsError', /Steps -3/],
    [{ prompt: 'x', seed: 1, sampler: 'ddim' }, 'InvalidSamplerSettingsError', /Sampler 'ddim' is not allowed. It must be one of: euler, heun, dpmpp2m/],
    [{ prompt: 'x', seed: 1, steps: 2.5 }, 'InvalidSamplerSettingsError', /Steps 2.5/],
    [{ prompt: 'x', seed: 1, guidance: Number.NaN }, 'InvalidSamplerSettingsError', /Guidance NaN .* finite/],
    [{ prompt: 'x', seed: 1, guidance: Infinity }, 'InvalidSamplerSettingsError', /Guidance Infinity/],
    [
      { prompt: 'x', seed: 1, frames: manifest.video.frames + 1 },
      'InvalidRequestError',
      new RegExp(`Frames ${manifest.video.frames + 1} .* exactly ${manifest.video.frames} frames`),
    ],
    [{ prompt: 'x', seed: 1, fps: 0 }, 'InvalidVideoInputError', /Frame rate 0/],
    [{ prompt: 'x', seed: 1, codec: 'h265' }, 'UnsupportedCodecError', /Unsupported codec 'h265'. Must be one of: avc, vp9, av1/],
    [{ prompt: 'x', seed: 1, previewEvery: -1 }, 'InvalidRequestError', /previewEvery -1/],
    [{ prompt: 'x', seed: 1, provenance: { visibleMark: 'no' } }, 'InvalidRequestError', /provenance.visibleMark must be true or false/],
    [{ prompt: 'x', seed: 1, provenance: { watermark: false } }, 'InvalidRequestError', /unknown field 'watermark'/],
    [null, 'InvalidRequestError', /must be an object/],
  ])('%j is %s', (request, name, message) => {
    const error = errorOf(request);
    expect(error.name).toBe(name);
    expect(error.message).toMatch(message);
  });
});

test('the engine errors set names the UI can branch on (listed in ENGINE_ERROR_NAMES)', () => {
  const errors = [
    new ModelFileError('u', 404, 'HTTP 404'),
    new ModelIntegrityError('u', 'sha256', 'a', 'b'),
    new ModelNotLoadedError(),
    new EngineBusyError('generate', 'generate'),
    new InvalidRequestError('frames', 'm'),
    new WebGpuUnavailableError('no adapter'),
    new GpuDeviceLostError('unknown', 'gone'),
    new InferenceError('decoder', 'failed'),
  ];
  for (const error of errors) {
    expect(error.name).toBe(error.constructor.name);
    expect(ENGINE_ERROR_NAMES as readonly string[]).toContain(error.name);
  }
});
