// The one typed interface between the UI and the engine. The engine
// implements `Generator` inside the worker (workers/engine/); the comlink
// proxy satisfies it on the main thread (src/engine-client.ts), and the page
// exposes it to scripts as `window.lantern` (documented in README.md).
// Everything that crosses the boundary is structured-clonable: no classes,
// errors travel as { name, message } and the UI branches on `name`
// (workers/contracts/errors.ts lists the names).

import { ATTENTION_PATHS, BACKEND_CHOICES, BACKENDS, PHASES, SAMPLERS, SPEEDS, VIDEO_CODECS } from './choices.mjs';
import type { ContentCredentials, ProvenanceChoices } from './provenance';

export { ATTENTION_PATHS, BACKEND_CHOICES, BACKENDS, PHASES, SAMPLERS, SPEEDS, VIDEO_CODECS };

export type Backend = (typeof BACKENDS)[number];
/** 'auto' picks WebGPU where the browser has a usable GPU adapter, else WASM (and says why). */
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type VideoCodecName = (typeof VIDEO_CODECS)[number];
export const DEFAULT_VIDEO_CODEC: VideoCodecName = 'avc';
export type SamplerName = (typeof SAMPLERS)[number];
/** The sampler of a model whose manifest names none, and that recipes written before samplers used. */
export const DEFAULT_SAMPLER: SamplerName = 'euler';
export type Speed = (typeof SPEEDS)[number];
/** More steps than this is a typo, not a setting: flow matching converges in tens (requests, recipes, manifests). */
export const MAX_STEPS = 1000;
/** A shift beyond this puts every step but the last at t = 1 (requests, recipes, manifests). */
export const MAX_SHIFT = 100;
/** A sampler, its steps and the schedule's shift: a Speed preset, or a model's default. */
export type SamplerSetting = { sampler: SamplerName; steps: number; shift: number };
export type Phase = (typeof PHASES)[number];
export type AttentionPath = (typeof ATTENTION_PATHS)[number];
/** The phases of a generation, each timed in GenerateResult.timings. */
export type GenerationPhase = Exclude<Phase, 'load'>;

export function isBackendChoice(value: unknown): value is BackendChoice {
  return typeof value === 'string' && (BACKEND_CHOICES as readonly string[]).includes(value);
}

export function isVideoCodec(value: unknown): value is VideoCodecName {
  return typeof value === 'string' && (VIDEO_CODECS as readonly string[]).includes(value);
}

export function isSampler(value: unknown): value is SamplerName {
  return typeof value === 'string' && (SAMPLERS as readonly string[]).includes(value);
}

export type BackendInfo = {
  backend: Backend;
  /** Why this backend: "WebGPU adapter: nvidia ...", "no WebGPU in this browser (navigator.gpu missing)", "chosen by the user". */
  reason: string;
  /** For WebGPU: whether our attention kernels use subgroups. */
  attentionPath?: AttentionPath;
  /** Something the user should know about this choice, e.g. WebGPU chosen on a CPU implementation of it. */
  warning?: string;
};

export type LoadRequest = {
  /** URL of the model manifest (models-manifest format v1). */
  manifestUrl: string;
  backend?: BackendChoice;
};

export type ModelInfo = {
  id: string;
  /** The manifest's version: with id and backend, what makes a recipe's frames again. */
  version: string;
  name: string;
  /** What the model makes: clips are this size; frames and fps are the defaults. */
  width: number;
  height: number;
  frames: number;
  fps: number;
  maxPromptWords: number;
  /** What a request without a sampler gets (the manifest's sampler.defaultSampler; 'euler' where it names none). */
  defaultSampler: SamplerName;
  /** The steps a request without steps gets. */
  defaultSteps: number;
  /** The schedule shift a request without one gets (the manifest's sampler.defaultShift). */
  defaultShift: number;
  /** The model's own schedule shift (manifest sampler.shift): what clips made before shifts were chosen used. */
  scheduleShift: number;
  defaultGuidance: number;
  /** The page's Speed presets for this model (the manifest's sampler.speeds); one of them is the default. */
  speeds: Record<Speed, SamplerSetting>;
  backend: BackendInfo;
  /**
   * The video codecs this browser's WebCodecs can encode the model's clips
   * in (its size, at its fps), in VIDEO_CODECS order; empty where
   * the browser has no WebCodecs.
   */
  codecs: VideoCodecName[];
  /** Frame-conditioned generation this model supports. */
  conditioning: {
    /** Whether a clip can start from an image. */
    image: boolean;
    /** The most latent frames a continuation can take from the clip so far; 0: the model cannot continue clips. */
    continuationLatentFrames: number;
    /** Video frames per latent frame: a continuation taking k latent frames adds frames - k x this new frames. */
    framesPerLatentFrame: number;
    /** Editing a clip: the strength used when the request names none (the manifest's); null: the model cannot edit clips. */
    editStrength: number | null;
  };
};

