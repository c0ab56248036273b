// The model store's one typed interface. The store implements `ModelStore`
// inside its own worker (workers/model-store/store.worker.ts); the comlink proxy
// satisfies the same type on the main thread, so the UI's models screen and
// the tests code against one contract. Everything that crosses is
// structured-clonable; errors travel as { name, message } (workers/contracts/errors.ts
// lists the names) and progress as numbers, never prose.
import { BACKENDS } from './choices.mjs';

export const MODEL_STATES = ['partial', 'complete'] as const;
/** partial: some files are missing or failed their check (a download stopped, or a file was corrupt); complete: every file is stored and verified. */
export type ModelState = (typeof MODEL_STATES)[number];

/** How stored files are checked when they are read. */
export const CHECK_MODES = ['hash', 'stored'] as const;
/**
 * 'hash': re-hash the bytes (SHA-256) and compare with the manifest (catches
 * a file altered on disk; costs one hash pass, which the engine's loader
 * then does not repeat). 'stored': compare the size and the digest recorded
 * when the file was verified at download (no hashing).
 */
export type CheckMode = (typeof CHECK_MODES)[number];

/**
 * A model's parts, by which backend needs them (workers/model-store/parts.ts
 * derives them from any manifest with the engine's graphsFor): 'common' is
 * the tokenizer and the graphs every backend runs (text encoder, decoder,
 * encoder); 'wasm' and 'webgpu' the graphs only that backend runs (the whole
 * denoiser graph; the stage graphs); 'other' graphs no backend runs. A first
 * visit stores 'common' and the loaded backend's part first, the rest after.
 */
export const MODEL_PART_IDS = ['common', ...BACKENDS, 'other'] as const;
export type ModelPartId = (typeof MODEL_PART_IDS)[number];

/** One part of a stored model, and how much of it is stored. */
export type ModelPart = {
  id: ModelPartId;
  /** The manifest's graphs in this part, in manifest order ('common' holds the tokenizer as well). */
  graphs: string[];
  totalBytes: number;
  storedBytes: number;
  files: number;
  storedFiles: number;
};

/** One part's bytes during a download: stored before, stored now and arriving. */
export type PartProgress = { id: ModelPartId; doneBytes: number; totalBytes: number };

export type StoredModel = {
  /** The key: the manifest URL, absolute. */
  manifestUrl: string;
  id: string;
  name: string;
  version: string;
  license: string;
  state: ModelState;
  /** Bytes of every file the manifest names (tokenizer, graphs, external data). */
  totalBytes: number;
  /** Bytes of the files stored and verified: the storage this model uses. */
  storedBytes: number;
  files: number;
  storedFiles: number;
  /** The model's parts that hold files, in MODEL_PART_IDS order; together they hold every file once. */
  parts: ModelPart[];
  /** Memory the manifest says running the model takes, so the UI can warn before a download. */
  recommendedMemoryBytes: number;
  /** Milliseconds since the epoch. */
  addedAt: number;
  completedAt: number | null;
  /** When `verify` last re-hashed every file. */
  verifiedAt: number | null;
};

/**
 * Progress of `add` and `verify`. Bytes count over the whole model (over the
 * parts asked for, for an `add` with `parts`) and never go backwards; the
 * last event of a finished call has `doneBytes === totalBytes`.
 */
export type StoreProgress =
  /** Another tab or worker holds this model's lock (it is downloading it); this call waits, then finds what it stored. */
  | { phase: 'wait'; doneBytes: number; totalBytes: number }
  | {
      phase: 'download';
      /** Bytes stored and verified plus bytes of the file arriving now (files already stored count from the start). */
      doneBytes: number;
      totalBytes: number;
      /** Files finished (stored or already there) and all files. */
      doneFiles: number;
      files: number;
      /** Over the last few seconds of this call's own downloading; 0 until measurable. */
      bytesPerSecond: number;
      /** Seconds left at that rate; null until measurable. */
      etaSeconds: number | null;
      /** The same bytes by part (only the parts this call downloads), so a screen can say which part is arriving. */
      parts: PartProgress[];
    }
  | { phase: 'verify'; doneBytes: number; totalBytes: number; doneFiles: number; files: number };

export type StorageInfo = {
  /** navigator.storage.estimate(); null where the browser has no StorageManager. */
  usageBytes: number | null;
  quotaBytes: number | null;
  /** navigator.storage.persisted(): the browser will not evict this origin's data under storage pressure. */
  persisted: boolean | null;
};

