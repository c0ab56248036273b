// The model store: Lantern's `ModelStore` (workers/contracts/model-store.ts) over IndexedDB. It
// runs in its own worker (store.worker.ts), apart from the engine's, so a
// download survives the engine worker being replaced and goes on while a
// clip generates. Every call that writes a model holds that model's Web Lock
// (locks.ts), so two tabs never download one model at once.

import type { AddResult, ManifestCheck, ModelPart, ModelStore, StoredModel, VerifyResult } from '../contracts/model-store';
import {
  allModels,
  databaseHandle,
  deleteModel,
  getModel,
  type ModelRecord,
  putModel,
  readChunk,
  STORE_DB_NAME,
  type StoreDb,
} from '../contracts/model-store-db';
import { ModelDownloadCanceledError, StorageQuotaError } from '../contracts/model-store-errors';
import { callbackNotifier } from '../contracts/notify';
import { sha256Integrity } from '../model-files/integrity';
import { fetchManifest } from '../model-files/load';
import { absoluteUrl, checkedManifestUrl, modelFiles, totalBytes } from './files';
import { dropCorrupt, fillModel, readEntry, type StoredEntry, storedFiles } from './fill';
import { deviceFacts, fitConcerns } from './inspect';
import { withModelLock } from './locks';
import { modelParts, partFileUrls } from './parts';
import { isQuotaExceeded, originStorage, type StorageArea, storageInfo } from './quota';

export type ModelStoreOptions = {
  /** The IndexedDB database (tests use their own). */
  dbName?: string;
  /** Where the database lives and whose quota applies: the origin's storage, or a StorageBucket. */
  storage?: StorageArea;
  /** Attempts after the first for a file whose download broke off or got a 5xx answer. */
  retries?: number;
};

/** Calls a progress callback (maybe a comlink proxy) without letting its failure stop the download. */
const notify = callbackNotifier('a model store progress');

/** Writes a model's record; a full quota is the StorageQuotaError a file write gives, counting the bytes still to store. */
async function putRecordOrQuotaError(db: StoreDb, entry: StoredEntry): Promise<void> {
  try {
    await putModel(db, entry.record);
  } catch (error) {
    if (!isQuotaExceeded(error)) throw error;
    const valid = await storedFiles(db, entry);
    const missing = totalBytes(entry.files.filter((f) => !valid.has(f.url)));
    throw new StorageQuotaError(entry.manifest.id, missing, null, { cause: error });
  }
}

/** The UI's view of a stored model: what the record says, with the storage its verified files use. */
export async function describe(db: StoreDb, entry: StoredEntry): Promise<StoredModel> {
  const valid = await storedFiles(db, entry);
  const { record, manifest, files } = entry;
  const storedBytes = [...valid.values()].reduce((sum, r) => sum + r.bytes, 0);
  const parts = modelParts(manifest, files, record.manifestUrl).map(
    (p): ModelPart => ({
      id: p.id,
      graphs: p.graphs,
      totalBytes: totalBytes(p.files),
      storedBytes: totalBytes(p.files.filter((f) => valid.has(f.url))),
      files: p.files.length,
      storedFiles: p.files.filter((f) => valid.has(f.url)).length,
    }),
  );
  return {
    manifestUrl: record.manifestUrl,
    id: manifest.id,
    name: manifest.name,
    version: manifest.version,
    license: manifest.license,
    state: valid.size === files.length ? 'complete' : 'partial',
    totalBytes: totalBytes(files),
    storedBytes,
    files: files.length,
    storedFiles: valid.size,
    parts,
    recommendedMemoryBytes: manifest.memory.recommendedBytes,
    addedAt: record.addedAt,
    completedAt: record.completedAt,
    verifiedAt: record.verifiedAt,
  };
}

