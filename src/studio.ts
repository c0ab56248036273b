// The studio's operations on top of the engine: fit an image or read a
// video's frames at the loaded model's size, extend a clip, render a
// storyboard, and cancel whichever runs. The UI (state/generate-state.ts)
// and window.lantern (lantern-global.ts) share one Studio, so a cancel from
// either stops a storyboard between shots as well as inside one.
import { ModelNotLoadedError } from '../workers/contracts/errors';
import type { GenerateCallbacks, GenerateRequest, GenerateResult, ModelInfo } from '../workers/contracts/generator';
import { MAX_CONDITIONING_SECONDS } from '../workers/contracts/generator';
import type { EngineClient } from './engine-client';
import { fitImage, type ImageInput } from './media/fit-image';
import { readVideoFrames } from './media/media-client';
import { renderStoryboard, type StoryboardCallbacks, type StoryboardResult, type StoryboardSettings } from './storyboard/render';

/** A generate request without conditioning, plus how many latent frames the continuation takes (default 1). */
export type ExtendRequest = Omit<GenerateRequest, 'conditioning'> & { latentFrames?: number };

export type Studio = ReturnType<typeof createStudio>;

export function createStudio(client: EngineClient) {
  const storyboards = new Set<AbortController>();
  const model = (): ModelInfo => {
    const state = client.state;
    if (state.status === 'idle' || state.status === 'loading') throw new ModelNotLoadedError();
    return state.model;
  };
  return {
    /** RGBA bytes of an image (file, bitmap, canvas, ImageData) fitted to the model's frame by cover-crop. */
    fitImage: (image: ImageInput): Promise<Uint8ClampedArray> => {
      const { width, height } = model();
      return fitImage(image, { width, height });
    },
    /** The frames of a video file (MP4, WebM, MOV) at the model's size and fps, cover-cropped, for extend(). */
    readVideoFrames: async (file: Blob): Promise<Uint8ClampedArray[]> => {
      const { width, height, fps } = model();
      return (await readVideoFrames(file, { width, height, fps, maxFrames: Math.floor(MAX_CONDITIONING_SECONDS * fps) })).frames;
    },
    /** Continues `clip` (its frames: a result, or readVideoFrames of a file); the result holds the clip and then the new frames. */
    extend: (clip: { frames: Uint8ClampedArray[] }, request: ExtendRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult> => {
      const { latentFrames, ...rest } = request;
      return client.generate(
        { ...rest, conditioning: { kind: 'continuation', frames: clip.frames, ...(latentFrames === undefined ? {} : { latentFrames }) } },
        callbacks,
      );
    },
    /** Renders shots into one continuous clip; cancel() keeps the finished shots (StoryboardResult.canceled). */
    renderStoryboard: async (shots: unknown, settings?: StoryboardSettings, callbacks: StoryboardCallbacks = {}): Promise<StoryboardResult> => {
      const controller = new AbortController();
      const outer = callbacks.signal;
      const onOuterAbort = () => controller.abort();
      outer?.addEventListener('abort', onOuterAbort);
      storyboards.add(controller);
      try {
        const engine = { model: model(), generate: (r: GenerateRequest, c?: GenerateCallbacks) => client.generate(r, c) };
        return await renderStoryboard(engine, shots, settings, { ...callbacks, signal: controller.signal });
      } finally {
        storyboards.delete(controller);
        outer?.removeEventListener('abort', onOuterAbort);
      }
    },
    /** Cancels the running generation and any storyboard (which keeps its finished shots). */
    cancel: async (): Promise<void> => {
      for (const controller of storyboards) controller.abort();
      await client.cancel();
    },
    /** Whether a storyboard is rendering. */
    storyboardRunning: (): boolean => storyboards.size > 0,
  };
}