export type AddResult = {
  model: StoredModel;
  /** Files fetched by this call; 0 when everything was already stored (or another tab stored it meanwhile). */
  fetchedFiles: number;
  fetchedBytes: number;
  /**
   * The answer to navigator.storage.persist(), asked before downloading:
   * false means the browser may evict the model under storage pressure; null
   * when nothing was downloaded or the browser has no StorageManager.
   */
  persisted: boolean | null;
};

export type VerifyResult = {
  model: StoredModel;
  /** URLs of files whose bytes no longer matched the manifest; they were dropped and fetched again. */
  corruptFiles: string[];
  /** URLs of files that were missing and were fetched. */
  missingFiles: string[];
};

/**
 * Why a model may not run (or fit) here, found before downloading it. The UI
 * words each one; none stops `add`.
 * - memory: the manifest's recommended memory exceeds what the device
 *   reports (navigator.deviceMemory, which browsers round and cap, e.g. at 8 GiB).
 * - gpu: the WebGPU adapter lacks a feature or the storage-binding size the
 *   model's WebGPU path needs (the engine would run it on the CPU instead),
 *   or there is no adapter.
 * - quota: what is left to download exceeds the free storage quota (add would fail).
 */
export type FitConcern =
  | { kind: 'memory'; neededBytes: number; deviceBytes: number }
  | { kind: 'gpu'; missingFeatures: string[]; neededBindingBytes: number; adapterBindingBytes: number | null }
  | { kind: 'quota'; neededBytes: number; freeBytes: number };

/** What the device reports, for the models screen. */
export type DeviceFacts = {
  /** navigator.deviceMemory in bytes; null where the browser does not say. */
  memoryBytes: number | null;
  /** The WebGPU adapter's limit and features; null without an adapter. */
  gpu: { maxStorageBufferBindingSize: number; maxBufferSize: number; features: string[] } | null;
};

/** A manifest checked before anything is downloaded (`inspect`). */
export type ManifestCheck = {
  manifestUrl: string;
  id: string;
  name: string;
  version: string;
  license: string;
  description: string;
  totalBytes: number;
  files: number;
  /** Bytes `add` would download now (less than totalBytes when some files are stored). */
  missingBytes: number;
  /** The model's state in the store; null when it is not stored. */
  stored: ModelState | null;
  recommendedMemoryBytes: number;
  device: DeviceFacts;
  concerns: FitConcern[];
};

export type AddOptions = {
  /**
   * Download only the files of these parts now (ModelPartId); the others stay
   * missing, and the model partial, until an `add` without `parts`. `[]`
   * keeps the model's record and downloads nothing: the engine's loads then
   * fetch and store what their backend runs (workers/model-store/source.ts).
   * The room check covers every file the model misses, whichever parts
   * download now: a model is added to be stored whole. Default: every part.
   */
  parts?: readonly ModelPartId[];
  /** 'low' for a download in the background: its requests go after the page's own (fetch's `priority`). Default 'auto'. */
  priority?: 'auto' | 'low';
};

/** What the UI's models screen calls. Every method is safe to call from several tabs at once. */
export type ModelStore = {
  /**
   * Fetches and validates a manifest and says whether the model fits this
   * device and the quota, downloading nothing and storing nothing. A bad
   * manifest is a ManifestError naming the field; a bad URL too.
   */
  inspect(manifestUrl: string): Promise<ManifestCheck>;
  /** Adds a model by manifest URL to the persisted list and downloads what is not stored yet (resuming at the first missing file), or only `options.parts` of it. */
  add(manifestUrl: string, onProgress?: (progress: StoreProgress) => void, options?: AddOptions): Promise<AddResult>;
  /** The models added, with state and storage used, in the order they were added. */
  list(): Promise<StoredModel[]>;
  /** Re-hashes every stored file of a model; corrupt or missing files are dropped and fetched again. */
  verify(manifestUrl: string, onProgress?: (progress: StoreProgress) => void): Promise<VerifyResult>;
  /** Deletes a model and its files, freeing their storage; a download of it running in this store is canceled first. */
  remove(manifestUrl: string): Promise<void>;
  /** Stops this store's running add or verify of a model (rejects it with ModelDownloadCanceledError); resolves once it has stopped. */
  cancel(manifestUrl: string): Promise<void>;
  storage(): Promise<StorageInfo>;
};
