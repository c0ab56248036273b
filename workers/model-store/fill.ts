// Bringing a stored model up to its manifest: find the files that are not
// stored (or whose stored record no longer matches the manifest), check
// that they fit, and download them (or those of some parts: parts.ts) in
// manifest order, each verified before it is written. Runs while holding
// the model's Web Lock (locks.ts).

import type { ModelPartId, PartProgress, StoreProgress } from '../contracts/model-store';
import { dropFiles, type FileRecord, fileRecords, getModel, type ModelRecord, putFile, type StoreDb } from '../contracts/model-store-db';
import { ModelNotStoredError, StorageQuotaError } from '../contracts/model-store-errors';
import { type Manifest, parseManifest } from '../model-files/manifest';
import { downloadFile } from './download';
import { type ModelFile, modelFiles, totalBytes } from './files';
import { modelParts } from './parts';
import { createDownloadMeter } from './progress';
import { ensureRoom, isQuotaExceeded, requestPersistence, type StorageArea } from './quota';

/** A model as stored: its record, its validated manifest and the files it names. */
export type StoredEntry = { record: ModelRecord; manifest: Manifest; files: ModelFile[] };

export async function readEntry(db: StoreDb, manifestUrl: string, what: string): Promise<StoredEntry> {
  const record = await getModel(db, manifestUrl);
  if (record === undefined) throw new ModelNotStoredError(manifestUrl, what);
  const manifest = parseManifest(record.manifest);
  return { record, manifest, files: modelFiles(manifest, manifestUrl) };
}

/** A stored record matches a manifest file when the size and the digest verified at download are the manifest's. */
export function matches(record: FileRecord | undefined, file: ModelFile): boolean {
  return record !== undefined && record.bytes === file.bytes && record.sha256 === file.sha256;
}

/** Files of `entry` with a matching record, by URL. */
export async function storedFiles(db: StoreDb, entry: StoredEntry): Promise<Map<string, FileRecord>> {
  const records = new Map((await fileRecords(db, entry.record.manifestUrl)).map((r) => [r.url, r]));
  const valid = new Map<string, FileRecord>();
  for (const file of entry.files) {
    const record = records.get(file.url);
    if (matches(record, file)) valid.set(file.url, record!);
  }
  return valid;
}

/**
 * Writes one verified file. When it is the last one missing the model
 * becomes complete in the same transaction. A full quota is a
 * StorageQuotaError; the transaction wrote nothing then.
 */
export async function storeFile(db: StoreDb, entry: StoredEntry, file: ModelFile, bytes: Uint8Array, last: boolean, remainingBytes: number): Promise<void> {
  const record: FileRecord = { manifestUrl: entry.record.manifestUrl, url: file.url, bytes: file.bytes, sha256: file.sha256, storedAt: Date.now() };
  if (last) entry.record = { ...entry.record, state: 'complete', completedAt: Date.now() };
  try {
    await putFile(db, record, new Blob([bytes as Uint8Array<ArrayBuffer>]), last ? entry.record : undefined);
  } catch (error) {
    if (last) entry.record = { ...entry.record, state: 'partial', completedAt: null };
    if (isQuotaExceeded(error)) throw new StorageQuotaError(entry.manifest.id, remainingBytes, null, { cause: error });
    throw error;
  }
}

/** Drops files that failed a check; the model is partial again. */
export async function dropCorrupt(db: StoreDb, entry: StoredEntry, urls: readonly string[]): Promise<void> {
  if (urls.length === 0) return;
  entry.record = { ...entry.record, state: 'partial', completedAt: null };
  await dropFiles(db, entry.record.manifestUrl, urls, entry.record);
}

/**
 * Fetches one file again into the store (dropping a corrupt copy first) and
 * returns its verified bytes; the caller holds the model's lock. A full
 * quota does not fail the caller's load: the bytes are returned unstored,
 * with a warning, and the next load fetches them again.
 */
export async function refetchFile(
  db: StoreDb,
  entry: StoredEntry,
  file: ModelFile,
  corrupt: boolean,
  options: { signal: AbortSignal; retries: number; onBytes?: (received: number) => void },
): Promise<Uint8Array> {
  if (corrupt) {
    console.warn(`Lantern: stored model file ${file.url} failed its check (altered or truncated on disk); fetching it again.`);
    await dropCorrupt(db, entry, [file.url]);
  }
  const bytes = await downloadFile(file, options);
  const valid = await storedFiles(db, entry);
  const last = entry.files.every((f) => f.url === file.url || valid.has(f.url));
  try {
    await storeFile(db, entry, file, bytes, last, file.bytes);
  } catch (error) {
    if (!(error instanceof StorageQuotaError)) throw error;
    console.warn(`Lantern: ${error.message} (${file.url} is used without being stored.)`);
  }
  return bytes;
}

export type FillOptions = {
  area: StorageArea;
  signal: AbortSignal;
  retries: number;
  onProgress?: ((p: StoreProgress) => void) | undefined;
  /** URLs of the files to download now (an `add` with `parts`); default every missing file. */
  only?: ReadonlySet<string> | undefined;
  /** fetch's priority for the downloads: 'low' in the background. */
  priority?: RequestPriority | undefined;
};