/**
 * Frames the clip starts from. Every frame is RGBA, exactly the model's
 * width x height (ModelInfo), values 0-255; the page's fitImage() and
 * readVideoFrames() fit other sizes by cover-crop.
 *
 * - image: one frame; the clip starts from it (image-to-video).
 * - continuation: the clip so far, every frame of it (at most
 *   MAX_CONDITIONING_SECONDS at the model's fps). The new clip's first
 *   `latentFrames` latent frames (default 1, at most
 *   ModelInfo.conditioning.continuationLatentFrames) are the encoder's
 *   latent of the clip's last frames, and the result is the given frames
 *   followed by the new ones (frames - latentFrames x framesPerLatentFrame
 *   of them).
 * - edit: a whole clip of the model's frame count to edit. Its latent is
 *   re-noised to `strength` (in (0, 1]; default ModelInfo.conditioning.editStrength:
 *   how much may change, 1 = a new clip) and denoised under the request's
 *   prompt with its seed, so what the prompt does not change (layout,
 *   motion) tends to stay. The result is a clip of the same length.
 */
export type ConditioningFrames =
  | { kind: 'image'; frames: Uint8ClampedArray[] }
  | { kind: 'continuation'; frames: Uint8ClampedArray[]; latentFrames?: number }
  | { kind: 'edit'; frames: Uint8ClampedArray[]; strength?: number };

/** The longest clip a continuation may be given (and so, with its new frames, about the longest clip Lantern makes). */
export const MAX_CONDITIONING_SECONDS = 120;

export type GenerateRequest = {
  prompt: string;
  negativePrompt?: string;
  /** Integer 0 .. 2^32-1; same seed, prompt, model and backend give the same frames. */
  seed: number;
  /**
   * How the flow is integrated (SAMPLERS): 'euler' (one denoiser call a step), 'heun' (second order,
   * two calls a step but one on the last) or 'dpmpp2m' (DPM-Solver++(2M), second order at one call a step).
   * Default: the model's (ModelInfo.defaultSampler).
   */
  sampler?: SamplerName;
  steps?: number;
  /**
   * How the steps are spread over the noise levels: t' = shift t / (1 + (shift - 1) t), so a shift above 1
   * spends more steps at high noise. Default: the model's (ModelInfo.defaultShift).
   */
  shift?: number;
  guidance?: number;
  /** Must equal the model's frame count (this model makes one length). */
  frames?: number;
  fps?: number;
  /** Defaults to 'avc' (H.264); ModelInfo.codecs lists what this browser can encode. */
  codec?: VideoCodecName;
  conditioning?: ConditioningFrames;
  /** Send a preview every this many denoising steps (0: none). */
  previewEvery?: number;
  /** The visible mark and whether the recipe goes into the file (default: mark on, recipe out). */
  provenance?: Partial<ProvenanceChoices>;
};

/** Progress, by phase; `fraction` (0..1 over the whole generation) never goes backwards. */
export type Progress =
  | { phase: 'load'; loadedBytes: number; totalBytes: number; fraction: number }
  | { phase: 'encodeText'; fraction: number; truncatedWords?: number; truncatedNegativeWords?: number }
  | { phase: 'encodeFrames'; fraction: number }
  | { phase: 'denoise'; step: number; steps: number; fraction: number }
  | { phase: 'decode'; fraction: number }
  | { phase: 'encode'; frame: number; frames: number; fraction: number };

// Progress carries every phase of PHASES and no other: a phase added to one and not the other fails to compile.
type SamePhases = [Progress['phase']] extends [Phase] ? ([Phase] extends [Progress['phase']] ? true : never) : never;
const _progressCoversPhases: SamePhases = true;
void _progressCoversPhases;

/** A cheap decode of the current clean-clip estimate, for the live preview. */
export type Preview = { step: number; steps: number; width: number; height: number; frames: Uint8ClampedArray[] };

export type GenerateResult = {
  mp4: Uint8Array;
  mimeType: string;
  fileName: string;
  /** Decoded RGBA frames, width x height each; for a continuation, the given frames and then the new ones. */
  frames: Uint8ClampedArray[];
  /** For a continuation: how many of `frames` were given (the rest are new); 0 otherwise. */
  givenFrames: number;
  width: number;
  height: number;
  fps: number;
  seed: number;
  backend: Backend;
  codec: VideoCodecName;
  /** Milliseconds per phase. */
  timings: Record<GenerationPhase, number>;
  /** Whether the clip's C2PA manifest was written (the XMP labels and watermark always are). */
  contentCredentials: ContentCredentials;
  /** Set when the prompt was cut to the model's token limit: how many words (tokens) were dropped. */
  truncatedWords?: number;
  /** The same for the negative prompt. */
  truncatedNegativeWords?: number;
};

export type GenerateCallbacks = {
  onProgress?: (p: Progress) => void;
  onPreview?: (p: Preview) => void;
};

export interface Generator {
  load(request: LoadRequest, onProgress?: (p: Progress) => void): Promise<ModelInfo>;
  generate(request: GenerateRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult>;
  /** Cancels the running load or generation; it rejects with GenerationCanceledError. No-op when idle. */
  cancel(): Promise<void>;
  backend(): Promise<BackendInfo | null>;
}
