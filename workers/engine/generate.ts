// Prompt to MP4 on a loaded runtime: tokenize, encode the text, encode the
// given frames (image-to-video, continuation: conditioning.ts), sample the
// latent from seeded noise with classifier-free guidance (the maths of
// workers/engine/sampling/sampler.ts, which is training/lantern/flow.py's), decode
// it, encode the frames to MP4. Each part is exported on its own so tests
// can hold it against the training code's fixtures.

import { type CancelablePhase, InferenceError, UnsupportedCodecError, WebCodecsUnavailableError } from '../contracts/errors';
import type { GenerateResult, Preview, Progress, VideoCodecName } from '../contracts/generator';
import type { ClipProvenance } from '../contracts/provenance';
import type { Manifest } from '../model-files/manifest';
import { latentSize } from '../model-files/manifest';
import { signClipWithInstallKey } from '../provenance/c2pa/clip-signer';
import { encodeFrames, encoderInput, givenLatent, givenLatentFrames, type ValidConditioning } from './conditioning';
import type { Denoiser } from './denoiser';
import { floatTensor, int64Tensor, readFloats, runSession, type Tensor } from './ort';
import type { ValidRequest } from './request';
import { DECODER, type Runtime, TEXT_ENCODER } from './runtime';
import { gaussianNoise } from './sampling/noise';
import { assembleInput, type Conditioning, GUIDANCE_BATCH, guidedFromBatch, previewRgba, renoise, restoreGiven, sampleSchedule } from './sampling/sampler';
import { createSolver, type SamplerName } from './sampling/solvers';
import { type PromptTokenizer, tokenizeGuidancePair } from './tokenize';
import { codecsSupported, encodeRgbaClip } from './video/encode';
import { clipFileName } from './video/filename';
import { floatFrameToRgba } from './video/frames';

/** Each phase's share of a generation's `fraction`, in order; the denoiser dominates on every backend. */
export const PHASE_SPANS = {
  encodeText: [0, 0.02],
  encodeFrames: [0.02, 0.03],
  denoise: [0.03, 0.9],
  decode: [0.9, 0.95],
  encode: [0.95, 1],
} as const satisfies Record<Exclude<CancelablePhase, 'load'>, readonly [number, number]>;

function within(phase: keyof typeof PHASE_SPANS, done: number): number {
  const [start, end] = PHASE_SPANS[phase];
  return start + (end - start) * Math.min(1, Math.max(0, done));
}

export type PipelineContext = {
  /** Yields to the event loop, then throws GenerationCanceledError (or a lost-device error) when the generation must stop. */
  checkpoint(phase: CancelablePhase): Promise<void>;
  signal: AbortSignal;
  onProgress(progress: Progress): void;
  onPreview(preview: Preview): void;
};

export type EncodedText = {
  /** (2, L, D): the prompt, then the negative prompt. On the GPU for WebGPU; the caller disposes it. */
  text: Tensor;
  droppedTokens: number;
  droppedNegativeTokens: number;
};

export async function encodeText(manifest: Manifest, runtime: Runtime, tokenizer: PromptTokenizer, prompt: string, negative: string): Promise<EncodedText> {
  const pair = tokenizeGuidancePair(tokenizer, prompt, negative);
  const dims = [GUIDANCE_BATCH, tokenizer.maxTokens];
  const [ids, mask] = TEXT_ENCODER.inputs;
  const out = await runSession(TEXT_ENCODER.graph, runtime.textEncoder, { [ids]: int64Tensor(pair.ids, dims), [mask]: int64Tensor(pair.mask, dims) });
  const text = out[TEXT_ENCODER.output];
  const expected = [GUIDANCE_BATCH, manifest.text.tokens, manifest.text.dim];
  if (text === undefined || text.dims.join(',') !== expected.join(',')) {
    text?.dispose();
    throw new InferenceError(
      TEXT_ENCODER.graph,
      `gave ${text === undefined ? 'no text' : `text (${text.dims.join(', ')})`}; the manifest implies (${expected.join(', ')}).`,
    );
  }
  return { text, droppedTokens: pair.prompt.droppedTokens, droppedNegativeTokens: pair.negative.droppedTokens };
}

