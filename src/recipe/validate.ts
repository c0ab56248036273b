// A recipe read from `unknown` (a recipe link's JSON, a stored clip): every
// field is checked and the recipe comes back typed, or a RecipeError names
// the field by its path from the recipe (`recipe.source.parent.recipe.seed`),
// the bad value, what is allowed and the fix.
//
// Unknown fields are rejected, not ignored: recipes are machine-written, so an
// unknown field means a link from a newer Lantern (whose field this one would
// silently drop, making a different clip) or one edited by hand. The version
// is checked before the fields, so a newer recipe says "update the app"
// rather than naming the first new field.
//
// Parent recipes nest (an edit of an extension of a clip ...); at most
// MAX_PARENT_DEPTH generations of them, so a hostile link cannot make the
// validator recurse without end.

import { BACKENDS, DEFAULT_SAMPLER, MAX_SHIFT, MAX_STEPS, SAMPLERS, type SamplerName, VIDEO_CODECS } from '../../workers/contracts/generator';
import { RecipeError, show } from './errors';
import { type ParentClip, RECIPE_VERSION, type Recipe, type RecipeSource, type SourceFile } from './recipe';

/** Longest prompt, negative prompt and edit instruction, in UTF-16 code units (the model reads far fewer words). */
export const MAX_PROMPT = 2000;
/** Longest model id, model version and gallery id. */
export const MAX_NAME = 128;
/** Longest file name (most file systems stop at 255). */
export const MAX_FILE_NAME = 255;
export const MAX_SEED = 0xffff_ffff;
export const MAX_GUIDANCE = 50;
export { MAX_SHIFT, MAX_STEPS }; // as the engine allows
export const MAX_FPS = 120;
/** Latent frames an extension continues from: a few in practice; more than this is not a clip Lantern made. */
export const MAX_LATENT_FRAMES = 1024;
/** Generations of parent recipes a recipe may carry: its parent's, the grandparent's, ... */
export const MAX_PARENT_DEPTH = 8;

// The fields each object may have. Typed as records over the recipe types' keys,
// so a field added to a type and not here (or here and not there) is a type error.
const RECIPE_FIELDS: Record<keyof Recipe, true> = {
  v: true,
  model: true,
  prompt: true,
  negativePrompt: true,
  seed: true,
  sampler: true,
  steps: true,
  shift: true,
  guidance: true,
  fps: true,
  codec: true,
  backend: true,
  source: true,
};
const MODEL_FIELDS: Record<keyof Recipe['model'], true> = { id: true, version: true };
const PARENT_FIELDS: Record<keyof ParentClip, true> = { galleryId: true, recipe: true };
const FILE_FIELDS: Record<keyof SourceFile, true> = { name: true, sha256: true };
const SOURCE_FIELDS: { [K in RecipeSource['kind']]: Record<keyof Extract<RecipeSource, { kind: K }>, true> } = {
  edit: { kind: true, instruction: true, strength: true, parent: true },
  extension: { kind: true, latentFrames: true, parent: true, file: true },
  image: { kind: true, file: true },
};
const SOURCE_KINDS = Object.keys(SOURCE_FIELDS) as RecipeSource['kind'][];

type Fields = Record<string, unknown>;

