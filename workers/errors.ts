// Errors the engine hands to the UI. comlink carries an error's name, message
// and stack across the worker boundary but not its class, so every class sets
// `this.name` and the UI branches on `err.name` (ENGINE_ERROR_NAMES lists
// them). Messages name the bad value, what is allowed and what to do.

/** The phases a generation can be canceled in (a subset grows with the engine). */
export const CANCELABLE_PHASES = ['load', 'encodeText', 'denoise', 'decode', 'encode'] as const;
export type CancelablePhase = (typeof CANCELABLE_PHASES)[number];

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

export const ENGINE_ERROR_NAMES = [
  'GenerationCanceledError',
  'WebCodecsUnavailableError',
  'UnsupportedCodecError',
  'InvalidVideoInputError',
  'VideoEncodingError',
  // Defined beside the code that throws them (workers/model, workers/pipeline).
  'ManifestError',
  'InvalidSeedError',
  'InvalidSamplerSettingsError',
  'EmptyPromptError',
  'TokenizerError',
] as const;
export type EngineErrorName = (typeof ENGINE_ERROR_NAMES)[number];
