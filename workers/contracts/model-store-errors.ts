// The model store's named errors (listed in ENGINE_ERROR_NAMES, workers/contracts/errors.ts).
// A file that fails its check is a ModelIntegrityError and a file that
// cannot be fetched a ModelFileError, both from workers/contracts/errors.ts and both
// naming the file.
import type { ModelPartId } from './model-store';

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

/** The model does not fit in this origin's storage quota (checked before downloading, or reported by IndexedDB while writing). */
export class StorageQuotaError extends Error {
  readonly neededBytes: number;
  /** Free bytes by navigator.storage.estimate(), or null when IndexedDB refused a write (QuotaExceededError). */
  readonly availableBytes: number | null;
  constructor(model: string, neededBytes: number, availableBytes: number | null, options?: { cause?: unknown }) {
    super(
      availableBytes === null
        ? `The browser refused to store more of model '${model}': its storage quota is used up (QuotaExceededError) with ${megabytes(neededBytes)} still to store. ` +
            "What was stored so far is kept and verified; free space (delete models you do not need, or clear other sites' data) and add the model again to continue."
        : `Model '${model}' needs ${megabytes(neededBytes)} more storage, but only ${megabytes(availableBytes)} of this site's quota is free. ` +
            'Delete models you do not need, or free disk space, then try again.',
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'StorageQuotaError';
    this.neededBytes = neededBytes;
    this.availableBytes = availableBytes;
  }
}

/** verify/remove/read of a manifest URL the store has no record of. */
export class ModelNotStoredError extends Error {
  readonly manifestUrl: string;
  constructor(manifestUrl: string, what: string) {
    super(`No model is stored for manifest ${manifestUrl} (${what}). Add it first; the stored models are listed by list().`);
    this.name = 'ModelNotStoredError';
    this.manifestUrl = manifestUrl;
  }
}

/** IndexedDB cannot be opened here (private browsing in some browsers, storage disabled, or a database from a newer Lantern). */
export class ModelStoreUnavailableError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      `The model store (IndexedDB) cannot be used in this browser: ${detail}. Models will download each time; ` +
        'allow site data for this page (or leave private browsing) to keep them.',
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'ModelStoreUnavailableError';
  }
}

/** A download or verification stopped because cancel() or remove() asked it to. */
export class ModelDownloadCanceledError extends Error {
  constructor(manifestUrl: string) {
    super(`The download of ${manifestUrl} was canceled. The files already stored are kept; add the model again to continue where it stopped.`);
    this.name = 'ModelDownloadCanceledError';
  }
}

/** The part of a model a missing file belongs to, for ModelUnavailableOfflineError (workers/model-store/parts.ts words it). */
export type MissingPart = { id: ModelPartId; description: string; storedFiles: number; files: number };

/**
 * A model cannot load without the network, and the network cannot be reached:
 * it is not stored in this browser (no manifest to load from), or a file of a
 * partly stored model is missing: typically a part the loaded backend did
 * not need yet (the other backend's graphs, stored in the background after
 * a first visit), which the message names.
 */
export class ModelUnavailableOfflineError extends Error {
  readonly manifestUrl: string;
  /** The file that could not be fetched; null when the model itself is not stored. */
  readonly missingFile: string | null;
  /** The part of the model that file belongs to; null when the model itself is not stored (or the part is unknown). */
  readonly missingPart: ModelPartId | null;
  constructor(manifestUrl: string, missingFile: string | null, detail: string, options?: { cause?: unknown; part?: MissingPart }) {
    const offline = (globalThis.navigator as Navigator | undefined)?.onLine === false ? 'this browser is offline' : 'the network cannot be reached';
    const part = options?.part;
    const partly =
      part === undefined
        ? `its file ${missingFile} is missing`
        : `${part.description} ${part.storedFiles === 0 ? 'are not stored yet' : `are only partly stored (${part.storedFiles} of ${part.files} files)`}, and its file ${missingFile} is missing`;
    super(
      (missingFile === null
        ? `Model ${manifestUrl} is not stored in this browser, and ${offline} to download it (${detail}). `
        : `Model ${manifestUrl} is only partly stored in this browser: ${partly}, and ${offline} to fetch it (${detail}). `) +
        'Connect to the network and load it once (Lantern keeps it, then it loads offline), or add it on the Models screen while online.',
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'ModelUnavailableOfflineError';
    this.manifestUrl = manifestUrl;
    this.missingFile = missingFile;
    this.missingPart = part?.id ?? null;
  }
}

export const STORE_ERROR_NAMES = [
  'StorageQuotaError',
  'ModelNotStoredError',
  'ModelStoreUnavailableError',
  'ModelDownloadCanceledError',
  'ModelUnavailableOfflineError',
] as const;
