// The built app's Content Security Policy: one string for the build's <meta>
// tag and the preview server's header (pwa.config.ts), and for the service
// worker, which adds it to every response it serves from the precache
// (service-worker.ts).

/**
 * The built app's Content Security Policy. Each source is there because
 * something needs it, and nothing else is:
 * - script-src 'self': the bundle's own module scripts; no inline scripts,
 *   no eval. 'wasm-unsafe-eval': compiling WebAssembly (onnxruntime-web's
 *   .wasm); it allows WebAssembly.compile/instantiate only, not eval.
 * - worker-src 'self': the engine's and the model store's module workers
 *   and the service worker are files of the app; onnxruntime-web's own
 *   workers (proxy, pthreads) would load from its bundle's URL, also 'self'.
 *   No blob: workers exist (checked in the build: no createObjectURL in
 *   the worker bundle).
 * - connect-src 'self': every fetch (manifests, model files, ORT's .wasm)
 *   goes to this origin. A model hosted elsewhere needs its origin added
 *   here by whoever deploys it.
 * - img-src 'self' data: blob:: the favicon is a data: SVG in index.html;
 *   the gallery's thumbnails are blob: URLs of images stored on this device.
 * - media-src 'self' blob:: the player's clip is a blob: URL of the MP4
 *   made on this device.
 * - style-src falls back to default-src 'self': one CSS file; Solid sets
 *   styles through the CSSOM, which CSP does not govern.
 * - object-src 'none', base-uri 'self', form-action 'self': default-src does
 *   not cover them.
 * frame-ancestors is not set: embedding the app in an iframe is documented
 * (README, "Scripting and embedding"), and a <meta> policy cannot carry it.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');
