// The gallery: every finished clip, kept in IndexedDB (gallery-db.ts) with
// its recipe, a thumbnail, its size and date. The UI lists, plays,
// downloads and deletes clips through this API and shows the storage they
// use. A full quota is a GalleryFullError that names the oldest clips to
// delete; a damaged record is reported by list() and skipped, never thrown.

import type { Recipe } from '../recipe/recipe';
import { GalleryClipDamagedError, GalleryClipMissingError, GalleryFullError, GalleryInvalidClipError, type OldClip } from './errors';
import { deleteKey, type GalleryDb, openGalleryDb, putClip, readAll, readClip } from './gallery-db';
import { type ClipRecord, checkClipRecord, type GalleryClip, titleFromPrompt } from './gallery-record';

export type { GalleryClip } from './gallery-record';

/** A finished clip, as the studio hands it to the gallery. */
export type NewClip = {
  recipe: Recipe;
  /** The encoded video (MP4 or WebM bytes, as `mimeType` says). */
  mp4: Uint8Array;
  mimeType: string;
  fileName: string;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  /** thumbnailFromFrame(...) of a frame of the clip. */
  thumbnail: Blob;
};

/** A record list() could not read: `key` is its key (String of it), for deleteDamaged. */
export type DamagedRecord = { key: string; reason: string };

export type GalleryListing = { clips: GalleryClip[]; damaged: DamagedRecord[] };

export type GalleryUsage = {
  /** Clips listed (damaged records not counted). */
  clips: number;
  /** Their videos and thumbnails. */
  bytes: number;
  /** navigator.storage.estimate() (or the bucket's): the whole site's quota and usage, null where unknown. */
  quota: number | null;
  usage: number | null;
};

export type GalleryOptions = {
  /** Where the database lives: the origin's indexedDB by default, or a storage bucket's. */
  indexedDB?: IDBFactory;
  /** Whose estimate usage() reports: navigator.storage by default when `indexedDB` is not given, else none unless given. */
  storage?: { estimate(): Promise<StorageEstimate> };
};

export type Gallery = {
  /** Stores a clip (record and video in one transaction) and returns its record. GalleryFullError when the quota is used up. */
  add(clip: NewClip): Promise<GalleryClip>;
  /** The clips, newest first, and the records that could not be read (skipped). */
  list(): Promise<GalleryListing>;
  /** The clip's video bytes. GalleryClipMissingError when there is no such clip or no video; GalleryClipDamagedError when it does not match its record. */
  video(id: string): Promise<Uint8Array>;
  /** The clip's video as a Blob of its MIME type (for an object URL or a download); checked as video() checks. */
  videoBlob(id: string): Promise<Blob>;
  /** Deletes the clip (record and video, one transaction) and nothing else; resolves when there is no such clip too. */
  delete(id: string): Promise<void>;
  /** Deletes a damaged record (and any video under its key) that list() reported. */
  deleteDamaged(key: string): Promise<void>;
  usage(): Promise<GalleryUsage>;
  /** Closes the database connection; a later call opens it again. */
  close(): void;
};

/** IndexedDB reports a full quota as a DOMException named QuotaExceededError, on the request and on the aborted transaction. */
export function isQuotaExceeded(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const e = error as { name?: unknown; code?: unknown; target?: { error?: unknown } | null; cause?: unknown };
  if (e.name === 'QuotaExceededError' || (error instanceof DOMException && e.code === DOMException.QUOTA_EXCEEDED_ERR)) return true;
  // An abort event (a transaction's `abort`) carries the error on its target; an error wrapping another carries it as cause.
  return (
    (e.target !== undefined && e.target !== null && isQuotaExceeded(e.target.error, depth + 1)) ||
    (e.cause !== undefined && isQuotaExceeded(e.cause, depth + 1))
  );
}

const OLDEST_OFFERED = 5;

/**
 * Waits before trying a write the quota refused again. Chromium 156 counts
 * the bytes of a write it refused against the quota until it cleans them up,
 * usually before the next transaction; once in about 70 test runs it had not
 * yet, and the clip that fitted after an old one was deleted was refused too.
 */
const QUOTA_RETRY_DELAYS_MS = [100, 400];

function clipBytes(clip: GalleryClip): number {
  return clip.byteLength + clip.thumbnail.size;
}

/** Every record checked: the good clips newest first, and what could not be read (a bad record, a clip without video, a video without clip). */
async function scan(db: GalleryDb): Promise<GalleryListing> {
  const { records, videoKeys } = await readAll(db);
  const videos = new Set(videoKeys.map((key) => String(key)));
  const clipKeys = new Set<string>();
  const clips: GalleryClip[] = [];
  const damaged: DamagedRecord[] = [];
  for (const { key, value } of records) {
    const name = String(key);
    clipKeys.add(name);
    const check = checkClipRecord(value);
    if (!check.ok) damaged.push({ key: name, reason: check.reason });
    else if (!videos.has(name)) damaged.push({ key: name, reason: 'its video is missing (no entry in the videos store)' });
    else clips.push(check.clip);
  }
  for (const key of videos) if (!clipKeys.has(key)) damaged.push({ key, reason: 'a video with no clip record' });
  clips.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));
  return { clips, damaged };
}

/** The GalleryFullError for a clip of `neededBytes`: what the gallery holds now, and its oldest clips to offer for deletion. */
async function fullError(db: GalleryDb, neededBytes: number, cause: unknown): Promise<GalleryFullError> {
  const { clips } = await scan(db);
  const oldest: OldClip[] = clips
    .slice(-OLDEST_OFFERED)
    .reverse()
    .map((c) => ({ id: c.id, createdAt: c.createdAt, byteLength: clipBytes(c) }));
  const galleryBytes = clips.reduce((sum, c) => sum + clipBytes(c), 0);
  return new GalleryFullError(neededBytes, galleryBytes, clips.length, oldest, { cause });
}

