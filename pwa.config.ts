// The installable, offline app and its Content Security Policy, for
// vite.config.ts. Why each choice: ARCHITECTURE.md, "PWA and privacy".
import type { Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { embedContentSecurityPolicy, isEmbedPage } from './embed.config.ts';
import { CONTENT_SECURITY_POLICY } from './workers/service-worker/policy.ts';

export { CONTENT_SECURITY_POLICY };

/** Model files and manifests live under /models/: never precached, never cached by the service worker. */
export const MODELS_PATH = '/models/';

/** The ORT .wasm is about 27 MB; workbox's default cap (2 MiB) would leave it out of the precache. */
export const PRECACHE_FILE_LIMIT_BYTES = 32 * 1024 * 1024;

/**
 * The policy as a <meta> tag in the built index.html (any static host
 * applies it to the page), and as a response header from `vite preview`,
 * which is the only way a policy reaches workers: a worker takes its policy
 * from its script's response, not from the page's <meta>. The dev server
 * gets neither: Vite injects CSS as inline <style> elements and serves
 * HMR over a WebSocket.
 */
export function contentSecurityPolicy(): Plugin[] {
  return [
    {
      name: 'lantern:content-security-policy-meta',
      apply: 'build',
      transformIndexHtml: {
        order: 'pre',
        handler: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }],
      },
    },
    {
      // `vite preview` resolves its config as 'serve', so this one cannot be apply: 'build'; the dev server never calls it.
      name: 'lantern:content-security-policy-header',
      configurePreviewServer(server) {
        server.middlewares.use((req, res, next) => {
          res.setHeader('Content-Security-Policy', isEmbedPage(req.url) ? embedContentSecurityPolicy() : CONTENT_SECURITY_POLICY);
          next();
        });
      },
    },
  ];
}

/**
 * vite-plugin-pwa with our own service worker (workers/service-worker/service-worker.ts,
 * injectManifest): workbox precaches the app shell and ORT's .wasm; the
 * worker adds what generateSW cannot: it reports every request it lets
 * through to the network to the pages (the privacy indicator), and offline
 * it answers a model manifest from the model store's IndexedDB record.
 */
export function progressiveWebApp(): Plugin[] {
  return VitePWA({
    strategies: 'injectManifest',
    srcDir: 'workers/service-worker',
    filename: 'service-worker.ts',
    // The page shows "A new version is ready" and the user chooses when to reload (src/state/offline-state.ts).
    registerType: 'prompt',
    // src/state/offline-state.ts registers it through virtual:pwa-register (workbox-window); nothing is injected into index.html.
    injectRegister: false,
    manifest: {
      name: 'Lantern',
      short_name: 'Lantern',
      description: 'Text-to-video generation that runs entirely in your browser.',
      start_url: '/',
      scope: '/',
      display: 'standalone',
      background_color: '#161513',
      theme_color: '#c2570c',
      icons: [
        { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
        { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
        { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      ],
    },
    // The icons come in through the globs below; the plugin adds manifest.webmanifest itself.
    includeManifestIcons: false,
    injectManifest: {
      globPatterns: ['**/*.{html,js,mjs,css,wasm,png}'],
      globIgnores: ['models/**'],
      maximumFileSizeToCacheInBytes: PRECACHE_FILE_LIMIT_BYTES,
    },
    devOptions: { enabled: false },
  });
}
