// The gallery's IndexedDB database (through idb). Two object stores,
// metadata apart from bytes, so listing the gallery never reads a video:
//   clips   id -> ClipRecord (recipe, title, sizes, thumbnail bytes), indexed by createdAt
//   videos  id -> Uint8Array (the clip's MP4 bytes)
// A clip's record and its video are written and deleted in one
// transaction, so a failure (QuotaExceededError, a closed tab) leaves
// neither: the gallery never lists a clip whose write did not finish.
// Videos and thumbnails are Uint8Arrays, not Blobs as the model store's
// bytes are: in Chromium 156 deleting a Blob value left its quota used for
// 20 s and more (its file is removed lazily), and with a Blob thumbnail in
// each record a clip still did not fit after an older one was deleted;
// deleting ArrayBuffer values freed their quota at once, and "delete old
// clips to make room" must work at once.
//
// Records are typed `unknown` here: whatever is read goes through
// checkClipRecord (gallery-record.ts) before anything trusts it.
import { type DBSchema, type IDBPDatabase, wrap } from 'idb';
import { GalleryUnavailableError } from './errors';
import type { ClipRecord } from './gallery-record';

export const GALLERY_DB_NAME = 'lantern-gallery';
/** Bumped with an upgrade step whenever the stores or records change shape. */
export const GALLERY_DB_VERSION = 1;

type GallerySchema = DBSchema & {
  clips: { key: IDBValidKey; value: unknown; indexes: { createdAt: string } };
  videos: { key: IDBValidKey; value: unknown };
};

export type GalleryDb = IDBPDatabase<GallerySchema>;

/**
 * Opens (creating or upgrading) the gallery in `factory`: the origin's
 * indexedDB, or a storage bucket's. `onGone` runs when the connection stops
 * being usable (a newer Lantern in another tab upgrades it, or the browser
 * closed it), so the caller reopens. (idb's openDB only knows the global
 * indexedDB, hence wrap over factory.open.)
 */
export async function openGalleryDb(factory: IDBFactory | undefined, onGone?: () => void): Promise<GalleryDb> {
  if (factory === undefined) throw new GalleryUnavailableError('this context has no indexedDB');
  try {
    const request = factory.open(GALLERY_DB_NAME, GALLERY_DB_VERSION);
    request.addEventListener('upgradeneeded', (event) => {
      const database = request.result;
      if (event.oldVersion < 1) {
        database.createObjectStore('clips', { keyPath: 'id' }).createIndex('createdAt', 'createdAt');
        database.createObjectStore('videos');
      }
    });
    const db = (await wrap(request)) as unknown as GalleryDb;
    db.addEventListener('versionchange', () => {
      db.close();
      onGone?.();
    });
    db.addEventListener('close', () => onGone?.());
    return db;
  } catch (cause) {
    throw new GalleryUnavailableError(
      `opening database '${GALLERY_DB_NAME}' failed (${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)})`,
      { cause },
    );
  }
}

/** Everything in the `clips` store (key and record) and the keys of the stored videos, read in one transaction. */
export async function readAll(db: GalleryDb): Promise<{ records: { key: IDBValidKey; value: unknown }[]; videoKeys: IDBValidKey[] }> {
  const tx = db.transaction(['clips', 'videos'], 'readonly');
  const [keys, values, videoKeys] = await Promise.all([
    tx.objectStore('clips').getAllKeys(),
    tx.objectStore('clips').getAll(),
    tx.objectStore('videos').getAllKeys(),
    tx.done,
  ]);
  return { records: keys.map((key, i) => ({ key, value: values[i] })), videoKeys };
}

/** A clip's record and its video (either undefined when absent), read in one transaction. */
export async function readClip(db: GalleryDb, id: string): Promise<{ record: unknown; video: unknown }> {
  const tx = db.transaction(['clips', 'videos'], 'readonly');
  const [record, video] = await Promise.all([tx.objectStore('clips').get(id), tx.objectStore('videos').get(id), tx.done]);
  return { record, video };
}

/**
 * Stores a clip's record and video in one transaction. `build` makes the
 * record from the newest createdAt stored (read in the same transaction, so
 * two tabs cannot both take the same time). Rejects with the transaction's
 * error (QuotaExceededError when the quota is used up); then nothing was written.
 */
export async function putClip(db: GalleryDb, build: (newestCreatedAt: string | null) => ClipRecord, video: Uint8Array): Promise<ClipRecord> {
  const tx = db.transaction(['clips', 'videos'], 'readwrite');
  const writes: Promise<unknown>[] = [];
  let clip: ClipRecord;
  try {
    const newest = await tx.objectStore('clips').index('createdAt').openKeyCursor(null, 'prev');
    clip = build(newest === null ? null : String(newest.key));
    writes.push(tx.objectStore('clips').add(clip), tx.objectStore('videos').add(video, clip.id));
  } catch (error) {
    // A write that threw before it was queued (DataCloneError, a closed database): write nothing.
    abort(tx);
    await tx.done.catch(() => undefined);
    throw error;
  }
  await settle(tx.done, writes);
  return clip;
}

/** Deletes the record and the video under `key` (and nothing else) in one transaction. */
export async function deleteKey(db: GalleryDb, key: IDBValidKey): Promise<void> {
  const tx = db.transaction(['clips', 'videos'], 'readwrite');
  await settle(tx.done, [tx.objectStore('clips').delete(key), tx.objectStore('videos').delete(key)]);
}

function abort(tx: { abort(): void }): void {
  try {
    tx.abort();
  } catch {
    // Already finished or aborted: nothing of it was committed by this code path.
  }
}

/** Waits for a transaction; a failed request rejects too, but the transaction's error (e.g. QuotaExceededError) is the one reported. */
async function settle(done: Promise<void>, writes: Promise<unknown>[]): Promise<void> {
  const requests = Promise.all(writes);
  requests.catch(() => undefined);
  await done;
  await requests;
}
