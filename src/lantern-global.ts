// `window.lantern`: the generator the UI uses, for scripts, embedding pages
// and the CLI (scripts/generate.mjs). Documented in README.md, "Scripting and
// embedding". Calls share the UI's queue, so the page shows their progress.
// The studio's operations (fit an image, read a video, extend, edit,
// variations, storyboard) come from the same Studio the UI uses
// (studio.ts); `rewrite` is the edit panel's instruction rewriter, and
// `gallery` lists what the gallery stores (read-only), `verify` reads a
// video's AI-made labels and `policy` says which policy the page runs under.
import type {
  BackendInfo,
  GenerateCallbacks,
  GenerateRequest,
  GenerateResult,
  Generator,
  LoadRequest,
  ModelInfo,
  Progress,
} from '../workers/contracts/generator';
import type { PolicyState } from './deployment/policy-mode';
import { rewritePrompt } from './edit/rewrite';
import type { EngineClient } from './engine-client';
import type { GalleryListing } from './gallery/gallery';
import type { ImageInput } from './media/fit-image';
import type { StoryboardCallbacks, StoryboardResult, StoryboardSettings } from './storyboard/render';
import type { EditRequest, ExtendRequest, Studio } from './studio';
import type { VariationsCallbacks, VariationsResult } from './variations';
import type { VerifyReport } from './verify/check-file';

export type LanternApi = Generator & {
  /** Resolves with the built-in model once the page's first load finishes; rejects with that load's error. */
  readonly ready: Promise<ModelInfo>;
  /** URL of the manifest the page loads (`/models/lantern-tiny.json`). */
  readonly manifestUrl: string;
  /** RGBA bytes of an image (File, Blob, ImageBitmap, ImageData, canvas) fitted to the model's frame by cover-crop; ImageInputError when it cannot be used. */
  fitImage(image: ImageInput): Promise<Uint8ClampedArray>;
  /** A video file's frames (MP4, WebM, MOV) at the model's size and fps, cover-cropped; VideoInputError when it cannot be read. */
  readVideoFrames(file: Blob): Promise<Uint8ClampedArray[]>;
  /** Continues a clip (a result, or { frames }): the result holds its frames and then the new ones, in one MP4. */
  extend(clip: { frames: Uint8ClampedArray[] }, request: ExtendRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult>;
  /** Renders shots [{ prompt, seed?, image? }] into one continuous MP4; cancel() keeps the finished shots. */
  renderStoryboard(shots: unknown, settings?: StoryboardSettings, callbacks?: StoryboardCallbacks): Promise<StoryboardResult>;
  /** The edited prompt for an instruction on a Shapes World prompt ("make it blue"); a named error when it cannot map it. */
  rewrite(prompt: string, instruction: string): ReturnType<typeof rewritePrompt>;
  /** Edits a clip of the model's length (a result, or { frames }): re-noised to `strength`, denoised under `request.prompt`. */
  edit(clip: { frames: Uint8ClampedArray[] }, request: EditRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult>;
  /** 2 to 4 clips of one request, seeds request.seed, +1, ...; cancel() stops the set and keeps the finished clips. */
  variations(request: GenerateRequest, count: number, callbacks?: VariationsCallbacks): Promise<VariationsResult>;
  /** What the gallery stores, newest first, and the records it could not read (read-only). */
  gallery(): Promise<GalleryListing>;
  /** The AI-made labels of any MP4, MOV or WebM (XMP, C2PA, the watermark) and what each means; offline. */
  verify(file: Blob): Promise<VerifyReport>;
  /** The policy the page runs under (read-only: strict mode cannot be turned off from the page). */
  policy(): PolicyState;
};

declare global {
  interface Window {
    lantern?: LanternApi;
  }
}

export function installLanternGlobal(
  client: EngineClient,
  studio: Studio,
  ready: Promise<ModelInfo>,
  manifestUrl: string,
  pages: { gallery: () => Promise<GalleryListing>; verify: (file: Blob) => Promise<VerifyReport>; policy: () => PolicyState },
): LanternApi {
  // A rejected `ready` nobody awaited must not show up as an unhandled rejection; the UI shows the error.
  ready.catch(() => undefined);
  const api: LanternApi = Object.freeze({
    ready,
    manifestUrl,
    load: (request: LoadRequest, onProgress?: (p: Progress) => void): Promise<ModelInfo> => client.load(request, onProgress),
    generate: (request: GenerateRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult> => client.generate(request, callbacks),
    cancel: (): Promise<void> => studio.cancel(),
    backend: (): Promise<BackendInfo | null> => client.backend(),
    fitImage: (image: ImageInput) => studio.fitImage(image),
    readVideoFrames: (file: Blob) => studio.readVideoFrames(file),
    extend: (clip: { frames: Uint8ClampedArray[] }, request: ExtendRequest, callbacks?: GenerateCallbacks) => studio.extend(clip, request, callbacks),
    renderStoryboard: (shots: unknown, settings?: StoryboardSettings, callbacks?: StoryboardCallbacks): Promise<StoryboardResult> =>
      studio.renderStoryboard(shots, settings, callbacks),
    rewrite: (prompt: string, instruction: string) => rewritePrompt(prompt, instruction),
    edit: (clip: { frames: Uint8ClampedArray[] }, request: EditRequest, callbacks?: GenerateCallbacks) =>
      studio.edit({ frames: clip.frames }, request, callbacks),
    variations: (request: GenerateRequest, count: number, callbacks?: VariationsCallbacks) => studio.variations(request, count, callbacks),
    gallery: () => pages.gallery(),
    verify: (file: Blob) => pages.verify(file),
    policy: () => pages.policy(),
  });
  window.lantern = api;
  return api;
}
