// Where model bytes come from. The loader asks one `FileSource` for every
// file the manifest names; `fetchFile` reads them from the network. The model
// store slots in as another FileSource (workers/model-store/source.ts) that answers
// from IndexedDB and falls back to `fetchFile`, so nothing else changes.
import { ModelFileError, ModelIntegrityError } from '../contracts/errors';

export type FileRequest = {
  /** Absolute URL (resolved against the manifest's). */
  url: string;
  /** The size the manifest gives; more bytes than this is an integrity error. */
  bytes: number;
  /** The digest the manifest gives; the loader checks it, a cache uses it to tell its copy is this file. */
  sha256?: string;
  signal?: AbortSignal;
  /** Bytes of this file received so far; called as chunks arrive. */
  onBytes?: (received: number) => void;
  /** fetch's priority hint; the model store's background downloads ask 'low', so the page's own requests go first. */
  priority?: RequestPriority;
};

export type FileSource = (request: FileRequest) => Promise<Uint8Array>;

/**
 * fetch() that names the file when it fails: the network error or a bad
 * response is a ModelFileError; aborting rejects with the signal's reason.
 */
export async function fetchChecked(url: string, signal?: AbortSignal, priority?: RequestPriority): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { ...(signal === undefined ? {} : { signal }), ...(priority === undefined ? {} : { priority }) });
  } catch (cause) {
    if (signal?.aborted === true) throw signal.reason;
    throw new ModelFileError(url, null, cause instanceof Error ? cause.message : String(cause), { cause });
  }
  checkResponse(url, response);
  return response;
}

/** Reads a file with fetch, streaming into one buffer of the promised size. Aborting rejects with the signal's reason. */
export const fetchFile: FileSource = async ({ url, bytes, signal, onBytes, priority }) => {
  const response = await fetchChecked(url, signal, priority);
  const data = new Uint8Array(bytes);
  let received = 0;
  if (response.body === null) {
    received = await copyWhole(response, data, url);
  } else {
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (received + value.length > bytes) throw new ModelIntegrityError(url, 'size', `${bytes} bytes`, `more than ${bytes} bytes`);
        data.set(value, received);
        received += value.length;
        onBytes?.(received);
      }
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      if (error instanceof ModelIntegrityError) throw error;
      throw new ModelFileError(url, null, `the download broke off after ${received} bytes`, { cause: error });
    } finally {
      reader.releaseLock();
    }
  }
  if (received !== bytes) throw new ModelIntegrityError(url, 'size', `${bytes} bytes`, `${received} bytes`);
  return data;
};

/**
 * Throws ModelFileError for an HTTP error, and for an HTML page where a model
 * file should be: single-page-app servers (Vite's dev server among them)
 * answer a missing path with index.html and status 200.
 */
export function checkResponse(url: string, response: Response): void {
  if (!response.ok) throw new ModelFileError(url, response.status, `HTTP ${response.status} ${response.statusText}`.trim());
  if ((response.headers.get('content-type') ?? '').startsWith('text/html') && !/\.html?$/i.test(new URL(url).pathname)) {
    throw new ModelFileError(url, response.status, 'the server answered with an HTML page, not the file (a missing file behind a single-page-app fallback)', {
      missing: true,
    });
  }
}

async function copyWhole(response: Response, into: Uint8Array, url: string): Promise<number> {
  const whole = new Uint8Array(await response.arrayBuffer());
  if (whole.length > into.length) throw new ModelIntegrityError(url, 'size', `${into.length} bytes`, `${whole.length} bytes`);
  into.set(whole);
  return whole.length;
}
