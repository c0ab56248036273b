// The installable, offline app on the page's side, as one Solid store:
// registers the service worker (workbox-window, through vite-plugin-pwa's
// virtual:pwa-register), offers a reload when a new version is waiting,
// keeps the built-in model in the model store (workers/store/) so it loads
// with the network off, and watches each generation's network use.
// Only a built app has a service worker; in the dev server none of this runs
// (`enabled` is false) and the page shows nothing of it.
import { createContext, useContext } from 'solid-js';
import { createStore } from 'solid-js/store';
import { registerSW } from 'virtual:pwa-register';
import { connectModelStore } from '../workers/store/client';
import type { EngineClient, EngineState } from './engine-client';
import { type NetworkReport, createNetworkWatch } from './network-watch';

export type ShownError = { name: string; message: string };

/** The built-in model's place in the model store. */
export type ModelKeeping =
  /** Waiting for the engine's first load to finish (the store's download would compete with it). */
  | { status: 'waiting' }
  | { status: 'saving'; doneBytes: number; totalBytes: number }
  | { status: 'stored' }
  | { status: 'failed'; error: ShownError };

export type OfflineState = {
  /** A built app in a browser with service workers; false in the dev server. */
  enabled: boolean;
  /** A service worker controls the page, so the app shell and ORT's .wasm come from its cache. */
  shellCached: boolean;
  model: ModelKeeping;
  /** A new version's service worker is installed and waits for the user's Reload. */
  updateReady: boolean;
  /** What went to the network during the last generation (null before the first). */
  lastGeneration: NetworkReport | null;
  version: string;
};

export type OfflineStore = ReturnType<typeof createOfflineStore>;

/** Browsers check for a new service worker on navigation; a tab left open checks this often too. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

export function createOfflineStore(client: EngineClient, options: { manifestUrl: string }) {
  const enabled = import.meta.env.PROD && 'serviceWorker' in navigator;
  const [state, setState] = createStore<OfflineState>({
    enabled,
    shellCached: enabled && navigator.serviceWorker.controller !== null,
    model: { status: 'waiting' },
    updateReady: false,
    lastGeneration: null,
    version: __LANTERN_VERSION__,
  });
  let updateServiceWorker: (reloadPage?: boolean) => Promise<void> = async () => undefined;

  if (enabled) {
    navigator.serviceWorker.addEventListener('controllerchange', () => setState('shellCached', navigator.serviceWorker.controller !== null));
    updateServiceWorker = registerSW({
      onNeedRefresh: () => setState('updateReady', true),
      // workbox-window reloads only when a service worker controlled the page at registration; on the visit
      // that installed the first version none did, so `reload` below reloads on controllerchange itself.
      onNeedReload: () => undefined,
      onRegisteredSW: (_url, registration) => {
        if (registration !== undefined) setInterval(() => void registration.update().catch(() => undefined), UPDATE_CHECK_MS);
      },
      onRegisterError: (error: unknown) => console.warn('Lantern: the service worker could not be registered; the app will not work offline.', error),
    });
    void afterFirstLoad(client).then(() => keepModel(new URL(options.manifestUrl, location.href).href));
  }

  /**
   * Adds the built-in model to the model store, once per page: the first
   * visit downloads it; later ones fetch its manifest again, so a new
   * version's model replaces the stored one (only changed files are
   * fetched). When that check fails (offline) a complete stored model stays.
   */
  const keepModel = async (manifestUrl: string): Promise<void> => {
    const store = connectModelStore();
    try {
      const before = (await store.list()).find((model) => model.manifestUrl === manifestUrl);
      if (before?.state === 'complete') setState('model', { status: 'stored' });
      try {
        await store.add(manifestUrl, (progress) => {
          if (progress.doneBytes < progress.totalBytes) setState('model', { status: 'saving', doneBytes: progress.doneBytes, totalBytes: progress.totalBytes });
        });
      } catch (error) {
        if (before?.state !== 'complete') throw error;
        console.info('Lantern: could not check the stored model for a newer version; the stored one stays.', error);
      }
      setState('model', { status: 'stored' });
    } catch (error) {
      setState('model', { status: 'failed', error: shown(error) });
      console.warn('Lantern: the model could not be kept for offline use.', error);
    } finally {
      store.terminate();
    }
  };

  // Each generation's network use, from the moment the engine starts it until it ends.
  const watch = createNetworkWatch();
  let span: ReturnType<typeof watch.begin> | null = null;
  client.subscribe((event) => {
    if (event.type !== 'state') return;
    if (event.state.status === 'generating') {
      span ??= watch.begin();
    } else if (span !== null) {
      const ending = span;
      span = null;
      void ending.end().then((report) => setState('lastGeneration', report));
    }
  });

  const actions = {
    /** Activates the waiting version; the page reloads once it controls the page. */
    reload: (): void => {
      navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
      void updateServiceWorker(true);
    },
    dismissUpdate: (): void => {
      setState('updateReady', false);
    },
  };
  return { state, actions };
}

/** Resolves once the engine's first load has ended (loaded or failed), so the store's download does not compete with it. */
function afterFirstLoad(client: EngineClient): Promise<void> {
  const settled = (s: EngineState): boolean => s.status === 'ready' || (s.status === 'idle' && s.error !== undefined);
  if (settled(client.state)) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = client.subscribe((event) => {
      if (event.type === 'state' && settled(event.state)) {
        stop();
        resolve();
      }
    });
  });
}

function shown(error: unknown): ShownError {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}

export const OfflineContext = createContext<OfflineStore>();

export function useOffline(): OfflineStore {
  const store = useContext(OfflineContext);
  if (store === undefined) throw new Error('useOffline() must be called inside <OfflineContext.Provider>.');
  return store;
}
