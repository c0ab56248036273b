// readC2pa in Node (`npm run verify`, the Node tests): the same reader, with
// the library's .wasm read from node_modules instead of fetched. Reading
// needs no browser API (the library's fromBytes reads from memory); signing
// does (FileReaderSync), so it stays in the browser's worker.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { C2paUnavailableError } from './errors';
import { type C2paFinding, type C2paMimeType, readC2pa } from './read';
import { loadC2pa } from './wasm';

let loading: Promise<unknown> | undefined;

/** readC2pa, after loading the library from disk (once). */
export async function readC2paInNode(bytes: Uint8Array, mimeType: C2paMimeType): Promise<C2paFinding> {
  loading ??= (async () => {
    let wasm: Uint8Array;
    try {
      wasm = await readFile(createRequire(import.meta.url).resolve('@contentauth/c2pa-wasm/c2pa.wasm'));
    } catch (error) {
      throw new C2paUnavailableError(`its .wasm is not in node_modules (${String(error)}); run npm install`, { cause: error });
    }
    return loadC2pa(wasm);
  })().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  await loading;
  return readC2pa(bytes, mimeType);
}