export type FillResult = { fetched: ModelFile[]; persisted: boolean | null };

/**
 * Downloads every file of `entry` without a matching record (or those of
 * them in `only`), in manifest order (so an interrupted download resumes at
 * the first missing file), and drops records of files the manifest no
 * longer names. The room check counts every missing file, `only` or not: a
 * model is added to be stored whole, and a quota that cannot hold it is
 * better said before the first byte than after the first part.
 */
export async function fillModel(db: StoreDb, entry: StoredEntry, options: FillOptions): Promise<FillResult> {
  const { manifestUrl } = entry.record;
  const named = new Set(entry.files.map((f) => f.url));
  const stale = (await fileRecords(db, manifestUrl)).filter((r) => !named.has(r.url)).map((r) => r.url);
  if (stale.length > 0) await dropFiles(db, manifestUrl, stale);

  const valid = await storedFiles(db, entry);
  const missing = entry.files.filter((f) => !valid.has(f.url));
  const asked = options.only === undefined ? entry.files : entry.files.filter((f) => options.only!.has(f.url));
  const fetching = asked.filter((f) => !valid.has(f.url));
  const total = totalBytes(asked);
  const parts = partMeter(entry, valid, fetching);
  const meter = createDownloadMeter(total, asked.length, options.onProgress, undefined, parts.now);
  let done = total - totalBytes(fetching);
  let doneFiles = asked.length - fetching.length;
  meter.update(done, doneFiles, true);
  if (missing.length === 0) {
    if (entry.record.state !== 'complete') await saveState(db, entry, 'complete');
    return { fetched: [], persisted: null };
  }
  if (entry.record.state !== 'partial') await saveState(db, entry, 'partial');

  await ensureRoom(options.area, entry.manifest.id, totalBytes(missing));
  const persisted = await requestPersistence(options.area);
  // The next file downloads while the last one is written: at most two shards in memory, and
  // the network is not idle during IndexedDB writes. Writes stay in manifest order; a failed
  // write stops the download running beside it, and nothing returns before the last write settled.
  const stop = new AbortController();
  const signal = AbortSignal.any([options.signal, stop.signal]);
  let writing: Promise<void> = Promise.resolve();
  let failed: { error: unknown } | null = null;
  let unstored = totalBytes(missing);
  try {
    for (const [i, file] of fetching.entries()) {
      signal.throwIfAborted();
      const bytes = await downloadFile(file, {
        signal,
        retries: options.retries,
        ...(options.priority === undefined ? {} : { priority: options.priority }),
        onBytes: (received) => {
          parts.arriving(file, received);
          meter.update(done + Math.min(received, file.bytes), doneFiles);
        },
      });
      await writing;
      signal.throwIfAborted();
      // Bytes the model still misses with this file (the quota error's count), `only` or not.
      const remaining = unstored;
      unstored -= file.bytes;
      done += file.bytes;
      parts.arrived(file);
      // The model completes with this write only if it was the last file missing, `only` or not.
      const last = i === fetching.length - 1 && fetching.length === missing.length;
      writing = storeFile(db, entry, file, bytes, last, remaining).then(
        () => meter.update(done, ++doneFiles, true),
        (error: unknown) => {
          failed = { error };
          stop.abort(error);
        },
      );
    }
  } finally {
    await writing;
  }
  if (failed !== null) throw (failed as { error: unknown }).error;
  return { fetched: fetching, persisted };
}

/** Bytes by part for the download's progress: each part's stored bytes, plus the file arriving now. */
function partMeter(entry: StoredEntry, valid: ReadonlyMap<string, FileRecord>, fetching: readonly ModelFile[]) {
  const urls = new Set(fetching.map((f) => f.url));
  const parts = modelParts(entry.manifest, entry.files, entry.record.manifestUrl).filter((p) => p.files.some((f) => urls.has(f.url)));
  const partOf = new Map(parts.flatMap((p) => p.files.map((f) => [f.url, p.id] as const)));
  const done = new Map(parts.map((p) => [p.id, totalBytes(p.files.filter((f) => valid.has(f.url)))]));
  let arriving: { url: string; part: ModelPartId; bytes: number } | null = null;
  return {
    now: (): PartProgress[] =>
      parts.map((p) => ({ id: p.id, doneBytes: done.get(p.id)! + (arriving?.part === p.id ? arriving.bytes : 0), totalBytes: totalBytes(p.files) })),
    arriving(file: ModelFile, received: number): void {
      const part = partOf.get(file.url);
      // A retried file starts again from 0; its part's bytes do not go back meanwhile.
      const before = arriving?.url === file.url ? arriving.bytes : 0;
      arriving = part === undefined ? null : { url: file.url, part, bytes: Math.max(before, Math.min(received, file.bytes)) };
    },
    arrived(file: ModelFile): void {
      const part = partOf.get(file.url);
      arriving = null;
      if (part !== undefined) done.set(part, done.get(part)! + file.bytes);
    },
  };
}

async function saveState(db: StoreDb, entry: StoredEntry, state: ModelRecord['state']): Promise<void> {
  entry.record = { ...entry.record, state, completedAt: state === 'complete' ? Date.now() : null };
  await dropFiles(db, entry.record.manifestUrl, [], entry.record);
}
