// When the engine has nothing to do: the page starts the built-in model's
// background download then (src/state/models-state.ts firstLoad), so the
// hashing and IndexedDB writes of the other backend's graphs do not take
// CPU from a clip someone is waiting for. Only the start waits: a clip
// started later runs beside the download, which is network-bound by then.
import type { EngineClient, EngineState } from './engine-client';

const busy = (state: EngineState): boolean => state.status === 'loading' || state.status === 'generating';

/** Resolves once `client` is neither loading nor generating (at once when it is not). */
export function whenEngineIdle(client: Pick<EngineClient, 'state' | 'subscribe'>): Promise<void> {
  if (!busy(client.state)) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = client.subscribe((event) => {
      if (event.type !== 'state' || busy(event.state)) return;
      stop();
      resolve();
    });
  });
}