export type SampleStep = {
  /** Steps done, 1..steps. */
  step: number;
  steps: number;
  /** Denoiser calls done, and the run's total (more than steps for Heun). */
  evaluations: number;
  totalEvaluations: number;
  /** The latent after this step. */
  x: Float32Array;
  /** The clean-clip estimate x - t v from the step's first velocity, behind the preview. */
  x0: Float32Array;
};

/**
 * Euler sampling on the shifted schedule with classifier-free guidance,
 * from `noise` (C, F, h, w), or for an edit (`settings.start` < 1) from the
 * clip's latent already re-noised to that time (editStart). With
 * `conditioning`, its latent frames and mask enter every denoiser call and
 * the given frames come back exactly as given. `onStep` may throw (or
 * reject) to stop: cancel.
 */
export async function sampleLatent(
  denoiser: Denoiser,
  manifest: Manifest,
  noise: Float32Array,
  settings: { steps: number; guidance: number; start?: number; sampler?: SamplerName; shift?: number },
  onStep?: (step: SampleStep) => void | Promise<void>,
  conditioning: Conditioning | null = null,
): Promise<Float32Array> {
  const { channels } = manifest.latent;
  const times = sampleSchedule(settings.steps, settings.shift ?? manifest.sampler.shift, settings.start);
  const solver = createSolver(settings.sampler ?? 'euler', times, noise);
  const v = new Float32Array(noise.length);
  const xIn = new Float32Array(GUIDANCE_BATCH * manifest.denoiser.inputChannels * (noise.length / channels));
  let evaluations = 0;
  while (!solver.done) {
    assembleInput(solver.x, channels, conditioning, xIn);
    // torch.full((2,), t) in float32: the same rounding as a Float32Array.
    const vBatch = await denoiser.run(xIn, new Float32Array(GUIDANCE_BATCH).fill(solver.t));
    guidedFromBatch(vBatch, settings.guidance, v);
    evaluations++;
    if (solver.advance(v)) {
      await onStep?.({ step: solver.step, steps: settings.steps, evaluations, totalEvaluations: solver.evaluations, x: solver.latent, x0: solver.x0 });
    }
  }
  return restoreGiven(solver.latent, channels, conditioning);
}

/** What the frames of a request become: given latent frames (image, continuation) or an edit's clean latent. */
export type EncodedConditioning = { given: Conditioning | null; editLatent: Float32Array | null };

/** The request's frames through the encoder (conditioning.ts); needs the runtime's encoder. */
export async function conditioningLatent(manifest: Manifest, runtime: Runtime, conditioning: ValidConditioning): Promise<EncodedConditioning> {
  if (runtime.encoder === null) throw new InferenceError('encoder', 'is not loaded, yet the request has conditioning frames.');
  const encoded = await encodeFrames(manifest, runtime.encoder, encoderInput(manifest, conditioning));
  if (conditioning.kind === 'edit') return { given: null, editLatent: encoded };
  return { given: givenLatent(manifest, conditioning, encoded), editLatent: null };
}

/** An edit's first latent: the clip's latent re-noised to the first time of the schedule that starts at `strength`. */
/** What the clip says about itself: always the model and the marks, the recipe only when the user chose it. */
export function clipProvenance(request: ValidRequest, manifest: Manifest): ClipProvenance {
  const { provenance } = request;
  const negativePrompt = request.negativePrompt === manifest.tokenizer.negativeDefault ? undefined : request.negativePrompt;
  return {
    model: { id: manifest.id, version: manifest.version },
    visibleMark: provenance.visibleMark,
    ...(provenance.includeRecipe
      ? { recipe: { prompt: request.prompt, seed: request.seed, ...(negativePrompt === undefined ? {} : { negativePrompt }) } }
      : {}),
  };
}

export function editStart(manifest: Manifest, latent: Float32Array, noise: Float32Array, steps: number, strength: number): Float32Array {
  return renoise(latent, noise, sampleSchedule(steps, manifest.sampler.shift, strength)[0]!);
}

