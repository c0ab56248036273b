/// <reference lib="webworker" />
// Lantern's service worker (built by vite-plugin-pwa, injectManifest; see
// pwa.config.ts and ARCHITECTURE.md, "PWA and privacy").
// - Precaches the app shell and onnxruntime-web's .wasm (workbox), and
//   answers every navigation with the precached index.html, so the app
//   starts offline.
// - Never caches model files or manifests (/models/): model files live in
//   the model store (IndexedDB, workers/model-store/). Offline, a model manifest
//   is answered from the store's record of it, so a stored model loads
//   with the network off; the engine reads its files from the store.
// - Tells the pages it controls about every request that goes to the
//   network (workers/contracts/service-worker-messages.ts), before it leaves: that is what the page's "no
//   network used by this generation" rests on. Every request of a
//   controlled page and of its workers passes through here.
// - Adds the app's Content-Security-Policy (policy.ts) to every response it
//   serves from the precache: a worker takes its policy from its script's
//   response, and a static host that sends no header would leave the
//   engine's worker without one.
// - Waits with an update until the page says so ('SKIP_WAITING', sent by
//   workbox-window when the user presses Reload).
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute, setDefaultHandler } from 'workbox-routing';
import { getModel, openStoreDb, STORE_DB_NAME, type StoreDb } from '../contracts/model-store-db';
import { MODEL_MANIFEST_PATH, NETWORK_MESSAGE, type NetworkMessage } from '../contracts/service-worker-messages';
import { CONTENT_SECURITY_POLICY } from './policy';

declare const self: ServiceWorkerGlobalScope;

/** Model manifests and files: never the app shell, never cached here. */
const MODELS = /^\/models\//;

/** Tells every page this worker controls that `request` is going to the network. */
async function report(request: Request): Promise<void> {
  const message: NetworkMessage = { type: NETWORK_MESSAGE, url: request.url, method: request.method, destination: request.destination };
  try {
    for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage(message);
  } catch (error) {
    console.warn('Lantern service worker: could not report a network request to the pages', request.url, error);
  }
}

/** Reports, then fetches: the pages hear of a request before it leaves. */
async function network({ request }: { request: Request }): Promise<Response> {
  await report(request);
  return fetch(request);
}

/** The stored manifest of a model in the model store, or undefined (no store, no such model, or a store newer than this worker). */
async function storedManifest(url: string): Promise<unknown> {
  let db: StoreDb;
  try {
    db = await openStoreDb(STORE_DB_NAME, self.indexedDB);
  } catch (error) {
    console.warn('Lantern service worker: the model store cannot be read', error);
    return undefined;
  }
  try {
    return (await getModel(db, url))?.manifest;
  } finally {
    db.close();
  }
}

/** A model manifest: from the network, else (offline) the model store's copy; a model not stored stays a network error. */
async function modelManifest({ request }: { request: Request }): Promise<Response> {
  await report(request);
  try {
    return await fetch(request);
  } catch (error) {
    const manifest = await storedManifest(request.url);
    if (manifest === undefined) throw error;
    return new Response(JSON.stringify(manifest), { headers: { 'Content-Type': 'application/json', 'X-Lantern-Source': 'model-store' } });
  }
}

/** The response with the app's policy added (a host's own policy, if any, stays in force beside it). */
function withPolicy(response: Response): Response {
  const policies = response.headers.get('Content-Security-Policy');
  if (policies?.split(',').some((policy) => policy.trim() === CONTENT_SECURITY_POLICY)) return response;
  const headers = new Headers(response.headers);
  headers.append('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

addPlugins([
  {
    // Precached files come from the network only while installing or when one is missing from the cache: reported too.
    requestWillFetch: async ({ request }) => {
      await report(request);
      return request;
    },
    cachedResponseWillBeUsed: async ({ cachedResponse }) => (cachedResponse === undefined ? undefined : withPolicy(cachedResponse)),
  },
]);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// The pages read their own URL (?backend=...): a navigation to embed.html (or the embed's docs page) with any query is that page, every other one in scope the one index.html.
// (Workbox tests these patterns against the path *and* the query.)
registerRoute(new NavigationRoute(createHandlerBoundToURL('embed.html'), { allowlist: [/\/embed\.html(\?.*)?$/] }));
registerRoute(new NavigationRoute(createHandlerBoundToURL('embed-demo.html'), { allowlist: [/\/embed-demo\.html(\?.*)?$/] }));
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [MODELS] }));
registerRoute(({ url, sameOrigin }) => sameOrigin && MODEL_MANIFEST_PATH.test(url.pathname), modelManifest);
// Every other GET (model files included) goes to the network, reported, uncached.
setDefaultHandler(network);
// Workbox routes GET only; other methods are reported and sent here, where no route could also answer them.
self.addEventListener('fetch', (event) => {
  if (event.request.method !== 'GET') event.respondWith(network(event));
});

self.addEventListener('message', (event) => {
  const data: unknown = event.data;
  if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'SKIP_WAITING') void self.skipWaiting();
});
// The first version takes over the page that installed it (nothing older to conflict with); an update
// activates only after SKIP_WAITING, and workbox-window then reloads the page.
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
