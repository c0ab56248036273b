// The installable, offline app on the page's side, as one Solid store:
// registers the service worker (workbox-window, through vite-plugin-pwa's
// virtual:pwa-register), knows whether it controls the page (the app shell
// then comes from its cache), offers a reload when a new version is
// waiting, and watches each generation's network use. The model's side of
// "offline-ready" is the models store's (src/models/): the page keeps the
// built-in model in the model store before its first load.
// Only a built app has a service worker; in the dev server none of this runs
// (`enabled` is false) and the page shows nothing of it.

import { registerSW } from 'virtual:pwa-register';
import { createContext, useContext } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { EngineClient } from '../engine-client';
import { createNetworkWatch, type NetworkReport } from '../network-watch';

export type OfflineState = {
  /** A built app in a browser with service workers; false in the dev server. */
  enabled: boolean;
  /** A service worker controls the page, so the app shell and ORT's .wasm come from its cache. */
  shellCached: boolean;
  /** A new version's service worker is installed and waits for the user's Reload. */
  updateReady: boolean;
  /** What went to the network during the last generation (null before the first). */
  lastGeneration: NetworkReport | null;
  /** Why the browser refused the service worker (blocked storage for a frame inside another site, a private window); null when it did not. */
  registrationError: string | null;
};

export type OfflineStore = ReturnType<typeof createOfflineStore>;

/** Browsers check for a new service worker on navigation; a tab left open checks this often too. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

export function createOfflineStore(client: EngineClient) {
  const enabled = import.meta.env.PROD && 'serviceWorker' in navigator;
  const [state, setState] = createStore<OfflineState>({
    enabled,
    shellCached: enabled && navigator.serviceWorker.controller !== null,
    updateReady: false,
    lastGeneration: null,
    registrationError: null,
  });
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

  let updateServiceWorker: (reloadPage?: boolean) => Promise<void> = async () => undefined;

  if (enabled) {
    navigator.serviceWorker.addEventListener('controllerchange', () => setState('shellCached', navigator.serviceWorker.controller !== null));
    updateServiceWorker = registerSW({
      onNeedRefresh: () => setState('updateReady', true),
      // workbox-window reloads only when a service worker controlled the page at registration; on the visit
      // that installed the first version none did, so `reload` below reloads on controllerchange itself.
      onNeedReload: () => undefined,
      onRegisteredSW: (_url, registration) => {
        // Not during a generation: the check fetches the service worker's script, a request no witness sees.
        const check = () => (span === null ? void registration?.update().catch(() => undefined) : undefined);
        if (registration !== undefined) setInterval(check, UPDATE_CHECK_MS);
      },
      onRegisterError: (error: unknown) => {
        console.warn('Lantern: the service worker could not be registered; the app will not work offline.', error);
        setState('registrationError', error instanceof Error ? error.message : String(error));
      },
    });
  }

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

export const OfflineContext = createContext<OfflineStore>();

export function useOffline(): OfflineStore {
  const store = useContext(OfflineContext);
  if (store === undefined) throw new Error('useOffline() must be called inside <OfflineContext.Provider>.');
  return store;
}
