// Where the store keeps its bytes, and how much room there is. A
// StorageArea is the origin's storage (indexedDB and navigator.storage) by
// default, or anything shaped like it: a StorageBucket
// (navigator.storageBuckets, Chromium) has the same indexedDB, estimate,
// persist and persisted, and enforces its own quota, which the tests use
// to make a real QuotaExceededError.
//
// Before a download the store checks that the model fits in what
// estimate() says is free, and asks persist() so the browser does not evict
// the model under storage pressure; the answer is reported, not assumed
// (Chromium grants it by site engagement or installation, Firefox asks the
// user, headless Chromium says no). persist() exists only in a window; in a
// worker the store reports persisted() and the page's client asks.

import type { StorageInfo } from '../contracts/model-store';
import { StorageQuotaError } from '../contracts/model-store-errors';

export type StorageArea = {
  indexedDB: IDBFactory;
  estimate?: () => Promise<StorageEstimate>;
  persist?: () => Promise<boolean>;
  persisted?: () => Promise<boolean>;
};

/** The origin's storage. */
export function originStorage(): StorageArea {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  return {
    indexedDB: globalThis.indexedDB,
    ...(typeof storage?.estimate === 'function' ? { estimate: () => storage.estimate() } : {}),
    ...(typeof storage?.persist === 'function' ? { persist: () => storage.persist() } : {}),
    ...(typeof storage?.persisted === 'function' ? { persisted: () => storage.persisted() } : {}),
  };
}

export async function storageInfo(area: StorageArea): Promise<StorageInfo> {
  const [estimate, persisted] = await Promise.all([area.estimate?.() ?? Promise.resolve(null), area.persisted?.() ?? Promise.resolve(null)]);
  return { usageBytes: estimate?.usage ?? null, quotaBytes: estimate?.quota ?? null, persisted };
}

/** Throws StorageQuotaError when `neededBytes` more will not fit in the area's free quota. Without an estimate there is nothing to check. */
export async function ensureRoom(area: StorageArea, model: string, neededBytes: number): Promise<void> {
  if (area.estimate === undefined || neededBytes === 0) return;
  const { usage, quota } = await area.estimate();
  if (usage === undefined || quota === undefined) return;
  const free = Math.max(0, quota - usage);
  if (neededBytes > free) throw new StorageQuotaError(model, neededBytes, free);
}

/** Asks for persistent storage where this context can (once granted, persisted() stays true); else reports persisted(). */
export async function requestPersistence(area: StorageArea): Promise<boolean | null> {
  if (area.persisted !== undefined && (await area.persisted())) return true;
  if (area.persist !== undefined) return area.persist();
  return area.persisted?.() ?? null;
}

/** IndexedDB reports a full quota as a DOMException named QuotaExceededError (on the request and the aborted transaction). */
export function isQuotaExceeded(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'QuotaExceededError';
}
