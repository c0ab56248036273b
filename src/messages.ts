// Words for the UI. The engine reports numbers and named errors; this file
// turns them into sentences (progress by phase, durations, and for each error
// name a title and what to do next). The engine's message, which names the
// bad value and the allowed set, is always shown under the title.
import type { EngineErrorName } from '../workers/contracts/errors';
import type { BackendInfo, Progress, SamplerName, VideoCodecName } from '../workers/contracts/generator';
import type { ContentCredentials } from '../workers/contracts/provenance';
import type { ClientErrorName } from './engine-client';
import type { PolicyErrorName } from './policy/errors';

export type ErrorText = { title: string; hint: string };

/** Every error name the UI can meet has its words: a name added without them does not compile. */
const ERROR_TEXT: Record<EngineErrorName | ClientErrorName | PolicyErrorName | 'ModelNotAllowedError', ErrorText> = {
  EmptyPromptError: { title: 'Type a prompt first', hint: 'Describe the clip, for example "a red ball bounces on a meadow".' },
  InvalidSamplerSettingsError: { title: 'Check the settings', hint: 'Fix the sampler, steps, shift or guidance, then press Generate again.' },
  InvalidSeedError: { title: 'Check the seed', hint: 'Use a whole number from 0 to 4294967295, or press Random.' },
  InvalidVideoInputError: { title: 'The model cannot make that clip', hint: 'Keep the frame count and frame rate at the model defaults.' },
  TokenizerError: { title: 'The prompt could not be read', hint: "The model's tokenizer file looks broken; reload the page." },
  ManifestError: { title: 'The model files are not usable', hint: 'Reload the page; if this repeats, the model needs to be exported again.' },
  WebCodecsUnavailableError: { title: 'This browser cannot write video', hint: 'Use a current Chrome, Edge, Firefox or Safari.' },
  UnsupportedCodecError: { title: 'That video codec is not available here', hint: 'Choose H.264 (the default).' },
  VideoEncodingError: { title: 'Writing the video failed', hint: 'Press Generate to try again; if it repeats, reload the page.' },
  EngineCrashedError: { title: 'The engine stopped', hint: 'Press Generate to try again; reload the page if it repeats.' },
  EngineUnresponsiveError: { title: 'The engine stopped responding', hint: 'Press Generate to try again, or switch the backend to WASM.' },
  GpuDeviceLostError: { title: 'The GPU was lost', hint: 'Lantern restarted the engine; press Generate to try again, or switch the backend to WASM.' },
  WebGpuUnavailableError: { title: 'WebGPU cannot run the model here', hint: 'Choose the Automatic or WASM backend.' },
  ModelFileError: { title: 'A model file could not be downloaded', hint: 'Check the connection and that the Lantern server is running, then reload the page.' },
  ModelIntegrityError: { title: 'A model file is damaged', hint: 'Reload the page to download it again.' },
  InvalidRequestError: { title: 'Check the settings', hint: 'Fix the value named above, then press Generate again.' },
  InferenceError: { title: 'The model failed to run', hint: 'Press Generate to try again, or switch the backend to WASM.' },
  EngineBusyError: { title: 'The engine is busy', hint: 'Wait for the current run to finish, or press Cancel.' },
  ModelNotLoadedError: { title: 'No model is loaded', hint: 'Reload the page to load the built-in model.' },
  GenerationCanceledError: { title: 'Canceled', hint: 'Press Generate to start again.' },
  ModelUnavailableOfflineError: {
    title: 'The model is not available offline',
    hint: 'Connect to the network and reload the page; once stored, the model loads offline.',
  },
  StorageQuotaError: {
    title: 'Not enough storage for the model',
    hint: 'Delete models you do not need on the Models screen, or free disk space, then try again.',
  },
  ModelStoreUnavailableError: {
    title: 'Models cannot be kept in this browser',
    hint: 'Allow site data for this page (or leave private browsing); until then the model downloads on every visit.',
  },
  ModelDownloadCanceledError: { title: 'Download canceled', hint: 'Press Resume on the Models screen to continue where it stopped.' },
  ModelNotStoredError: { title: 'That model is not stored', hint: 'Add it on the Models screen first.' },
  ConditioningUnsupportedError: { title: 'This model cannot start from frames', hint: 'Remove the start image or generate a new clip instead of extending.' },
  ImageInputError: { title: 'That image cannot be used', hint: 'Pick a PNG, JPEG, GIF or WebP image of at most 40 megapixels.' },
  VideoInputError: { title: 'That video cannot be extended', hint: 'Pick an MP4 or WebM file whose video plays in this browser.' },
  StoryboardError: { title: 'Check the storyboard', hint: 'Fix the shot named above; the storyboard is kept as it was.' },
  XmpFormatError: { title: 'The clip could not be labelled', hint: 'Press Generate to try again; Lantern does not hand out a clip without its AI-made label.' },
  PolicyRefusalError: { title: 'Lantern will not make that clip', hint: 'Change the words named in the message above, then press Generate again.' },
  OutputRefusalError: { title: 'The clip was withheld', hint: 'Try a different prompt or seed.' },
  ModelNotAllowedError: { title: 'That model is not allowed here', hint: 'Use the built-in model, or ask whoever set up this page.' },
  C2paUnavailableError: { title: 'Content Credentials are not available', hint: 'Reload the page while online once so the C2PA library is cached.' },
  C2paIdentityError: {
    title: 'The signing key could not be kept',
    hint: 'Allow this site to store data (leave private browsing, free disk space), then try again.',
  },
  C2paSigningError: { title: 'The clip could not be signed', hint: 'Press Generate to try again; the clip still carries its XMP labels and watermark.' },
  C2paReadError: { title: 'Content Credentials could not be read', hint: 'Check that the file is a whole MP4 or WebM.' },
};