/** `path.key`, or `path['key']` for a key that is not a plain name (a hostile link's keys can be anything). */
function at(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${show(key)}]`;
}

/** An own property: a value built in code cannot pass a field through its prototype. */
function get(obj: Fields, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function record(value: unknown, path: string, allowed = 'an object'): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RecipeError(path, `is ${show(value)}; it must be ${allowed}.`);
  }
  return value as Fields;
}

function noUnknownFields(obj: Fields, path: string, fields: Record<string, true>, what: string): void {
  for (const key of Object.keys(obj)) {
    if (!Object.hasOwn(fields, key)) {
      throw new RecipeError(
        at(path, key),
        `is not a field of ${what}; it must have only: ${Object.keys(fields).join(', ')}. An unknown field means a recipe from a newer Lantern or one edited by hand.`,
        'Update the app, or copy the link again from the clip.',
      );
    }
  }
}

function text(obj: Fields, key: string, path: string, max: number, nonEmpty: boolean): string {
  const value = get(obj, key);
  const allowed = `a${nonEmpty ? ' non-empty' : ''} string of at most ${max} characters`;
  if (typeof value !== 'string') throw new RecipeError(at(path, key), `is ${show(value)}; it must be ${allowed}.`);
  if (nonEmpty && value === '') throw new RecipeError(at(path, key), `is empty; it must be ${allowed}.`);
  if (value.length > max) throw new RecipeError(at(path, key), `is ${value.length} characters long; it must be ${allowed}.`);
  return value;
}

function integer(obj: Fields, key: string, path: string, min: number, max: number): number {
  const value = get(obj, key);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RecipeError(at(path, key), `is ${show(value)}; it must be an integer from ${min} to ${max}.`);
  }
  return value === 0 ? 0 : value; // -0 becomes 0, as JSON would write it
}

/** A finite number in [min, max], or in (min, max] where `openMin`. */
function number(obj: Fields, key: string, path: string, min: number, max: number, openMin = false): number {
  const value = get(obj, key);
  const inRange = typeof value === 'number' && Number.isFinite(value) && (openMin ? value > min : value >= min) && value <= max;
  if (!inRange) {
    const range = openMin ? `greater than ${min} and at most ${max}` : `from ${min} to ${max}`;
    throw new RecipeError(at(path, key), `is ${show(value)}; it must be a finite number ${range}.`);
  }
  return value === 0 ? 0 : value;
}

function oneOf<T extends string>(obj: Fields, key: string, path: string, allowed: readonly T[]): T {
  const value = get(obj, key);
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  throw new RecipeError(at(path, key), `is ${show(value)}; it must be one of: ${allowed.map((a) => show(a)).join(', ')}.`);
}

/**
 * The sampler: DEFAULT_SAMPLER where the recipe has none (one written before
 * samplers, which were all Euler); a name this Lantern does not know is, like
 * an unknown field, most likely from a newer Lantern.
 */
function sampler(obj: Fields, path: string): SamplerName {
  const value = get(obj, 'sampler');
  if (value === undefined) return DEFAULT_SAMPLER;
  if ((SAMPLERS as readonly unknown[]).includes(value)) return value as SamplerName;
  throw new RecipeError(
    at(path, 'sampler'),
    `is ${show(value)}; it must be one of: ${SAMPLERS.map((s) => show(s)).join(', ')}. Another name means a recipe from a newer Lantern or one edited by hand.`,
    'Update the app, or copy the link again from the clip.',
  );
}

function sourceFile(value: unknown, path: string): SourceFile {
  const f = record(value, path, 'an object like { "name": "cat.png", "sha256": "<64 hex digits>" }');
  noUnknownFields(f, path, FILE_FIELDS, 'a source file');
  const name = text(f, 'name', path, MAX_FILE_NAME, true);
  const sha256 = get(f, 'sha256');
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) {
    throw new RecipeError(at(path, 'sha256'), `is ${show(sha256)}; it must be the file's SHA-256 as 64 lowercase hex digits.`);
  }
  return { name, sha256 };
}

function parentClip(value: unknown, path: string, depth: number): ParentClip {
  const p = record(value, path, 'an object like { "galleryId": null, "recipe": null }');
  noUnknownFields(p, path, PARENT_FIELDS, 'a parent clip');
  const galleryId = get(p, 'galleryId') === null ? null : text(p, 'galleryId', path, MAX_NAME, true);
  const recipe = get(p, 'recipe');
  return { galleryId, recipe: recipe === null ? null : recipeAt(recipe, at(path, 'recipe'), depth + 1) };
}