export function createModelStore(options: ModelStoreOptions = {}): ModelStore {
  const area = options.storage ?? originStorage();
  const database = databaseHandle(options.dbName ?? STORE_DB_NAME, area);
  const retries = options.retries ?? 2;
  /** This store's add/verify calls, by manifest URL, from their first await, so cancel and remove can stop them. */
  const running = new Map<string, Set<{ controller: AbortController; settled: Promise<unknown> }>>();

  /**
   * Runs `prepare` (the manifest fetched, the record read), then `work` as the one call of this store on a model, under
   * the model's lock. Both get a signal cancel() aborts from the call's start: a Cancel while the manifest is still on
   * its way stops the call before any file is fetched, not after.
   */
  const exclusive = async <P, T>(
    manifestUrl: string,
    prepare: (signal: AbortSignal) => Promise<P>,
    onWait: (prepared: P) => void,
    work: (prepared: P, signal: AbortSignal) => Promise<T>,
  ): Promise<T> => {
    const controller = new AbortController();
    const jobs = running.get(manifestUrl) ?? new Set();
    const earlier = [...jobs].map((job) => job.settled);
    const promise = (async () => {
      const prepared = await prepare(controller.signal);
      await Promise.all(earlier);
      controller.signal.throwIfAborted();
      return withModelLock(
        manifestUrl,
        controller.signal,
        () => onWait(prepared),
        () => work(prepared, controller.signal),
      );
    })().catch((error: unknown) => {
      throw controller.signal.aborted ? new ModelDownloadCanceledError(manifestUrl) : error;
    });
    const job = { controller, settled: promise.catch(() => undefined) };
    jobs.add(job);
    running.set(manifestUrl, jobs);
    try {
      return await promise;
    } finally {
      jobs.delete(job);
      if (jobs.size === 0 && running.get(manifestUrl) === jobs) running.delete(manifestUrl);
    }
  };

  const store: ModelStore = {
    async inspect(url) {
      const manifestUrl = checkedManifestUrl(url);
      const manifest = await fetchManifest(manifestUrl);
      const files = modelFiles(manifest, manifestUrl);
      const db = await database();
      const known = await getModel(db, manifestUrl);
      let missingBytes = totalBytes(files);
      if (known !== undefined) {
        const valid = await storedFiles(db, { record: known, manifest, files });
        missingBytes = totalBytes(files.filter((f) => !valid.has(f.url)));
      }
      const device = await deviceFacts();
      const check: ManifestCheck = {
        manifestUrl,
        id: manifest.id,
        name: manifest.name,
        version: manifest.version,
        license: manifest.license,
        description: manifest.description,
        totalBytes: totalBytes(files),
        files: files.length,
        missingBytes,
        stored: known === undefined ? null : missingBytes === 0 ? 'complete' : 'partial',
        recommendedMemoryBytes: manifest.memory.recommendedBytes,
        device,
        concerns: await fitConcerns(manifest, device, area, missingBytes),
      };
      return check;
    },

    async add(url, onProgress, options = {}) {
      const manifestUrl = checkedManifestUrl(url);
      let waited = false;
      return exclusive(
        manifestUrl,
        async (signal) => {
          const manifest = await fetchManifest(manifestUrl, signal);
          return { manifest, total: totalBytes(modelFiles(manifest, manifestUrl)), db: await database() };
        },
        ({ total }) => {
          waited = true;
          notify(onProgress, { phase: 'wait', doneBytes: 0, totalBytes: total });
        },
        async ({ manifest, db }, signal): Promise<AddResult> => {
          const known = await getModel(db, manifestUrl);
          const record: ModelRecord = known ?? {
            manifestUrl,
            manifest: manifest.raw,
            state: 'partial',
            addedAt: Date.now(),
            completedAt: null,
            verifiedAt: null,
          };
          // The manifest just fetched wins: a model updated on the server is brought up to it (files it no longer names are
          // dropped). Written only when it changed, so resuming a model in a full quota reaches the room check below.
          if (known === undefined || JSON.stringify(known.manifest) !== JSON.stringify(manifest.raw)) {
            record.manifest = manifest.raw;
            await putRecordOrQuotaError(db, { record, manifest, files: modelFiles(manifest, manifestUrl) });
          }
          const entry = await readEntry(db, manifestUrl, 'add');
          const only = options.parts === undefined ? undefined : partFileUrls(modelParts(entry.manifest, entry.files, manifestUrl), options.parts);
          const { fetched, persisted } = await fillModel(db, entry, {
            area,
            signal,
            retries,
            only,
            priority: options.priority,
            onProgress: (p) => notify(onProgress, p),
          });
          if (waited && fetched.length > 0) console.info(`Lantern: another tab stopped downloading ${manifestUrl}; this one finished it.`);
          return { model: await describe(db, entry), fetchedFiles: fetched.length, fetchedBytes: totalBytes(fetched), persisted };
        },
      );
    },

    async list() {
      const db = await database();
      const out: StoredModel[] = [];
      for (const record of await allModels(db)) out.push(await describe(db, await readEntry(db, record.manifestUrl, 'list')));
      return out;
    },

    async verify(url, onProgress) {
      const manifestUrl = absoluteUrl(url);
      return exclusive(
        manifestUrl,
        async () => {
          const db = await database();
          await readEntry(db, manifestUrl, 'verify');
          return db;
        },
        () => notify(onProgress, { phase: 'wait', doneBytes: 0, totalBytes: 0 }),
        async (db, signal): Promise<VerifyResult> => {
          const entry = await readEntry(db, manifestUrl, 'verify');
          const valid = await storedFiles(db, entry);
          const total = totalBytes(entry.files);
          const corrupt: string[] = [];
          let done = 0;
          let doneFiles = 0;
          notify(onProgress, { phase: 'verify', doneBytes: 0, totalBytes: total, doneFiles: 0, files: entry.files.length });
          for (const file of entry.files) {
            signal.throwIfAborted();
            if (valid.has(file.url)) {
              const blob = await readChunk(db, manifestUrl, file.url);
              const ok = blob !== undefined && blob.size === file.bytes && (await sha256Integrity(new Uint8Array(await blob.arrayBuffer()))) === file.sha256;
              if (!ok) corrupt.push(file.url);
            }
            done += file.bytes;
            doneFiles++;
            notify(onProgress, { phase: 'verify', doneBytes: done, totalBytes: total, doneFiles, files: entry.files.length });
          }
          await dropCorrupt(db, entry, corrupt);
          const missing = entry.files.filter((f) => !valid.has(f.url)).map((f) => f.url);
          await fillModel(db, entry, { area, signal, retries, onProgress: (p) => notify(onProgress, p) });
          entry.record = { ...entry.record, verifiedAt: Date.now() };
          await putModel(db, entry.record);
          return { model: await describe(db, entry), corruptFiles: corrupt, missingFiles: missing };
        },
      );
    },

    async remove(url) {
      const manifestUrl = absoluteUrl(url);
      await store.cancel(manifestUrl);
      const db = await database();
      await withModelLock(
        manifestUrl,
        undefined,
        () => undefined,
        () => deleteModel(db, manifestUrl),
      );
    },

    async cancel(url) {
      const manifestUrl = absoluteUrl(url);
      const jobs = [...(running.get(manifestUrl) ?? [])];
      for (const job of jobs) job.controller.abort(new ModelDownloadCanceledError(manifestUrl));
      await Promise.all(jobs.map((job) => job.settled));
    },

    storage: () => storageInfo(area),
  };
  return store;
}
