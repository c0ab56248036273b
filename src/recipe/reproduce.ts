// Makes a recipe's clip again. With the same model (id and version) and the
// same backend, the frames are the same: the seed fixes the noise and the
// engine's maths is deterministic. A derived clip is made by making its
// parent first (from the parent's recipe), then editing or extending it,
// exactly as it was made. A recipe that started from a file it does not
// carry (an image, someone else's video) cannot be made again: it says
// which file it needs.
import type { GenerateCallbacks, GenerateRequest, GenerateResult, ModelInfo } from '../../workers/contracts/generator';
import type { ClipLineage, EditRequest, ExtendRequest } from '../studio';
import { isReproducible, type Recipe } from './recipe';

/** The recipe names a model other than the loaded one. */
export class RecipeModelError extends Error {
  readonly needed: Recipe['model'];
  constructor(needed: Recipe['model'], loaded: { id: string; version: string } | null) {
    super(
      `This clip was made with model '${needed.id}' version ${needed.version}, but ` +
        (loaded === null ? 'no model is loaded. ' : `'${loaded.id}' version ${loaded.version} is loaded. `) +
        `Add '${needed.id}' (version ${needed.version}) on the Models screen and use it, then make the clip again.`,
    );
    this.name = 'RecipeModelError';
    this.needed = needed;
  }
}

/** The recipe started from a file (an image, a video) that recipes do not carry. */
export class RecipeNotReproducibleError extends Error {
  constructor(recipe: Recipe) {
    const file = missingFile(recipe);
    super(
      `This clip started from ${file === null ? 'a clip this recipe does not carry' : `the file '${file.name}' (sha-256 ${file.sha256.slice(0, 12)}…)`}, ` +
        'and a recipe link carries only settings, not files. The form is filled in; add the same start image or video to make it again.',
    );
    this.name = 'RecipeNotReproducibleError';
  }
}

function missingFile(recipe: Recipe): { name: string; sha256: string } | null {
  const s = recipe.source;
  if (s === null) return null;
  if (s.kind === 'image') return s.file;
  if (s.kind === 'extension' && s.file !== null) return s.file;
  return s.parent?.recipe ? missingFile(s.parent.recipe) : null;
}

/**
 * The generate request a recipe's own step makes (no conditioning), for
 * `model` (a recipe from before shifts were chosen used its own schedule shift).
 */
export function recipeRequest(recipe: Recipe, model: Pick<ModelInfo, 'scheduleShift'>): GenerateRequest {
  return {
    prompt: recipe.prompt,
    ...(recipe.negativePrompt === '' ? {} : { negativePrompt: recipe.negativePrompt }),
    seed: recipe.seed,
    sampler: recipe.sampler,
    steps: recipe.steps,
    shift: recipe.shift ?? model.scheduleShift,
    guidance: recipe.guidance,
    fps: recipe.fps,
    codec: recipe.codec,
    previewEvery: 1,
  };
}

/** A sentence when the recipe was made on another backend (its frames then differ slightly); null when it is the same. */
export function backendNote(recipe: Recipe, model: ModelInfo): string | null {
  if (recipe.backend === model.backend.backend) return null;
  return `This clip was made on ${recipe.backend === 'webgpu' ? 'WebGPU' : 'WASM'}; this page runs ${model.backend.backend === 'webgpu' ? 'WebGPU' : 'WASM'}, so the frames will be close but not bit-for-bit the same.`;
}

export type ReproduceEngine = {
  model(): ModelInfo;
  generate(request: GenerateRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult>;
  edit(clip: { frames: Uint8ClampedArray[] } & ClipLineage, request: EditRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult>;
  extend(clip: { frames: Uint8ClampedArray[] } & ClipLineage, request: ExtendRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult>;
};

export async function reproduce(engine: ReproduceEngine, recipe: Recipe, callbacks?: GenerateCallbacks): Promise<GenerateResult> {
  const model = engine.model();
  if (model.id !== recipe.model.id || model.version !== recipe.model.version) throw new RecipeModelError(recipe.model, model);
  if (!isReproducible(recipe)) throw new RecipeNotReproducibleError(recipe);
  const source = recipe.source;
  if (source === null) return engine.generate(recipeRequest(recipe, engine.model()), callbacks);
  if (source.kind === 'image') throw new RecipeNotReproducibleError(recipe);
  const parentRecipe = source.parent?.recipe ?? null;
  if (parentRecipe === null) throw new RecipeNotReproducibleError(recipe);
  const parent = await reproduce(engine, parentRecipe, callbacks);
  const lineage = { frames: parent.frames, parent: { galleryId: null, recipe: parentRecipe } };
  if (source.kind === 'edit')
    return engine.edit(lineage, { ...recipeRequest(recipe, engine.model()), strength: source.strength, instruction: source.instruction }, callbacks);
  return engine.extend(lineage, { ...recipeRequest(recipe, engine.model()), latentFrames: source.latentFrames }, callbacks);
}