function source(value: unknown, path: string, depth: number): RecipeSource | null {
  if (value === null) return null;
  const s = record(value, path, `null (text-to-video) or an object whose kind is one of: ${SOURCE_KINDS.join(', ')}`);
  const kind = oneOf(s, 'kind', path, SOURCE_KINDS);
  noUnknownFields(s, path, SOURCE_FIELDS[kind], `an ${kind} source`);
  switch (kind) {
    case 'edit':
      return {
        kind,
        instruction: text(s, 'instruction', path, MAX_PROMPT, false),
        strength: number(s, 'strength', path, 0, 1, true),
        parent: parentClip(get(s, 'parent'), at(path, 'parent'), depth),
      };
    case 'extension': {
      const parent = get(s, 'parent');
      const file = get(s, 'file');
      return {
        kind,
        latentFrames: integer(s, 'latentFrames', path, 1, MAX_LATENT_FRAMES),
        parent: parent === null ? null : parentClip(parent, at(path, 'parent'), depth),
        file: file === null ? null : sourceFile(file, at(path, 'file')),
      };
    }
    case 'image':
      return { kind, file: sourceFile(get(s, 'file'), at(path, 'file')) };
  }
}

function recipeAt(value: unknown, path: string, depth: number): Recipe {
  if (depth > MAX_PARENT_DEPTH) {
    throw new RecipeError(
      path,
      `is a parent recipe ${depth} generations back; a recipe must carry at most ${MAX_PARENT_DEPTH} generations of parent recipes.`,
      `Copy the link again from a clip with at most ${MAX_PARENT_DEPTH} edits or extensions behind it.`,
    );
  }
  const r = record(value, path);
  const v = get(r, 'v');
  if (v !== RECIPE_VERSION) {
    if (typeof v === 'number' && Number.isInteger(v) && v > RECIPE_VERSION) {
      throw new RecipeError(
        at(path, 'v'),
        `is ${v}: this recipe was made by a newer Lantern; this one reads recipe version ${RECIPE_VERSION} only.`,
        'Update the app (reload the page) and open the link again.',
      );
    }
    throw new RecipeError(at(path, 'v'), `is ${show(v)}; it must be ${RECIPE_VERSION}.`);
  }
  noUnknownFields(r, path, RECIPE_FIELDS, 'a recipe');
  const modelPath = at(path, 'model');
  const m = record(get(r, 'model'), modelPath, 'an object like { "id": "lantern-tiny", "version": "1.0.0" }');
  noUnknownFields(m, modelPath, MODEL_FIELDS, 'a recipe model');
  return {
    v,
    model: { id: text(m, 'id', modelPath, MAX_NAME, true), version: text(m, 'version', modelPath, MAX_NAME, true) },
    prompt: text(r, 'prompt', path, MAX_PROMPT, false),
    negativePrompt: text(r, 'negativePrompt', path, MAX_PROMPT, false),
    seed: integer(r, 'seed', path, 0, MAX_SEED),
    sampler: sampler(r, path),
    steps: integer(r, 'steps', path, 1, MAX_STEPS),
    shift: get(r, 'shift') == null ? null : number(r, 'shift', path, 0, MAX_SHIFT, true), // none: made before shifts
    guidance: number(r, 'guidance', path, 0, MAX_GUIDANCE),
    fps: integer(r, 'fps', path, 1, MAX_FPS),
    codec: oneOf(r, 'codec', path, VIDEO_CODECS),
    backend: oneOf(r, 'backend', path, BACKENDS),
    source: source(get(r, 'source'), at(path, 'source'), depth),
  };
}

/** Checks a recipe from any source (a link's parsed JSON, a stored clip) and returns a fresh, typed copy; throws RecipeError. */
export function validateRecipe(value: unknown, path = 'recipe'): Recipe {
  return recipeAt(value, path, 0);
}
