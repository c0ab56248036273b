// A GenerateRequest checked against the loaded model before any work starts,
// so a bad value fails in milliseconds with its named error, not after the
// denoiser has run. Requests come from the UI, scripts (window.lantern) and
// the CLI through comlink, so types are checked at runtime too.

import { InvalidRequestError } from '../contracts/errors';
import { type GenerateRequest, MAX_SHIFT, MAX_STEPS, type SamplerName } from '../contracts/generator';
import { DEFAULT_PROVENANCE_CHOICES, type ProvenanceChoices, provenanceChoicesProblem } from '../contracts/provenance';
import type { Manifest } from '../model-files/manifest';
import { type ValidConditioning, validateConditioning } from './conditioning';
import { checkSeed, InvalidSeedError } from './sampling/noise';
import { InvalidSamplerSettingsError } from './sampling/sampler';
import { parseSampler } from './sampling/solvers';
import { EmptyPromptError } from './tokenize';
import { DEFAULT_VIDEO_CODEC, parseVideoCodec, type VideoCodecName, validateClipShape } from './video/codecs';

export type ValidRequest = {
  prompt: string;
  negativePrompt: string;
  seed: number;
  sampler: SamplerName;
  steps: number;
  shift: number;
  guidance: number;
  fps: number;
  codec: VideoCodecName;
  /** 0: no previews. */
  previewEvery: number;
  /** null: text-to-video. */
  conditioning: ValidConditioning | null;
  provenance: ProvenanceChoices;
};

function optionalNumber(value: unknown, fallback: number): number {
  return value === undefined ? fallback : (value as number);
}

export function validateRequest(request: GenerateRequest, manifest: Manifest): ValidRequest {
  if (typeof request !== 'object' || request === null)
    throw new InvalidRequestError('request', `A generate request must be an object; got ${request === null ? 'null' : typeof request}.`);
  const { prompt, negativePrompt } = request;
  if (typeof prompt !== 'string') throw new InvalidRequestError('prompt', `The prompt must be a string; got ${typeof prompt}.`);
  if (prompt.trim() === '') throw new EmptyPromptError();
  if (negativePrompt !== undefined && typeof negativePrompt !== 'string') {
    throw new InvalidRequestError('negativePrompt', `The negative prompt must be a string or left out; got ${typeof negativePrompt}.`);
  }
  if (typeof request.seed !== 'number') throw new InvalidSeedError(request.seed);
  checkSeed(request.seed);

  const steps = optionalNumber(request.steps, manifest.sampler.defaultSteps);
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1 || steps > MAX_STEPS) {
    throw new InvalidSamplerSettingsError(
      `Steps ${String(steps)} is not allowed. It must be an integer from 1 to ${MAX_STEPS} (the model's default is ${manifest.sampler.defaultSteps}).`,
    );
  }
  const sampler = request.sampler === undefined ? manifest.sampler.defaultSampler : parseSampler(request.sampler);
  const shift = optionalNumber(request.shift, manifest.sampler.defaultShift);
  if (typeof shift !== 'number' || !Number.isFinite(shift) || shift <= 0 || shift > MAX_SHIFT) {
    throw new InvalidSamplerSettingsError(
      `Shift ${String(shift)} is not allowed. It must be a number above 0 and at most ${MAX_SHIFT} (the model's default is ${manifest.sampler.defaultShift}).`,
    );
  }
  const guidance = optionalNumber(request.guidance, manifest.sampler.defaultGuidance);
  if (typeof guidance !== 'number' || !Number.isFinite(guidance) || guidance < 0) {
    throw new InvalidSamplerSettingsError(
      `Guidance ${String(guidance)} is not allowed. It must be a finite number >= 0 (1 follows the prompt plainly, the model's default is ${manifest.sampler.defaultGuidance}).`,
    );
  }

  const { frames, width, height } = manifest.video;
  if (request.frames !== undefined && request.frames !== frames) {
    throw new InvalidRequestError(
      'frames',
      `Frames ${String(request.frames)} is not allowed: ${manifest.name} makes clips of exactly ${frames} frames. Leave frames out or pass ${frames}.`,
    );
  }
  const fps = optionalNumber(request.fps, manifest.video.fps);
  validateClipShape({ width, height, frames, fps });
  const codec = request.codec === undefined ? DEFAULT_VIDEO_CODEC : parseVideoCodec(request.codec);

  const conditioning = request.conditioning === undefined ? null : validateConditioning(request.conditioning, manifest);
  const previewEvery = optionalNumber(request.previewEvery, 1);
  if (typeof previewEvery !== 'number' || !Number.isInteger(previewEvery) || previewEvery < 0) {
    throw new InvalidRequestError('previewEvery', `previewEvery ${String(previewEvery)} is not allowed. It must be an integer >= 0 (0: no previews).`);
  }
  const provenanceProblem = provenanceChoicesProblem(request.provenance);
  if (provenanceProblem !== null) throw new InvalidRequestError('provenance', provenanceProblem);
  return {
    prompt,
    negativePrompt: negativePrompt ?? manifest.tokenizer.negativeDefault,
    seed: request.seed,
    sampler,
    steps,
    shift,
    guidance,
    fps,
    codec,
    previewEvery,
    conditioning,
    provenance: { ...DEFAULT_PROVENANCE_CHOICES, ...request.provenance },
  };
}
