// The engine's side of the model store: a FileSource (workers/model-files/fetch.ts)
// that answers from IndexedDB for files of stored models and from the
// network for everything else, so the engine's loader is unchanged. A file
// of a stored model that is missing, or fails its check, is fetched again
// under the model's lock and stored; the engine gets verified bytes either
// way. Models the store has no record of load from the network as before.
// Manifests likewise (createStoreManifestSource): a stored model's manifest
// is the store's record of it, so loading a stored model needs no network.
import { ModelFileError } from '../contracts/errors';
import type { CheckMode } from '../contracts/model-store';
import { allModels, databaseHandle, fileRecord, getModel, type ModelRecord, readChunk, STORE_DB_NAME, type StoreDb } from '../contracts/model-store-db';
import { type MissingPart, ModelUnavailableOfflineError } from '../contracts/model-store-errors';
import { type FileRequest, type FileSource, fetchFile } from '../model-files/fetch';
import { rememberDigest, sha256Integrity } from '../model-files/integrity';
import { fetchManifest, type ManifestSource } from '../model-files/load';
import { type Manifest, parseManifest } from '../model-files/manifest';
import type { ModelFile } from './files';
import { absoluteUrl, modelFiles } from './files';
import { matches, readEntry, refetchFile, type StoredEntry, storedFiles } from './fill';
import { withModelLock } from './locks';
import { describePart, modelParts } from './parts';
import { originStorage, type StorageArea } from './quota';

export type StoreSourceOptions = {
  dbName?: string;
  storage?: StorageArea;
  /** How a stored file is checked before the engine gets it (types.ts); default 'hash'. */
  check?: CheckMode;
  retries?: number;
  /** For files of models not in the store; default fetchFile. */
  fallback?: FileSource;
};

/** A stored file's bytes after its check, or why there are none. */
export type StoredRead = Uint8Array | 'missing' | 'corrupt';

/**
 * Reads a stored file: 'missing' without a record matching the manifest,
 * 'corrupt' when the bytes are not the size recorded or (check 'hash') do
 * not hash to the manifest's digest.
 */
export async function readStoredFile(db: StoreDb, manifestUrl: string, file: ModelFile, check: CheckMode): Promise<StoredRead> {
  if (!matches(await fileRecord(db, manifestUrl, file.url), file)) return 'missing';
  const blob = await readChunk(db, manifestUrl, file.url);
  if (blob === undefined || blob.size !== file.bytes) return 'corrupt';
  const bytes = new Uint8Array(await blob.arrayBuffer());
  if (check === 'hash' && (await sha256Integrity(bytes)) !== file.sha256) return 'corrupt';
  // Checked here (or, for 'stored', trusted as verified at download): the loader need not hash it again.
  rememberDigest(bytes, file.sha256);
  return bytes;
}

export function createStoreSource(options: StoreSourceOptions = {}): FileSource {
  const database = databaseHandle(options.dbName ?? STORE_DB_NAME, options.storage ?? originStorage());
  const check = options.check ?? 'hash';
  const retries = options.retries ?? 2;
  const fallback = options.fallback ?? fetchFile;
  /** File URL -> the stored model naming it; rebuilt when a URL is not in it (models are added by the store's worker). */
  let index = new Map<string, string>();
  let unavailable = false;

  const lookup = async (db: StoreDb, url: string): Promise<string | undefined> => {
    if (!index.has(url)) {
      const next = new Map<string, string>();
      for (const record of await allModels(db)) {
        try {
          for (const file of modelFiles(parseManifest(record.manifest), record.manifestUrl)) if (!next.has(file.url)) next.set(file.url, record.manifestUrl);
        } catch (error) {
          console.warn(`Lantern: stored model ${record.manifestUrl} has a manifest this version cannot read; it is skipped.`, error);
        }
      }
      index = next;
    }
    return index.get(url);
  };

  return async (request: FileRequest) => {
    let db: StoreDb;
    try {
      db = await database();
    } catch (error) {
      if (!unavailable) console.warn('Lantern: model files load from the network without the model store:', error);
      unavailable = true;
      return fallback(request);
    }
    const manifestUrl = await lookup(db, request.url);
    if (manifestUrl === undefined) return fallback(request);
    let entry: StoredEntry = await readEntry(db, manifestUrl, 'load');
    const file = entry.files.find((f) => f.url === request.url)!;
    if (file.bytes !== request.bytes || (request.sha256 !== undefined && file.sha256 !== request.sha256)) {
      // The engine read a newer manifest than the store holds: this copy is not that file.
      console.info(`Lantern: ${request.url} changed since model ${manifestUrl} was stored; add the model again to update it. Fetching it from the network.`);
      return fallback(request);
    }
    const first = await readStoredFile(db, manifestUrl, file, check);
    if (first instanceof Uint8Array) {
      request.onBytes?.(file.bytes);
      return first;
    }
    const signal = request.signal ?? new AbortController().signal;
    return withModelLock(
      manifestUrl,
      signal,
      () => undefined,
      async () => {
        // Another tab or the store's worker may have stored (or repaired) it while this one waited.
        const again = await readStoredFile(db, manifestUrl, file, check);
        if (again instanceof Uint8Array) {
          request.onBytes?.(file.bytes);
          return again;
        }
        entry = await readEntry(db, manifestUrl, 'load');
        try {
          return await refetchFile(db, entry, file, again === 'corrupt', {
            signal,
            retries,
            ...(request.onBytes === undefined ? {} : { onBytes: request.onBytes }),
          });
        } catch (error) {
          if (unreachable(error, signal)) {
            const part = await missingPart(db, entry, file.url);
            throw new ModelUnavailableOfflineError(manifestUrl, file.url, detailOf(error), { cause: error, ...(part === undefined ? {} : { part }) });
          }
          throw error;
        }
      },
    );
  };
}