/**
 * What the user is told when a clip came out without its C2PA manifest (or
 * with a new signing key); null when there is nothing to say.
 */
export function contentCredentialsNotice(credentials: ContentCredentials): string | null {
  if (credentials.written) return credentials.note ?? null;
  return `This clip has no Content Credentials (C2PA): ${credentials.reason} It still says it is AI-made in its XMP metadata, its invisible watermark and (when on) its badge.`;
}

export function describeError(error: { name: string; message: string }): ErrorText {
  if (Object.hasOwn(ERROR_TEXT, error.name)) return ERROR_TEXT[error.name as keyof typeof ERROR_TEXT];
  if (error.name === 'TypeError' && /fetch|network/i.test(error.message)) {
    return { title: 'The model could not be downloaded', hint: 'Check that the Lantern server is still running and reachable, then reload the page.' };
  }
  return { title: `Something went wrong (${error.name})`, hint: 'Press Generate to try again; if it repeats, reload the page or switch the backend.' };
}

const PHASE_LABEL: Record<Progress['phase'], string> = {
  load: 'Loading the model',
  encodeText: 'Reading the prompt',
  encodeFrames: 'Reading the given frames',
  denoise: 'Denoising',
  decode: 'Decoding frames',
  encode: 'Writing the MP4',
};

export const PHASE_SHORT: Record<Progress['phase'], string> = {
  load: 'Load',
  encodeText: 'Text',
  encodeFrames: 'Frames',
  denoise: 'Denoise',
  decode: 'Decode',
  encode: 'Encode',
};

export function describeProgress(progress: Progress): string {
  switch (progress.phase) {
    case 'load':
      return progress.totalBytes > 0 ? `${PHASE_LABEL.load}: ${formatBytes(progress.loadedBytes)} of ${formatBytes(progress.totalBytes)}` : PHASE_LABEL.load;
    case 'denoise':
      return `${PHASE_LABEL.denoise}: step ${progress.step} of ${progress.steps}`;
    case 'encode':
      return `${PHASE_LABEL.encode}: frame ${progress.frame} of ${progress.frames}`;
    default:
      return PHASE_LABEL[progress.phase];
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 120) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function describeBackend(info: BackendInfo): string {
  if (info.backend === 'webgpu') {
    return info.attentionPath === undefined ? 'WebGPU' : `WebGPU (${info.attentionPath})`;
  }
  return 'WASM';
}

/** Names people know the codecs by; every clip is an MP4 file. */
export const CODEC_LABEL: Record<VideoCodecName, string> = { avc: 'H.264', vp9: 'VP9', av1: 'AV1' };

/** The samplers by the names papers and other tools give them. */
export const SAMPLER_LABEL: Record<SamplerName, string> = { euler: 'Euler', heun: 'Heun', dpmpp2m: 'DPM++ 2M' };

/**
 * Tokens as the model's word-level tokenizer splits text (whitespace, then
 * runs of punctuation, then single digits), for the live word counter. The
 * engine's count is the authority; this one only warns early.
 */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{M}]+|\p{N}|[^\s\p{L}\p{M}\p{N}]+/gu)?.length ?? 0;
}
