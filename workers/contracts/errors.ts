// Errors the engine hands to the UI. comlink carries an error's name, message
// and stack across the worker boundary but not its class, so every class sets
// `this.name` and the UI branches on `err.name` (ENGINE_ERROR_NAMES lists
// them). Messages name the bad value, what is allowed and what to do.

import { C2PA_ERROR_NAMES } from '../provenance/c2pa/errors';
import type { Phase } from './generator';
import { STORE_ERROR_NAMES } from './model-store-errors';

/** A load or a generation can be canceled in any of its phases. */
export type CancelablePhase = Phase;

/** A generation (or one of its phases) stopped because the caller canceled it. */
export class GenerationCanceledError extends Error {
  readonly phase: CancelablePhase;
  constructor(phase: CancelablePhase, detail?: string) {
    super(`Generation was canceled during ${phase}${detail === undefined ? '' : ` (${detail})`}.`);
    this.name = 'GenerationCanceledError';
    this.phase = phase;
  }
}

/** This browser (or worker) has no WebCodecs `VideoEncoder`/`VideoFrame`. */
export class WebCodecsUnavailableError extends Error {
  constructor() {
    super(
      'This browser has no WebCodecs VideoEncoder, so Lantern cannot write MP4 files here. ' +
        'Use a current Chrome, Edge, Firefox (130+) or Safari (26+), or a page served over HTTPS or localhost.',
    );
    this.name = 'WebCodecsUnavailableError';
  }
}

/** A codec name outside VIDEO_CODECS, or one this browser cannot encode at the clip's size. */
export class UnsupportedCodecError extends Error {
  readonly codec: string;
  constructor(codec: string, message: string) {
    super(message);
    this.name = 'UnsupportedCodecError';
    this.codec = codec;
  }
}

/** Frames, sizes or frame rate the video encoder cannot take. */
export class InvalidVideoInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidVideoInputError';
  }
}

/** The browser's encoder or the muxer failed on input that passed validation. */
export class VideoEncodingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VideoEncodingError';
  }
}

/** A model file (manifest, tokenizer or graph shard) could not be fetched. */
export class ModelFileError extends Error {
  readonly url: string;
  /** The HTTP status, or null where the request never got an answer (offline, blocked, bad URL). */
  readonly status: number | null;
  constructor(url: string, status: number | null, detail: string, options?: { cause?: unknown; missing?: boolean }) {
    super(
      `Could not fetch model file ${url}: ${detail}. ` +
        (status === 404 || options?.missing === true
          ? 'The file is missing from the server: check the manifest URL and that the model folder was deployed next to it.'
          : 'Check the network connection and that the server allows this page to read the file, then try again.'),
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'ModelFileError';
    this.url = url;
    this.status = status;
  }
}

/** A downloaded file's size or SHA-256 differs from what the manifest promises. */
export class ModelIntegrityError extends Error {
  readonly url: string;
  readonly expected: string;
  readonly actual: string;
  constructor(url: string, what: 'size' | 'sha256', expected: string, actual: string) {
    super(
      `Model file ${url} is corrupt or not the file the manifest describes: its ${what === 'size' ? 'size is' : 'SHA-256 is'} ` +
        `${actual}, the manifest says ${expected}. Reload to download it again; if it persists, the manifest and the ` +
        'model files on the server are from different exports, so re-export or re-deploy them together.',
    );
    this.name = 'ModelIntegrityError';
    this.url = url;
    this.expected = expected;
    this.actual = actual;
  }
}

/** generate() was called before a model finished loading. */
export class ModelNotLoadedError extends Error {
  constructor() {
    super('No model is loaded. Call load({ manifestUrl }) and wait for it before generate().');
    this.name = 'ModelNotLoadedError';
  }
}

/** A load or generation is already running; the engine runs one at a time. */
export class EngineBusyError extends Error {
  readonly running: 'load' | 'generate';
  constructor(running: 'load' | 'generate', requested: 'load' | 'generate') {
    super(
      `Cannot ${requested === 'load' ? 'load a model' : 'start a generation'} while a ${running === 'load' ? 'model load' : 'generation'} ` +
        'is running. Wait for it to finish, or call cancel() first.',
    );
    this.name = 'EngineBusyError';
    this.running = running;
  }
}

/** A generate or load request field outside what the model or the engine supports. */
export class InvalidRequestError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = 'InvalidRequestError';
    this.field = field;
  }
}

