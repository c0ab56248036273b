// Model loading: the manifest, then the tokenizer and the graphs a backend
// needs, each shard checked against the manifest's size and SHA-256 before
// anything parses it. Progress is reported in bytes over all files.
// Every file goes through one FileSource (workers/model-files/fetch.ts), where the
// model store slots in (workers/model-store/source.ts).

import { ModelIntegrityError } from '../contracts/errors';
import { TokenizerError } from '../engine/tokenize';
import { type FileSource, fetchChecked, fetchFile } from './fetch';
import { sha256Integrity, verifyIntegrity } from './integrity';
import { checkModelUrl, type Manifest, ManifestError, parseManifest } from './manifest';

/** Files downloaded at once; browsers allow about six connections per host. */
const PARALLEL_FILES = 4;

export type ModelFiles = {
  /** tokenizer.json, parsed. */
  tokenizerJson: unknown;
  /** Graph name -> its ONNX bytes (shards concatenated, verified). */
  graphs: Map<string, Uint8Array>;
  /** Graph name -> its external-data files (manifest `externalData`), each assembled from its shards; absent for graphs without. */
  externalData: Map<string, { path: string; data: Uint8Array }[]>;
};

export type LoadOptions = {
  signal?: AbortSignal;
  onProgress?: (loadedBytes: number, totalBytes: number) => void;
  source?: FileSource;
};

function base(): string {
  return globalThis.location?.href ?? 'http://localhost/';
}

/**
 * A manifest file URL made absolute against the manifest's own URL
 * (models-manifest/README.md: relative, or absolute http(s)).
 */
export function resolveModelUrl(url: string, manifestUrl: string, field: string): string {
  checkModelUrl(url, field);
  return new URL(url, new URL(manifestUrl, base())).href;
}

/**
 * Where the engine's manifests come from: `fetchManifest` reads the network;
 * the model store's `createStoreManifestSource` (workers/model-store/source.ts)
 * answers a stored model's manifest from IndexedDB first.
 */
export type ManifestSource = (manifestUrl: string, signal?: AbortSignal) => Promise<Manifest>;

/** Fetches and validates a manifest. A missing file is a ModelFileError; bad JSON or content a ManifestError. */
export async function fetchManifest(manifestUrl: string, signal?: AbortSignal): Promise<Manifest> {
  const url = new URL(manifestUrl, base()).href;
  const response = await fetchChecked(url, signal);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ManifestError('manifest', `at ${url} is not JSON (${cause instanceof Error ? cause.message : String(cause)}).`);
  }
  return parseManifest(json);
}

type FileJob = { url: string; bytes: number; sha256: string; done: number };

/**
 * Downloads tokenizer.json and the named graphs, verifying every shard (and
 * each multi-shard graph as a whole) against the manifest.
 */
export async function fetchModelFiles(manifest: Manifest, manifestUrl: string, graphNames: readonly string[], options: LoadOptions = {}): Promise<ModelFiles> {
  const source = options.source ?? fetchFile;
  const { signal, onProgress } = options;
  const tokenizer: FileJob = { ...manifest.tokenizer, url: resolveModelUrl(manifest.tokenizer.url, manifestUrl, 'tokenizer.url'), done: 0 };
  const graphJobs = graphNames.map((name) => {
    const graph = manifest.graphs[name];
    if (graph === undefined)
      throw new ManifestError('graphs', `has no graph '${name}', which the engine needs; it has: ${Object.keys(manifest.graphs).join(', ')}.`);
    return {
      name,
      graph,
      shards: graph.shards.map((s, i): FileJob => ({ ...s, url: resolveModelUrl(s.url, manifestUrl, `graphs.${name}.shards[${i}].url`), done: 0 })),
      external: graph.externalData.map((f, j) => ({
        file: f,
        shards: f.shards.map(
          (s, i): FileJob => ({ ...s, url: resolveModelUrl(s.url, manifestUrl, `graphs.${name}.externalData[${j}].shards[${i}].url`), done: 0 }),
        ),
      })),
    };
  });
  const jobs = [tokenizer, ...graphJobs.flatMap((g) => [...g.shards, ...g.external.flatMap((f) => f.shards)])];
  const total = jobs.reduce((sum, j) => sum + j.bytes, 0);
  const report = () =>
    onProgress?.(
      jobs.reduce((sum, j) => sum + j.done, 0),
      total,
    );
  report();

  const results = new Map<FileJob, Uint8Array>();
  // The first failure stops the other downloads too.
  const stop = new AbortController();
  const anySignal = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  await forEachLimited(jobs, PARALLEL_FILES, stop, async (job) => {
    const bytes = await source({
      url: job.url,
      bytes: job.bytes,
      sha256: job.sha256,
      signal: anySignal,
      onBytes: (n) => {
        job.done = Math.min(n, job.bytes);
        report();
      },
    });
    await verifyIntegrity(bytes, job, job.url);
    job.done = job.bytes;
    report();
    results.set(job, bytes);
  });

  /** A file's shards joined; a file of several shards is checked as a whole too. */
  const join = async (shards: FileJob[], whole: { bytes: number; sha256: string }, what: string): Promise<Uint8Array> => {
    const parts = shards.map((s) => results.get(s)!);
    if (parts.length === 1) return parts[0]!;
    const bytes = concat(parts, whole.bytes);
    const digest = await sha256Integrity(bytes);
    if (digest !== whole.sha256) throw new ModelIntegrityError(`${what} (${shards.length} shards joined)`, 'sha256', whole.sha256, digest);
    return bytes;
  };
  const graphs = new Map<string, Uint8Array>();
  const externalData = new Map<string, { path: string; data: Uint8Array }[]>();
  for (const { name, graph, shards, external } of graphJobs) {
    graphs.set(name, await join(shards, graph, `graph '${name}'`));
    if (external.length > 0) {
      const files: { path: string; data: Uint8Array }[] = [];
      for (const { file, shards: parts } of external)
        files.push({ path: file.path, data: await join(parts, file, `external data '${file.path}' of graph '${name}'`) });
      externalData.set(name, files);
    }
  }

  let tokenizerJson: unknown;
  try {
    tokenizerJson = JSON.parse(new TextDecoder().decode(results.get(tokenizer)!));
  } catch (cause) {
    throw new TokenizerError(`${tokenizer.url} passed its integrity check but is not JSON: re-export the model.`, { cause });
  }
  return { tokenizerJson, graphs, externalData };
}

function concat(parts: Uint8Array[], bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Runs `work` over `items`, at most `limit` at a time; the first failure aborts `stop` and rejects. */
async function forEachLimited<T>(items: readonly T[], limit: number, stop: AbortController, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (!stop.signal.aborted && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        stop.abort(error);
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
