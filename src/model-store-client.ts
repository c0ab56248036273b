// The page's side of the model store: a ModelStore backed by the store's
// worker through comlink. navigator.storage.persist() exists only in a
// window, so the client asks it here, before a download starts, and reports
// that answer in AddResult.persisted.
import * as Comlink from 'comlink';
import type { AddResult, ModelStore, StoreProgress } from '../workers/contracts/model-store';

export type ModelStoreClient = ModelStore & {
  /** Ends the worker (a running download stops where it is; the next add resumes it). */
  terminate(): void;
};

export function connectModelStore(
  worker: Worker = new Worker(new URL('../workers/model-store/store.worker.ts', import.meta.url), { type: 'module', name: 'lantern-model-store' }),
): ModelStoreClient {
  const remote = Comlink.wrap<ModelStore>(worker);
  const progress = (onProgress?: (p: StoreProgress) => void) => (onProgress === undefined ? undefined : Comlink.proxy(onProgress));
  return {
    async add(manifestUrl, onProgress, options): Promise<AddResult> {
      const storage = globalThis.navigator?.storage;
      const persisted = typeof storage?.persist === 'function' ? await storage.persist() : null;
      const result = await remote.add(manifestUrl, progress(onProgress), options);
      return { ...result, persisted: result.fetchedFiles > 0 ? persisted : result.persisted };
    },
    inspect: (manifestUrl) => remote.inspect(manifestUrl),
    list: () => remote.list(),
    verify: (manifestUrl, onProgress) => remote.verify(manifestUrl, progress(onProgress)),
    remove: (manifestUrl) => remote.remove(manifestUrl),
    cancel: (manifestUrl) => remote.cancel(manifestUrl),
    storage: () => remote.storage(),
    terminate() {
      remote[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
