// A graph read from the store for onnxruntime: its .onnx file and each of
// its external-data files assembled from their shards, one buffer per file,
// never one for the whole model. Shards are joined as Blobs (no copy per
// shard) and read once; each shard is checked within the joined buffer. A
// shard missing or failing its check is fetched again (under the model's
// lock) and the file read again.

import { ModelIntegrityError } from '../../workers/contracts/errors';
import type { CheckMode } from '../../workers/contracts/model-store';
import { databaseHandle, fileRecord, readChunk, STORE_DB_NAME, type StoreDb } from '../../workers/contracts/model-store-db';
import { sha256Integrity } from '../../workers/model-files/integrity';
import { resolveModelUrl } from '../../workers/model-files/load';
import { ManifestError, type Shard } from '../../workers/model-files/manifest';
import { absoluteUrl, type ModelFile } from '../../workers/model-store/files';
import { matches, readEntry, refetchFile, type StoredEntry } from '../../workers/model-store/fill';
import { withModelLock } from '../../workers/model-store/locks';
import { originStorage, type StorageArea } from '../../workers/model-store/quota';

export type StoredGraph = {
  /** The .onnx file. */
  model: Uint8Array;
  /** Its external-data files, by the `location` its initializers name: onnxruntime-web's `externalData` session option. */
  externalData: { path: string; data: Uint8Array }[];
};

export type ReadGraphOptions = { dbName?: string; storage?: StorageArea; check?: CheckMode; retries?: number; signal?: AbortSignal };

/** Reads graph `name` of the stored model at `manifestUrl`. */
export async function readStoredGraph(manifestUrl: string, name: string, options: ReadGraphOptions = {}): Promise<StoredGraph> {
  const db = await databaseHandle(options.dbName ?? STORE_DB_NAME, options.storage ?? originStorage())();
  try {
    const url = absoluteUrl(manifestUrl);
    const entry = await readEntry(db, url, `read graph '${name}'`);
    const graph = entry.manifest.graphs[name];
    if (graph === undefined) throw new ManifestError('graphs', `has no graph '${name}'; it has: ${Object.keys(entry.manifest.graphs).join(', ')}.`);
    const byUrl = new Map(entry.files.map((f) => [f.url, f]));
    const files = (shards: readonly Shard[], field: string) => shards.map((s, i) => byUrl.get(resolveModelUrl(s.url, url, `${field}[${i}].url`))!);
    const reader = { db, entry, check: options.check ?? 'hash', retries: options.retries ?? 2, signal: options.signal ?? new AbortController().signal };
    const model = await readJoined(reader, files(graph.shards, `graphs.${name}.shards`), `graph '${name}'`);
    const externalData: StoredGraph['externalData'] = [];
    for (const [j, f] of graph.externalData.entries()) {
      externalData.push({
        path: f.path,
        data: await readJoined(reader, files(f.shards, `graphs.${name}.externalData[${j}].shards`), `external data '${f.path}' of graph '${name}'`),
      });
    }
    return { model, externalData };
  } finally {
    db.close();
  }
}

type Reader = { db: StoreDb; entry: StoredEntry; check: CheckMode; retries: number; signal: AbortSignal };

async function readJoined(reader: Reader, shards: ModelFile[], what: string): Promise<Uint8Array> {
  const { db, entry } = reader;
  const manifestUrl = entry.record.manifestUrl;
  for (let attempt = 0; attempt < 2; attempt++) {
    const blobs: Blob[] = [];
    const broken = new Map<ModelFile, boolean>(); // shard -> corrupt (true) or missing (false)
    for (const shard of shards) {
      const record = await fileRecord(db, manifestUrl, shard.url);
      const blob = matches(record, shard) ? await readChunk(db, manifestUrl, shard.url) : undefined;
      if (blob === undefined || blob.size !== shard.bytes) broken.set(shard, record !== undefined);
      else blobs.push(blob);
    }
    if (broken.size === 0) {
      const bytes = shards.length === 1 ? new Uint8Array(await blobs[0]!.arrayBuffer()) : new Uint8Array(await new Blob(blobs).arrayBuffer());
      if (reader.check === 'stored') return bytes;
      let at = 0;
      for (const shard of shards) {
        if ((await sha256Integrity(bytes.subarray(at, at + shard.bytes))) !== shard.sha256) broken.set(shard, true);
        at += shard.bytes;
      }
      if (broken.size === 0) return bytes;
    }
    if (attempt === 1) {
      const [shard] = [...broken.keys()];
      throw new ModelIntegrityError(shard!.url, 'sha256', shard!.sha256, `a different digest (${what}) even after fetching it again`);
    }
    await withModelLock(
      manifestUrl,
      reader.signal,
      () => undefined,
      async () => {
        for (const [shard, corrupt] of broken) {
          reader.entry = await readEntry(db, manifestUrl, `read ${what}`);
          await refetchFile(db, reader.entry, shard, corrupt, { signal: reader.signal, retries: reader.retries });
        }
      },
    );
  }
  throw new Error('unreachable');
}
