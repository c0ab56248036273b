// One download of a model at a time across tabs and workers: a Web Lock per
// manifest URL (navigator.locks, shared by every context of the origin).
// Whoever holds it downloads; a second caller waits (and says so through
// `onWait`), then finds the files stored and fetches nothing.

const PREFIX = 'lantern-model-store:';
let warned = false;

/** Runs `work` holding the model's lock. Aborting `signal` while waiting rejects with its reason. */
export async function withModelLock<T>(manifestUrl: string, signal: AbortSignal | undefined, onWait: () => void, work: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks === undefined) {
    if (!warned) console.warn('Lantern: this browser has no Web Locks (navigator.locks); two tabs may download the same model at once.');
    warned = true;
    return work();
  }
  const name = PREFIX + manifestUrl;
  let held = false;
  let result: T | undefined;
  await locks.request(name, { ifAvailable: true }, async (lock) => {
    if (lock === null) return;
    held = true;
    result = await work();
  });
  if (held) return result as T;
  onWait();
  signal?.throwIfAborted();
  return locks.request(name, signal === undefined ? {} : { signal }, () => work());
}