/** The decoder's clip (T, 3, H, W), values in [0, 1], from a latent (C, F, h, w). */
export async function decodeLatent(manifest: Manifest, runtime: Runtime, latent: Float32Array): Promise<Float32Array> {
  const out = await runSession(DECODER.graph, runtime.decoder, { [DECODER.input]: floatTensor(latent, [1, ...latentSize(manifest).shape]) });
  const video = out[DECODER.output];
  if (video === undefined) throw new InferenceError(DECODER.graph, `gave no '${DECODER.output}'.`);
  const { frames, height, width } = manifest.video;
  return readFloats(DECODER.graph, DECODER.output, video, [1, frames, 3, height, width]);
}

/** (T, 3, H, W) floats in [0, 1] to T RGBA frames (video/frames.ts). */
export function rgbaFrames(video: Float32Array, frames: number, height: number, width: number): Uint8ClampedArray[] {
  return Array.from({ length: frames }, (_, f) => {
    const rgba = new Uint8ClampedArray(width * height * 4);
    const nan = floatFrameToRgba(video, f, width, height, rgba);
    if (nan !== null) throw new InferenceError(DECODER.graph, `produced NaN in frame ${f}, channel ${nan.channel}, pixel ${nan.pixel}.`);
    return rgba;
  });
}

/**
 * The frames the result holds: the decoded clip, or for a continuation the
 * clip so far and then the decoded frames after the given latent frames.
 */
export function clipFrames(manifest: Manifest, conditioning: ValidConditioning | null, decoded: Uint8ClampedArray[]): Uint8ClampedArray[] {
  if (conditioning?.kind !== 'continuation') return decoded;
  const given = givenLatentFrames(manifest, conditioning) * manifest.latent.temporalCompression;
  return [...conditioning.previous, ...decoded.slice(given)];
}

/** The live preview: the manifest's linear latent-to-RGB map, one frame per latent frame. */
export function previewFrames(manifest: Manifest, x0: Float32Array): Uint8ClampedArray[] {
  const { shape } = latentSize(manifest);
  const rgba = previewRgba(x0, shape, manifest.preview.matrix);
  const size = shape[2] * shape[3] * 4;
  return Array.from({ length: shape[1] }, (_, f) => rgba.slice(f * size, (f + 1) * size));
}

/**
 * WebCodecs and the codec are checked before the denoiser runs, not after,
 * against what the engine probed at load; a frame rate other than the
 * model's is probed here.
 */
async function encodableCodecsFor(manifest: Manifest, request: ValidRequest, atLoad: readonly VideoCodecName[]): Promise<readonly VideoCodecName[]> {
  if (typeof globalThis.VideoEncoder !== 'function' || typeof globalThis.VideoFrame !== 'function') throw new WebCodecsUnavailableError();
  const { width, height, fps } = manifest.video;
  const supported = request.fps === fps ? atLoad : await codecsSupported({ width, height, fps: request.fps });
  if (!supported.includes(request.codec)) {
    throw new UnsupportedCodecError(
      request.codec,
      `Codec '${request.codec}' cannot be encoded by this browser at ${width}x${height}, ${request.fps} fps; ` +
        (supported.length > 0 ? `use ${supported.join(' or ')}.` : 'no codec Lantern writes can, so try another browser.'),
    );
  }
  return supported;
}

/** The loaded model: its manifest, its sessions, its tokenizer, and the codecs probed at load. */
export type GenerateInput = { manifest: Manifest; runtime: Runtime; tokenizer: PromptTokenizer; codecs: readonly VideoCodecName[] };

