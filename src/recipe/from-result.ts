// The recipe of a clip the engine just made: the request's settings with
// the model's defaults filled in, what the result says it used (seed,
// codec, backend), and where it came from. The studio knows the source of
// the requests it makes (an edit's parent and instruction); a request made
// straight on the engine with frames (a script's image or clip) gets a
// source naming those frames by their SHA-256.
import { type GenerateRequest, type GenerateResult, isSampler, type ModelInfo, type SamplerName } from '../../workers/contracts/generator';
import { RECIPE_VERSION, type Recipe, type RecipeSource } from './recipe';
import { MAX_PARENT_DEPTH } from './validate';

export async function recipeOf(request: GenerateRequest, result: GenerateResult, model: ModelInfo, source: RecipeSource | undefined): Promise<Recipe> {
  return {
    v: RECIPE_VERSION,
    model: { id: model.id, version: model.version },
    prompt: request.prompt,
    negativePrompt: request.negativePrompt ?? '',
    seed: result.seed,
    sampler: samplerOf(request, model),
    steps: request.steps ?? model.defaultSteps,
    shift: request.shift ?? model.defaultShift,
    guidance: request.guidance ?? model.defaultGuidance,
    fps: result.fps,
    codec: result.codec,
    backend: result.backend,
    source: capDepth(source ?? (await sourceOfFrames(request, model)), 1),
  };
}

/** The request's sampler (the engine made a clip of it, so it is one it knows), or the model's default, which the engine used. */
function samplerOf(request: GenerateRequest, model: ModelInfo): SamplerName {
  if (request.sampler === undefined) return model.defaultSampler;
  if (!isSampler(request.sampler)) throw new Error(`The engine made a clip with sampler '${request.sampler}', which recipes do not know.`);
  return request.sampler;
}

/**
 * A chain of edits and extensions deeper than a recipe may nest keeps its
 * nearest parents' recipes and drops the rest (that clip is then not
 * reproducible from its recipe alone; its gallery id still names its parent).
 */
function capDepth(source: RecipeSource | null, depth: number): RecipeSource | null {
  if (source === null || source.kind === 'image' || source.parent === null || source.parent.recipe === null) return source;
  const parentRecipe = source.parent.recipe;
  const recipe = depth >= MAX_PARENT_DEPTH ? null : { ...parentRecipe, source: capDepth(parentRecipe.source, depth + 1) };
  return { ...source, parent: { ...source.parent, recipe } };
}

async function sourceOfFrames(request: GenerateRequest, model: ModelInfo): Promise<RecipeSource | null> {
  const c = request.conditioning;
  if (c === undefined) return null;
  const file = { name: c.kind === 'image' ? 'an image given by a script' : 'frames given by a script', sha256: await framesSha256(c.frames) };
  if (c.kind === 'image') return { kind: 'image', file };
  if (c.kind === 'continuation') return { kind: 'extension', latentFrames: c.latentFrames ?? 1, parent: null, file };
  return { kind: 'edit', instruction: '', strength: c.strength ?? model.conditioning.editStrength ?? 1, parent: { galleryId: null, recipe: null } };
}

/** SHA-256 (hex) of RGBA frames one after another: the clip's fingerprint; the same frames give the same one. */
export async function framesSha256(frames: readonly Uint8ClampedArray[]): Promise<string> {
  const total = frames.reduce((n, f) => n + f.byteLength, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const f of frames) {
    all.set(f, at);
    at += f.byteLength;
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
