// The URL of the C2PA library's .wasm in the built app (an asset Vite emits
// and the service worker precaches). Its own module so that Node, which
// cannot import `?url`, never loads it (wasm.ts imports it only when no
// bytes were given).
import url from '@contentauth/c2pa-wasm/assets/c2pa_bg.wasm?url';

export const C2PA_WASM_URL: string = url;