/** The part of `entry` holding `url`, and how much of it is stored, for the offline error's message. */
async function missingPart(db: StoreDb, entry: StoredEntry, url: string): Promise<MissingPart | undefined> {
  const part = modelParts(entry.manifest, entry.files, entry.record.manifestUrl).find((p) => p.files.some((f) => f.url === url));
  if (part === undefined) return undefined;
  const valid = await storedFiles(db, entry);
  return { id: part.id, description: describePart(part), storedFiles: part.files.filter((f) => valid.has(f.url)).length, files: part.files.length };
}

/** A request that got no answer (offline, refused, cut off), as opposed to an HTTP error or a cancel. */
function unreachable(error: unknown, signal?: AbortSignal): error is ModelFileError {
  return error instanceof ModelFileError && error.status === null && signal?.aborted !== true;
}

function detailOf(error: ModelFileError): string {
  return error.cause instanceof Error ? error.cause.message : 'no answer';
}

export type StoreManifestSourceOptions = {
  dbName?: string;
  storage?: StorageArea;
  /** For manifests of models not in the store; default fetchManifest. */
  fallback?: ManifestSource;
};

/**
 * The engine's manifests: a stored model's (complete or partial) from its
 * record in the store, without a request, so it loads with the network off;
 * any other from the network. A model neither stored nor reachable is a
 * ModelUnavailableOfflineError saying so. The store's record is updated by
 * the store's add(), which fetches the manifest afresh (the models screen's
 * Add, and the page's first load of the built-in model).
 */
export function createStoreManifestSource(options: StoreManifestSourceOptions = {}): ManifestSource {
  const database = databaseHandle(options.dbName ?? STORE_DB_NAME, options.storage ?? originStorage());
  const fallback = options.fallback ?? fetchManifest;
  let unavailable = false;

  const stored = async (manifestUrl: string): Promise<Manifest | undefined> => {
    let record: ModelRecord | undefined;
    try {
      record = await getModel(await database(), manifestUrl);
    } catch (error) {
      if (!unavailable) console.warn('Lantern: manifests load from the network without the model store:', error);
      unavailable = true;
      return undefined;
    }
    if (record === undefined) return undefined;
    try {
      return parseManifest(record.manifest);
    } catch (error) {
      console.warn(`Lantern: stored model ${manifestUrl} has a manifest this version cannot read; fetching it from the network.`, error);
      return undefined;
    }
  };

  return async (url, signal) => {
    const manifestUrl = absoluteUrl(url);
    const manifest = await stored(manifestUrl);
    if (manifest !== undefined) return manifest;
    try {
      return await fallback(manifestUrl, signal);
    } catch (error) {
      if (unreachable(error, signal)) throw new ModelUnavailableOfflineError(manifestUrl, null, detailOf(error), { cause: error });
      throw error;
    }
  };
}
