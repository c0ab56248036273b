// A storyboard: shots rendered into one continuous clip, each continuing
// from the one before (render.ts). This file checks a storyboard from any
// source (the panel, window.lantern, the CLI's shots.json) and names the
// shot and field at fault (StoryboardError).
import { StoryboardError } from '../../workers/contracts/errors';

/** More shots than this is a mistake, not a film: 64 shots are over a minute and a half of video. */
export const MAX_SHOTS = 64;
/** Longest prompt kept per shot, in characters (the model reads far fewer words). */
export const MAX_SHOT_PROMPT = 2000;
const MAX_SEED = 0xffff_ffff;

export type Shot = {
  prompt: string;
  /** Integer 0 .. 2^32-1; left out: the storyboard's seed plus the shot's index. */
  seed?: number;
  /** The shot starts from this image (a cut) instead of continuing the shot before: a file, or RGBA at the model's size. */
  image?: Blob | Uint8ClampedArray;
};

const FIELDS = new Set(['prompt', 'seed', 'image']);

/** Checks a storyboard (a parsed JSON value or the panel's shots); returns the shots or throws StoryboardError. */
export function parseShots(value: unknown): Shot[] {
  if (!Array.isArray(value)) {
    throw new StoryboardError(null, `A storyboard must be a JSON array of shots like [{ "prompt": "a red ball rolls left" }]; got ${describe(value)}.`);
  }
  if (value.length === 0) throw new StoryboardError(null, 'The storyboard has no shots. Add at least one shot with a prompt.');
  if (value.length > MAX_SHOTS) {
    throw new StoryboardError(null, `The storyboard has ${value.length} shots; Lantern renders at most ${MAX_SHOTS}. Split it into several storyboards.`);
  }
  return value.map((shot, i) => parseShot(shot, i));
}

function parseShot(value: unknown, i: number): Shot {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StoryboardError(i, `must be an object like { "prompt": "...", "seed": 7 }; got ${describe(value)}.`);
  }
  const shot = value as Record<string, unknown>;
  const unknown = Object.keys(shot).filter((k) => !FIELDS.has(k));
  if (unknown.length > 0)
    throw new StoryboardError(i, `has unknown field ${unknown.map((k) => `"${k}"`).join(', ')}; a shot has "prompt", "seed" and "image".`);
  const { prompt, seed, image } = shot;
  if (typeof prompt !== 'string' || prompt.trim() === '') throw new StoryboardError(i, `needs a prompt (a non-empty string); got ${describe(prompt)}.`);
  if (prompt.length > MAX_SHOT_PROMPT) throw new StoryboardError(i, `has a prompt of ${prompt.length} characters; keep it under ${MAX_SHOT_PROMPT}.`);
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED)) {
    throw new StoryboardError(i, `has seed ${describe(seed)}; a seed is a whole number from 0 to ${MAX_SEED}, or left out.`);
  }
  if (image !== undefined && !(image instanceof Blob) && !(image instanceof Uint8ClampedArray)) {
    throw new StoryboardError(i, `has an image that is ${describe(image)}; give a File/Blob or RGBA bytes (lantern.fitImage()), or leave it out.`);
  }
  return { prompt, ...(seed === undefined ? {} : { seed: seed as number }), ...(image === undefined ? {} : { image: image as Blob | Uint8ClampedArray }) };
}

/** Parses shots.json text; bad JSON is a StoryboardError with the parser's words. */
export function parseShotsJson(text: string): Shot[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StoryboardError(
      null,
      `The storyboard is not valid JSON (${(error as Error).message}). It must be an array like [{ "prompt": "a red ball rolls left" }].`,
    );
  }
  return parseShots(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}
