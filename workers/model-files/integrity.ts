// Subresource-Integrity-style digests: "sha256-" + base64(SHA-256(bytes)),
// the form the manifest stores for every file (models-manifest/README.md).
import { ModelIntegrityError } from '../contracts/errors';

export async function sha256Integrity(bytes: Uint8Array): Promise<string> {
  // SubtleCrypto takes a BufferSource; a view on a shared or larger buffer is fine.
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return `sha256-${btoa(binary)}`;
}

/**
 * Digests already computed over these exact buffers. The model store hashes
 * a file when it reads it from IndexedDB (or the network) and hands the
 * fresh buffer straight to the loader, which would otherwise hash it again:
 * at 200-300 MB/s on a 2-core machine that second pass is seconds for a
 * large model. Only the store calls rememberDigest, on buffers nobody else
 * holds yet; a buffer altered after that would not be caught, so callers
 * must not remember a buffer they have handed out.
 */
const knownDigests = new WeakMap<Uint8Array, string>();

export function rememberDigest(bytes: Uint8Array, digest: string): void {
  knownDigests.set(bytes, digest);
}

/** Throws ModelIntegrityError naming `url` unless `bytes` has the manifest's size and digest. */
export async function verifyIntegrity(bytes: Uint8Array, expected: { bytes: number; sha256: string }, url: string): Promise<void> {
  if (bytes.length !== expected.bytes) throw new ModelIntegrityError(url, 'size', `${expected.bytes} bytes`, `${bytes.length} bytes`);
  const actual = knownDigests.get(bytes) ?? (await sha256Integrity(bytes));
  if (actual !== expected.sha256) throw new ModelIntegrityError(url, 'sha256', expected.sha256, actual);
}
