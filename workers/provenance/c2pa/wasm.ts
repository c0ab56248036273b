// The C2PA library (@contentauth/c2pa-wasm, c2pa-rs compiled to WebAssembly),
// loaded once per context. Its .wasm (about 9 MB, 3.5 MB gzipped) is imported
// as a URL (wasm-url.ts), so Vite emits it as an asset of the build and the
// service worker precaches it with the app shell: signing and reading work
// offline. Node has no server to fetch from: node.ts hands loadC2pa the bytes
// from disk first, so the URL module is never imported there.
import init, * as c2pa from '@contentauth/c2pa-wasm';
import { C2paUnavailableError } from './errors';

export type C2paModule = typeof c2pa;
export type C2paWasmSource = string | URL | BufferSource | WebAssembly.Module;

let loading: Promise<C2paModule> | undefined;

/**
 * The library, ready to use. `source` is the .wasm (its URL, bytes or a
 * compiled module; by default the app's own asset); only the first call's is
 * used. A failed load is not remembered, so a later call tries again.
 */
export function loadC2pa(source?: C2paWasmSource): Promise<C2paModule> {
  loading ??= (async () => {
    try {
      await init({ module_or_path: source ?? (await import('./wasm-url')).C2PA_WASM_URL });
      return c2pa;
    } catch (error) {
      loading = undefined;
      throw new C2paUnavailableError(String(error), { cause: error });
    }
  })();
  return loading;
}
