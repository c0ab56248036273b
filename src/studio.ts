// The studio's operations on top of the engine: fit an image or read a
// video's frames at the loaded model's size, extend or edit a clip, render a
// storyboard or a set of variations, make a recipe's clip again, and cancel
// whichever runs. The UI (state/generate-state.ts) and window.lantern
// (lantern-global.ts) share one Studio, so a cancel from either stops a
// storyboard or a set of variations between clips as well as inside one.
//
// Where a clip came from (the clip it edits or extends, the instruction) is
// not in the engine's request; the studio remembers it per request
// (`sourceOf`), so the gallery can store it in the clip's recipe.
import { ModelNotLoadedError } from '../workers/contracts/errors';
import type { GenerateCallbacks, GenerateRequest, GenerateResult, ModelInfo } from '../workers/contracts/generator';
import { MAX_CONDITIONING_SECONDS } from '../workers/contracts/generator';
import { DEFAULT_PROVENANCE_CHOICES, type ProvenanceChoices } from '../workers/contracts/provenance';
import type { RequestGuard } from './deployment/guard';
import type { EngineClient } from './engine-client';
import { fitImage, type ImageInput } from './media/fit-image';
import { readVideoFrames } from './media/media-client';
import type { ParentClip, RecipeSource } from './recipe/recipe';
import { renderStoryboard, type StoryboardCallbacks, type StoryboardResult, type StoryboardSettings } from './storyboard/render';
import { renderVariations, type VariationsCallbacks, type VariationsResult } from './variations';

/** A generate request without conditioning, plus how many latent frames the continuation takes (default 1). */
export type ExtendRequest = Omit<GenerateRequest, 'conditioning'> & { latentFrames?: number };

/**
 * An edit: the edited prompt (lantern.rewrite turns an instruction into
 * one), usually the clip's own seed, and how much may change (default: the
 * model's ModelInfo.conditioning.editStrength).
 */
export type EditRequest = Omit<GenerateRequest, 'conditioning'> & { strength?: number; instruction?: string };

/** What the studio knows about a clip it is given: its gallery id and recipe, when it has them. */
export type ClipLineage = { parent?: ParentClip };

export type Studio = ReturnType<typeof createStudio>;

export function createStudio(client: EngineClient, guard: RequestGuard | null = null) {
  // Storyboards and sets of variations in progress: cancel() aborts them all.
  const sets = new Set<AbortController>();
  const sources = new WeakMap<GenerateRequest, RecipeSource>();
  const runSet = async <T>(outer: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort();
    outer?.addEventListener('abort', onOuterAbort);
    sets.add(controller);
    try {
      return await run(controller.signal);
    } finally {
      sets.delete(controller);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  };
  const generateFrom = (request: GenerateRequest, source: RecipeSource, callbacks?: GenerateCallbacks): Promise<GenerateResult> => {
    sources.set(request, source);
    return client.generate(request, callbacks);
  };
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
    extend: (clip: { frames: Uint8ClampedArray[] } & ClipLineage, request: ExtendRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult> => {
      const { latentFrames, ...rest } = request;
      const generateRequest: GenerateRequest = {
        ...rest,
        conditioning: { kind: 'continuation', frames: clip.frames, ...(latentFrames === undefined ? {} : { latentFrames }) },
      };
      return generateFrom(generateRequest, { kind: 'extension', latentFrames: latentFrames ?? 1, parent: clip.parent ?? null, file: null }, callbacks);
    },
    /**
     * Edits `clip` (a result of the model's frame count): its latent is
     * re-noised to `strength` and denoised under `request.prompt`.
     */
    edit: async (clip: { frames: Uint8ClampedArray[] } & ClipLineage, request: EditRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult> => {
      const { strength, instruction, ...rest } = request;
      if (instruction !== undefined && instruction !== '') guard?.checkInstruction(instruction);
      const generateRequest: GenerateRequest = {
        ...rest,
        conditioning: { kind: 'edit', frames: clip.frames, ...(strength === undefined ? {} : { strength }) },
      };
      const used = strength ?? model().conditioning.editStrength ?? 1;
      return generateFrom(
        generateRequest,
        { kind: 'edit', instruction: instruction ?? '', strength: used, parent: clip.parent ?? { galleryId: null, recipe: null } },
        callbacks,
      );
    },
    /** 2 to 4 clips of one request with consecutive seeds; cancel() stops the set and keeps the finished clips. */
    variations: (request: GenerateRequest, count: number, callbacks: VariationsCallbacks = {}): Promise<VariationsResult> =>
      runSet(callbacks.signal, (signal) => renderVariations((r, c) => client.generate(r, c), request, count, { ...callbacks, signal })),
    /** Where a request the studio made came from (an edit's or an extension's parent); undefined for a plain request. */
    sourceOf: (request: GenerateRequest): RecipeSource | undefined => sources.get(request),
    /** Renders shots into one continuous clip; cancel() keeps the finished shots (StoryboardResult.canceled). */
    renderStoryboard: (shots: unknown, settings?: StoryboardSettings, callbacks: StoryboardCallbacks = {}): Promise<StoryboardResult> =>
      runSet(callbacks.signal, (signal) => {
        const engine = {
          model: model(),
          generate: (r: GenerateRequest, c?: GenerateCallbacks) => client.generate(r, c),
          provenance: (asked?: Partial<ProvenanceChoices>) =>
            guard?.provenance({ prompt: '', seed: 0, ...(asked === undefined ? {} : { provenance: asked }) }) ?? {
              ...DEFAULT_PROVENANCE_CHOICES,
              ...asked,
            },
          ...(guard === null ? {} : { checkShots: (prompts: readonly string[]) => guard.checkShots(prompts) }),
        };
        return renderStoryboard(engine, shots, settings, { ...callbacks, signal });
      }),
    /** Cancels the running generation and any storyboard or set of variations (which keep their finished clips). */
    cancel: async (): Promise<void> => {
      for (const controller of sets) controller.abort();
      await client.cancel();
    },
    /** Whether a storyboard or a set of variations is rendering. */
    setRunning: (): boolean => sets.size > 0,
  };
}
