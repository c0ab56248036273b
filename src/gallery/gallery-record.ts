// A gallery clip's metadata record (the `clips` store), and the validator
// every record read from IndexedDB goes through: a record is `unknown` until
// checked, since another version of Lantern, a browser extension or a disk
// error may have written it. A bad record is reported by its first bad
// field and skipped, never trusted.

import { RecipeError } from '../recipe/errors';
import type { Recipe } from '../recipe/recipe';
import { validateRecipe } from '../recipe/validate';

export type GalleryClip = {
  /** crypto.randomUUID(); also the key of the clip's video in the `videos` store. */
  id: string;
  /** When it was stored, as an ISO 8601 string (Date#toISOString); strictly increasing within a gallery. */
  createdAt: string;
  recipe: Recipe;
  /** A short title from the prompt, for the list. */
  title: string;
  /** The video's MIME type, e.g. 'video/mp4; codecs="avc1.42001f"'. */
  mimeType: string;
  /** The name a download gets. */
  fileName: string;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  /** The video's size (the bytes in `videos`). */
  byteLength: number;
  /** A small still (WebP or PNG) for the list. */
  thumbnail: Blob;
};

/**
 * The record as stored: the thumbnail as bytes and a type, not a Blob (in
 * Chromium 156 a Blob in a record kept its quota after the record was
 * deleted, and made a write that then fitted fail; see gallery-db.ts).
 */
export type ClipRecord = Omit<GalleryClip, 'thumbnail'> & { thumbnail: Uint8Array; thumbnailType: string };

export type RecordCheck = { ok: true; clip: GalleryClip } | { ok: false; reason: string };

const TITLE_LENGTH = 80;

/** The title a clip gets: its prompt on one line, cut to 80 characters. */
export function titleFromPrompt(prompt: string): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  if (line === '') return 'Untitled clip';
  return line.length > TITLE_LENGTH ? `${line.slice(0, TITLE_LENGTH - 1)}…` : line;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 37)}...` : value}'`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString() === value;
}

/** Checks one field; the reason names it and what it must be. */
type Check = [field: string, ok: (value: unknown) => boolean, must: string];

const positiveInteger = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;

const CHECKS: Check[] = [
  ['id', (v) => typeof v === 'string' && v !== '', 'a non-empty string'],
  ['createdAt', isIsoDate, 'an ISO 8601 date string'],
  ['title', (v) => typeof v === 'string', 'a string'],
  ['mimeType', (v) => typeof v === 'string' && v.startsWith('video/'), "a string starting 'video/'"],
  ['fileName', (v) => typeof v === 'string' && v !== '', 'a non-empty string'],
  ['width', positiveInteger, 'a positive integer'],
  ['height', positiveInteger, 'a positive integer'],
  ['fps', (v) => typeof v === 'number' && Number.isFinite(v) && v > 0, 'a positive number'],
  ['frameCount', positiveInteger, 'a positive integer'],
  ['byteLength', (v) => Number.isInteger(v) && (v as number) >= 0, 'a non-negative integer'],
  ['thumbnail', (v) => v instanceof Uint8Array, 'a Uint8Array'],
  ['thumbnailType', (v) => typeof v === 'string' && v.startsWith('image/'), "a string starting 'image/'"],
];

/** The record as a GalleryClip, or why it is not one (its first bad field). */
export function checkClipRecord(value: unknown): RecordCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: `the record is ${kind(value)}, not an object` };
  const fields = value as Record<string, unknown>;
  for (const [field, ok, must] of CHECKS) {
    if (!ok(fields[field])) return { ok: false, reason: `${field} is ${kind(fields[field])}; it must be ${must}` };
  }
  let recipe: Recipe;
  try {
    recipe = validateRecipe(fields['recipe']);
  } catch (error) {
    if (error instanceof RecipeError) return { ok: false, reason: error.message };
    throw error;
  }
  const record = value as ClipRecord;
  return {
    ok: true,
    clip: {
      id: record.id,
      createdAt: record.createdAt,
      recipe,
      title: record.title,
      mimeType: record.mimeType,
      fileName: record.fileName,
      width: record.width,
      height: record.height,
      fps: record.fps,
      frameCount: record.frameCount,
      byteLength: record.byteLength,
      thumbnail: new Blob([record.thumbnail as Uint8Array<ArrayBuffer>], { type: record.thumbnailType }),
    },
  };
}
