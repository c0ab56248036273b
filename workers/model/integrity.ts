// Subresource-Integrity-style digests: "sha256-" + base64(SHA-256(bytes)),
// the form the manifest stores for every file (models-manifest/README.md).
import { ModelIntegrityError } from '../errors';

export async function sha256Integrity(bytes: Uint8Array): Promise<string> {
  // SubtleCrypto takes a BufferSource; a view on a shared or larger buffer is fine.
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return `sha256-${btoa(binary)}`;
}

/** Throws ModelIntegrityError naming `url` unless `bytes` has the manifest's size and digest. */
export async function verifyIntegrity(bytes: Uint8Array, expected: { bytes: number; sha256: string }, url: string): Promise<void> {
  if (bytes.length !== expected.bytes) throw new ModelIntegrityError(url, 'size', `${expected.bytes} bytes`, `${bytes.length} bytes`);
  const actual = await sha256Integrity(bytes);
  if (actual !== expected.sha256) throw new ModelIntegrityError(url, 'sha256', expected.sha256, actual);
}