export async function generateClip(
  { manifest, runtime, tokenizer, codecs }: GenerateInput,
  request: ValidRequest,
  ctx: PipelineContext,
): Promise<GenerateResult> {
  const timings = { encodeText: 0, encodeFrames: 0, denoise: 0, decode: 0, encode: 0 };
  const { frames, height, width } = manifest.video;
  let started = performance.now();
  const lap = (phase: keyof typeof timings) => {
    const now = performance.now();
    timings[phase] = now - started;
    started = now;
  };

  const encodableCodecs = await encodableCodecsFor(manifest, request, codecs);
  await ctx.checkpoint('encodeText');
  ctx.onProgress({ phase: 'encodeText', fraction: within('encodeText', 0) });
  const encoded = await encodeText(manifest, runtime, tokenizer, request.prompt, request.negativePrompt);
  try {
    const truncated = {
      ...(encoded.droppedTokens > 0 ? { truncatedWords: encoded.droppedTokens } : {}),
      ...(encoded.droppedNegativeTokens > 0 ? { truncatedNegativeWords: encoded.droppedNegativeTokens } : {}),
    };
    await ctx.checkpoint('encodeText');
    await runtime.denoiser.setText(encoded.text);
    ctx.onProgress({ phase: 'encodeText', fraction: within('encodeText', 1), ...truncated });
    lap('encodeText');

    let encodedFrames: EncodedConditioning = { given: null, editLatent: null };
    if (request.conditioning !== null) {
      await ctx.checkpoint('encodeFrames');
      ctx.onProgress({ phase: 'encodeFrames', fraction: within('encodeFrames', 0) });
      encodedFrames = await conditioningLatent(manifest, runtime, request.conditioning);
      ctx.onProgress({ phase: 'encodeFrames', fraction: within('encodeFrames', 1) });
    }
    lap('encodeFrames');

    await ctx.checkpoint('denoise');
    const { steps } = request;
    ctx.onProgress({ phase: 'denoise', step: 0, steps, fraction: within('denoise', 0) });
    const noise = gaussianNoise(request.seed, latentSize(manifest).elements);
    const strength = request.conditioning?.kind === 'edit' ? request.conditioning.strength : 1;
    const { given, editLatent } = encodedFrames;
    const latent = await sampleLatent(
      runtime.denoiser,
      manifest,
      editLatent === null ? noise : editStart(manifest, editLatent, noise, steps, strength),
      { steps, guidance: request.guidance, start: strength, sampler: request.sampler, shift: request.shift },
      async ({ step, x0, evaluations, totalEvaluations }) => {
        ctx.onProgress({ phase: 'denoise', step, steps, fraction: within('denoise', evaluations / totalEvaluations) });
        if (request.previewEvery > 0 && (step % request.previewEvery === 0 || step === steps)) {
          ctx.onPreview({ step, steps, width: manifest.latent.width, height: manifest.latent.height, frames: previewFrames(manifest, x0) });
        }
        await ctx.checkpoint('denoise');
      },
      given,
    );
    runtime.denoiser.clearText();
    lap('denoise');

    await ctx.checkpoint('decode');
    ctx.onProgress({ phase: 'decode', fraction: within('decode', 0) });
    const video = await decodeLatent(manifest, runtime, latent);
    const rgba = clipFrames(manifest, request.conditioning, rgbaFrames(video, frames, height, width));
    await ctx.checkpoint('decode');
    ctx.onProgress({ phase: 'decode', fraction: within('decode', 1) });
    lap('decode');

    await ctx.checkpoint('encode');
    ctx.onProgress({ phase: 'encode', frame: 0, frames: rgba.length, fraction: within('encode', 0) });
    const clip = await encodeRgbaClip(
      rgba,
      { width, height },
      {
        fps: request.fps,
        codec: request.codec,
        encodableCodecs,
        signal: ctx.signal,
        provenance: clipProvenance(request, manifest),
        signer: signClipWithInstallKey,
        onProgress: ({ done, total }) => ctx.onProgress({ phase: 'encode', frame: done, frames: total, fraction: within('encode', done / total) }),
      },
    );
    lap('encode');

    return {
      mp4: new Uint8Array(clip.data),
      mimeType: clip.mimeType,
      fileName: clipFileName(request.prompt, request.seed, request.codec),
      frames: rgba,
      givenFrames: request.conditioning?.kind === 'continuation' ? request.conditioning.previous.length : 0,
      width,
      height,
      fps: request.fps,
      seed: request.seed,
      backend: runtime.info.backend,
      codec: request.codec,
      timings,
      contentCredentials: clip.contentCredentials!, // set whenever provenance is given, as it is here
      ...truncated,
    };
  } finally {
    runtime.denoiser.clearText();
    encoded.text.dispose();
  }
}