/** The request asks for frame conditioning (image-to-video, continuation) that the loaded model was not trained for. */
export class ConditioningUnsupportedError extends Error {
  readonly kind: string;
  constructor(kind: string, model: string) {
    const what: Record<string, [string, string]> = {
      image: ['start a clip from an image', 'imageToVideo'],
      continuation: ['continue a clip', 'continuation'],
      edit: ['edit a clip', 'editing'],
    };
    const [does, block] = what[kind] ?? [`do '${kind}'`, kind];
    super(
      `${model} cannot ${does}: its manifest has no conditioning.${block} block (or no encoder graph). ` +
        'Leave conditioning out to generate from the prompt alone, or load a model that supports it.',
    );
    this.name = 'ConditioningUnsupportedError';
    this.kind = kind;
  }
}

/** A picked or dropped file is not an image Lantern can use: empty, not an image, or too large to decode. */
export class ImageInputError extends Error {
  readonly fileName: string;
  constructor(fileName: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageInputError';
    this.fileName = fileName;
  }
}

/** A video file to extend could not be read: empty, not MP4/WebM/QuickTime, no video track, or frames that do not decode. */
export class VideoInputError extends Error {
  readonly fileName: string;
  constructor(fileName: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VideoInputError';
    this.fileName = fileName;
  }
}

/** A storyboard that cannot be rendered: not a JSON array of shots, too many shots, or a shot with bad fields. */
export class StoryboardError extends Error {
  /** The shot at fault (0-based), or null for the storyboard as a whole. */
  readonly shot: number | null;
  constructor(shot: number | null, message: string) {
    super(shot === null ? message : `Shot ${shot + 1}: ${message}`);
    this.name = 'StoryboardError';
    this.shot = shot;
  }
}

/** WebGPU was asked for (backend: 'webgpu') but this browser or GPU cannot run the model with it. */
export class WebGpuUnavailableError extends Error {
  constructor(reason: string) {
    super(`WebGPU cannot run this model here: ${reason}. Choose backend 'auto' or 'wasm' to run on the CPU instead.`);
    this.name = 'WebGpuUnavailableError';
  }
}

/** The GPU device was lost (driver reset, GPU removed, too much memory) while the engine used it. */
export class GpuDeviceLostError extends Error {
  constructor(reason: string, message: string) {
    super(
      `The GPU device was lost (${reason}${message === '' ? '' : `: ${message}`}). Generate again: the engine ` +
        'creates a new device and sessions. If it keeps happening, close other GPU-heavy tabs or choose the WASM backend.',
    );
    this.name = 'GpuDeviceLostError';
  }
}

/** onnxruntime failed to create a session or to run a graph on input that passed validation. */
export class InferenceError extends Error {
  readonly graph: string;
  constructor(graph: string, message: string, options?: { cause?: unknown }) {
    super(`Graph '${graph}': ${message}`, options);
    this.name = 'InferenceError';
    this.graph = graph;
  }
}

/** An MP4 Lantern was to stamp with provenance (XMP) is not a well-formed ISO base media file. */
export class XmpFormatError extends Error {
  constructor(detail: string) {
    super(`Cannot write or read XMP in this file: ${detail}. Encode the clip again; an MP4 from Lantern's encoder always has whole boxes.`);
    this.name = 'XmpFormatError';
  }
}

export const ENGINE_ERROR_NAMES = [
  'GenerationCanceledError',
  'WebCodecsUnavailableError',
  'UnsupportedCodecError',
  'InvalidVideoInputError',
  'VideoEncodingError',
  'ModelFileError',
  'ModelIntegrityError',
  'ModelNotLoadedError',
  'EngineBusyError',
  'InvalidRequestError',
  'ConditioningUnsupportedError',
  'ImageInputError',
  'VideoInputError',
  'StoryboardError',
  'WebGpuUnavailableError',
  'GpuDeviceLostError',
  'InferenceError',
  'XmpFormatError',
  // Defined beside the code that throws them (workers/model-files, workers/engine, workers/contracts/model-store-errors.ts).
  'ManifestError',
  'InvalidSeedError',
  'InvalidSamplerSettingsError',
  'EmptyPromptError',
  'TokenizerError',
  ...STORE_ERROR_NAMES,
  ...C2PA_ERROR_NAMES,
] as const;
export type EngineErrorName = (typeof ENGINE_ERROR_NAMES)[number];
