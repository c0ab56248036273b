// The model store's IndexedDB database (through idb). Three object stores,
// metadata apart from bytes, so listing models and checking files never
// reads a weight:
//   models  manifest URL -> ModelRecord (the manifest as fetched, state, times)
//   files   [manifest URL, file URL] -> FileRecord (size and the SHA-256 verified at download)
//   chunks  [manifest URL, file URL] -> Blob (the file's bytes; one record per shard, at most 128 MiB)
// A file's record and its bytes are written in one transaction, so a failed
// write (QuotaExceededError, a closed tab) leaves neither: no file is ever
// recorded as stored that is not. Bytes are Blobs: Chromium keeps them as
// files on disk and reads them lazily, which made a 128 MiB read about 3x
// faster than an ArrayBuffer value here, and lets a graph be assembled by
// joining Blobs without a copy per shard.
import { type DBSchema, type IDBPDatabase, wrap } from 'idb';
import type { StorageArea } from '../model-store/quota';
import type { ModelState } from './model-store';
import { ModelStoreUnavailableError } from './model-store-errors';

export const STORE_DB_NAME = 'lantern-model-store';
/** Bumped with an upgrade step whenever the stores or records change shape. */
export const STORE_DB_VERSION = 1;

export type ModelRecord = {
  manifestUrl: string;
  /** The manifest JSON as fetched; validated again (parseManifest) whenever it is read. */
  manifest: unknown;
  state: ModelState;
  addedAt: number;
  completedAt: number | null;
  verifiedAt: number | null;
};

export type FileRecord = {
  manifestUrl: string;
  url: string;
  bytes: number;
  /** The digest computed over the bytes when they were stored (equal to the manifest's then). */
  sha256: string;
  storedAt: number;
};

type FileKey = [string, string];

type StoreSchema = DBSchema & {
  models: { key: string; value: ModelRecord };
  files: { key: FileKey; value: FileRecord };
  chunks: { key: FileKey; value: Blob };
};

export type StoreDb = IDBPDatabase<StoreSchema>;

/** Every key [manifestUrl, *]: arrays sort after strings, so [m, []] is above any [m, url]. */
function modelRange(manifestUrl: string): IDBKeyRange {
  return IDBKeyRange.bound([manifestUrl], [manifestUrl, []]);
}

/**
 * Opens (creating or upgrading) the database in `factory` (the origin's
 * indexedDB, or a storage bucket's); `onGone` runs when this connection
 * stops being usable, so the caller reopens. (idb's openDB, which only uses
 * the global indexedDB.)
 */
export async function openStoreDb(name: string, factory: IDBFactory | undefined, onGone?: () => void): Promise<StoreDb> {
  if (factory === undefined) throw new ModelStoreUnavailableError('this context has no indexedDB');
  try {
    const request = factory.open(name, STORE_DB_VERSION);
    request.addEventListener('upgradeneeded', (event) => {
      const database = request.result;
      if (event.oldVersion < 1) {
        database.createObjectStore('models', { keyPath: 'manifestUrl' });
        database.createObjectStore('files', { keyPath: ['manifestUrl', 'url'] });
        database.createObjectStore('chunks');
      }
    });
    const db = (await wrap(request)) as unknown as StoreDb;
    // A newer Lantern in another tab wants to upgrade: let it (this tab reopens on its next call).
    db.addEventListener('versionchange', () => {
      db.close();
      onGone?.();
    });
    // The browser closed it (storage cleared, disk error).
    db.addEventListener('close', () => onGone?.());
    return db;
  } catch (cause) {
    throw new ModelStoreUnavailableError(`opening database '${name}' failed (${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)})`, {
      cause,
    });
  }
}

/** Opens the database on first use and again after the browser or a newer tab closed it. */
export function databaseHandle(dbName: string, area: StorageArea): () => Promise<StoreDb> {
  let db: Promise<StoreDb> | null = null;
  return () => {
    db ??= openStoreDb(dbName, area.indexedDB, () => {
      db = null;
    }).catch((error: unknown) => {
      db = null;
      throw error;
    });
    return db;
  };
}

export function getModel(db: StoreDb, manifestUrl: string): Promise<ModelRecord | undefined> {
  return db.get('models', manifestUrl);
}

export async function putModel(db: StoreDb, record: ModelRecord): Promise<void> {
  await db.put('models', record);
}

/** All models, in the order they were added. */
export async function allModels(db: StoreDb): Promise<ModelRecord[]> {
  return (await db.getAll('models')).sort((a, b) => a.addedAt - b.addedAt);
}

export function fileRecords(db: StoreDb, manifestUrl: string): Promise<FileRecord[]> {
  return db.getAll('files', modelRange(manifestUrl));
}

export function fileRecord(db: StoreDb, manifestUrl: string, url: string): Promise<FileRecord | undefined> {
  return db.get('files', [manifestUrl, url]);
}

export function readChunk(db: StoreDb, manifestUrl: string, url: string): Promise<Blob | undefined> {
  return db.get('chunks', [manifestUrl, url]);
}

/**
 * Stores one verified file: its bytes and its record in one transaction,
 * and, when `model` is given, the model record too (its state becomes
 * complete with the last file). Rejects with the transaction's error
 * (QuotaExceededError when the quota is used up); then nothing was written.
 */
export async function putFile(db: StoreDb, record: FileRecord, data: Blob, model?: ModelRecord): Promise<void> {
  const tx = db.transaction(['files', 'chunks', 'models'], 'readwrite');
  const writes: Promise<unknown>[] = [tx.objectStore('chunks').put(data, [record.manifestUrl, record.url]), tx.objectStore('files').put(record)];
  if (model !== undefined) writes.push(tx.objectStore('models').put(model));
  await settle(tx.done, writes);
}

/** Drops files (record and bytes) and saves the model record (now partial) in one transaction. */
export async function dropFiles(db: StoreDb, manifestUrl: string, urls: readonly string[], model?: ModelRecord): Promise<void> {
  const tx = db.transaction(['files', 'chunks', 'models'], 'readwrite');
  const writes: Promise<unknown>[] = [];
  for (const url of urls) {
    writes.push(tx.objectStore('chunks').delete([manifestUrl, url]), tx.objectStore('files').delete([manifestUrl, url]));
  }
  if (model !== undefined) writes.push(tx.objectStore('models').put(model));
  await settle(tx.done, writes);
}

/** Deletes a model, its file records and its bytes in one transaction. */
export async function deleteModel(db: StoreDb, manifestUrl: string): Promise<void> {
  const tx = db.transaction(['files', 'chunks', 'models'], 'readwrite');
  await settle(tx.done, [
    tx.objectStore('chunks').delete(modelRange(manifestUrl)),
    tx.objectStore('files').delete(modelRange(manifestUrl)),
    tx.objectStore('models').delete(manifestUrl),
  ]);
}

/** Waits for a transaction; a failed request rejects too, but the transaction's error (e.g. QuotaExceededError) is the one reported. */
async function settle(done: Promise<void>, writes: Promise<unknown>[]): Promise<void> {
  const requests = Promise.all(writes);
  requests.catch(() => undefined);
  await done;
  await requests;
}
