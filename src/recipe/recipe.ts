// A clip's recipe: everything that, with the same model and backend, makes
// the same frames again. The gallery stores one with every clip, and a
// recipe link (link.ts) carries one instead of the video.
//
// A clip made from another clip (an edit, an extension) names that clip by
// its gallery id and, where the parent is itself reproducible from a
// recipe, carries the parent's recipe too, so a link can rebuild the chain.
// A clip that started from an image or a video file is not reproducible
// from its recipe alone: the file is not in it (its name and sha-256 are).
//
// Fields added since version 1 are read with the value every clip had before
// them, so older links and gallery records still open: a recipe without a
// sampler was made with Euler, one without a shift on the model's own
// schedule shift (ModelInfo.scheduleShift).

import type { Backend, SamplerName, VideoCodecName } from '../../workers/contracts/generator';

export const RECIPE_VERSION = 1;

/** The file a clip started from: an image (image-to-video) or a video (an extension of someone else's clip). */
export type SourceFile = { name: string; sha256: string };

/** The clip a derived clip came from: its gallery id where this browser has it, and its recipe where it has one. */
export type ParentClip = { galleryId: string | null; recipe: Recipe | null };

export type RecipeSource =
  /** Edited by instruction: the parent re-noised to `strength` and denoised under `prompt` with the same seed. */
  | { kind: 'edit'; instruction: string; strength: number; parent: ParentClip }
  /** Extended: the parent clip (or a video file) continued from its last `latentFrames` latent frames. */
  | { kind: 'extension'; latentFrames: number; parent: ParentClip | null; file: SourceFile | null }
  /** Started from an image (a file, or a frame of a clip). */
  | { kind: 'image'; file: SourceFile };

export type Recipe = {
  v: typeof RECIPE_VERSION;
  model: { id: string; version: string };
  prompt: string;
  negativePrompt: string;
  /** Integer 0 .. 2^32-1. */
  seed: number;
  /** How the flow was integrated; recipes written before samplers have none and are read as DEFAULT_SAMPLER ('euler'). */
  sampler: SamplerName;
  steps: number;
  /** The schedule's shift; null in recipes written before shifts were chosen: the model's own (ModelInfo.scheduleShift). */
  shift: number | null;
  guidance: number;
  fps: number;
  codec: VideoCodecName;
  backend: Backend;
  /** null: text-to-video. */
  source: RecipeSource | null;
};

/** Whether the recipe alone makes the clip again (no file it started from is missing). */
export function isReproducible(recipe: Recipe): boolean {
  const s = recipe.source;
  if (s === null) return true;
  if (s.kind === 'image') return false;
  if (s.kind === 'extension' && s.file !== null) return false;
  return s.parent !== null && s.parent.recipe !== null && isReproducible(s.parent.recipe);
}
