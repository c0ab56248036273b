// One file from the network: streamed (fetch + ReadableStream, through the
// loader's fetchFile) into a buffer of the manifest's size, then SHA-256
// checked with WebCrypto before anything counts it. A broken connection or a
// server error (5xx) is retried after a pause; a wrong size or digest is not
// (the server has the wrong file: a ModelIntegrityError naming it).
import { ModelFileError } from '../contracts/errors';
import { fetchFile } from '../model-files/fetch';
import { rememberDigest, verifyIntegrity } from '../model-files/integrity';
import type { ModelFile } from './files';

export type DownloadOptions = {
  signal: AbortSignal;
  /** Bytes of this file received so far in this attempt. */
  onBytes?: (received: number) => void;
  /** Attempts after the first, for network failures and 5xx answers. */
  retries: number;
  /** fetch's priority hint: 'low' for downloads in the background. */
  priority?: RequestPriority;
};

const RETRY_PAUSE_MS = [500, 2000, 5000];

function transient(error: unknown): boolean {
  return error instanceof ModelFileError && (error.status === null || error.status >= 500);
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', done);
      resolve();
    }, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Downloads and verifies one file; the bytes returned match the manifest (and are remembered as verified for the loader). */
export async function downloadFile(file: ModelFile, options: DownloadOptions): Promise<Uint8Array> {
  for (let attempt = 0; ; attempt++) {
    try {
      const bytes = await fetchFile({
        url: file.url,
        bytes: file.bytes,
        signal: options.signal,
        ...(options.priority === undefined ? {} : { priority: options.priority }),
        ...(options.onBytes === undefined ? {} : { onBytes: options.onBytes }),
      });
      await verifyIntegrity(bytes, file, file.url);
      rememberDigest(bytes, file.sha256);
      return bytes;
    } catch (error) {
      if (options.signal.aborted || attempt >= options.retries || !transient(error)) throw error;
      await pause(RETRY_PAUSE_MS[Math.min(attempt, RETRY_PAUSE_MS.length - 1)]!, options.signal);
    }
  }
}