/** The createdAt of a clip stored now: now, or just after the newest stored clip, so createdAt order is the order clips were added. */
function nextCreatedAt(newest: string | null): string {
  const newestMs = newest === null ? Number.NaN : Date.parse(newest);
  return new Date(Number.isNaN(newestMs) ? Date.now() : Math.max(Date.now(), newestMs + 1)).toISOString();
}

/** The video as stored: a Uint8Array over exactly its bytes (IndexedDB clones a view's whole buffer, and refuses a shared one). */
function videoBytesFor(clip: NewClip): Uint8Array<ArrayBuffer> {
  const mp4: unknown = clip.mp4;
  if (!(mp4 instanceof Uint8Array)) throw new GalleryInvalidClipError(`mp4 is ${typeof mp4}; it must be a Uint8Array`);
  if (mp4.byteLength === 0) throw new GalleryInvalidClipError('mp4 is empty (0 bytes)');
  const whole = mp4.buffer instanceof ArrayBuffer && mp4.byteOffset === 0 && mp4.byteLength === mp4.buffer.byteLength;
  return whole ? (mp4 as Uint8Array<ArrayBuffer>) : mp4.slice();
}

export async function openGallery(options: GalleryOptions = {}): Promise<Gallery> {
  const factory = options.indexedDB ?? (globalThis.indexedDB as IDBFactory | undefined);
  const navigatorStorage = (globalThis.navigator as Navigator | undefined)?.storage;
  const storage = options.storage ?? (options.indexedDB === undefined && typeof navigatorStorage?.estimate === 'function' ? navigatorStorage : undefined);

  let connection: Promise<GalleryDb> | null = null;
  const database = (): Promise<GalleryDb> => {
    connection ??= openGalleryDb(factory, () => {
      connection = null;
    }).catch((error: unknown) => {
      connection = null;
      throw error;
    });
    return connection;
  };
  await database();

  /** The clip's video bytes and MIME type, checked against its record. */
  const storedVideo = async (id: string): Promise<{ bytes: Uint8Array<ArrayBuffer>; mimeType: string }> => {
    const { record, video } = await readClip(await database(), id);
    if (record === undefined) throw new GalleryClipMissingError(id, 'clip');
    const check = checkClipRecord(record);
    if (!check.ok) throw new GalleryClipDamagedError(id, `its record is damaged: ${check.reason}`);
    if (video === undefined) throw new GalleryClipMissingError(id, 'video');
    if (!(video instanceof Uint8Array)) throw new GalleryClipDamagedError(id, `the stored video is ${typeof video}, not bytes`);
    if (video.byteLength !== check.clip.byteLength)
      throw new GalleryClipDamagedError(id, `${video.byteLength} bytes stored, ${check.clip.byteLength} recorded`);
    return { bytes: video as Uint8Array<ArrayBuffer>, mimeType: check.clip.mimeType };
  };

  return {
    async add(clip) {
      const video = videoBytesFor(clip);
      if (!(clip.thumbnail instanceof Blob)) throw new GalleryInvalidClipError('thumbnail is not a Blob');
      const thumbnail = new Uint8Array(await clip.thumbnail.arrayBuffer());
      const build = (newest: string | null): ClipRecord => ({
        id: crypto.randomUUID(),
        createdAt: nextCreatedAt(newest),
        recipe: clip.recipe,
        title: titleFromPrompt(typeof clip.recipe?.prompt === 'string' ? clip.recipe.prompt : ''),
        mimeType: clip.mimeType,
        fileName: clip.fileName,
        width: clip.width,
        height: clip.height,
        fps: clip.fps,
        frameCount: clip.frameCount,
        byteLength: video.byteLength,
        thumbnail,
        thumbnailType: clip.thumbnail.type,
      });
      // Checked before writing, as list() will check it: the gallery never stores a record it cannot read back.
      const check = checkClipRecord(build(null));
      if (!check.ok) throw new GalleryInvalidClipError(check.reason);
      const db = await database();
      for (let attempt = 0; ; attempt++) {
        try {
          const stored = await putClip(db, build, video);
          return { ...check.clip, id: stored.id, createdAt: stored.createdAt };
        } catch (error) {
          if (!isQuotaExceeded(error)) throw error;
          const delay = QUOTA_RETRY_DELAYS_MS[attempt];
          if (delay === undefined) throw await fullError(db, video.byteLength + thumbnail.byteLength, error);
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    },

    async list() {
      return scan(await database());
    },

    async video(id) {
      return (await storedVideo(id)).bytes;
    },

    async videoBlob(id) {
      const { bytes, mimeType } = await storedVideo(id);
      return new Blob([bytes], { type: mimeType });
    },

    async delete(id) {
      await deleteKey(await database(), id);
    },

    async deleteDamaged(key) {
      const db = await database();
      // The key as stored: list() reports String(key), and a damaged record's key need not be a string.
      const { records, videoKeys } = await readAll(db);
      const keys = [...records.map((r) => r.key), ...videoKeys].filter((k) => String(k) === key);
      for (const stored of new Set(keys)) await deleteKey(db, stored);
    },

    async usage() {
      const [{ clips }, estimate] = await Promise.all([scan(await database()), storage?.estimate() ?? Promise.resolve(null)]);
      return {
        clips: clips.length,
        bytes: clips.reduce((sum, c) => sum + clipBytes(c), 0),
        quota: estimate?.quota ?? null,
        usage: estimate?.usage ?? null,
      };
    },

    close() {
      const current = connection;
      connection = null;
      current?.then((db) => db.close()).catch(() => undefined);
    },
  };
}
