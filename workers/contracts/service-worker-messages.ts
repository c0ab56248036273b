// What the service worker (service-worker.ts) tells the pages it controls.
// Shared by both sides, so the message's type and its check cannot drift.

export const NETWORK_MESSAGE = 'lantern:network' as const;

/**
 * Sent to every page the service worker controls when a request of the
 * origin (a page, its workers, or the service worker itself) goes to the
 * network instead of being answered from the app-shell cache. Sent before
 * the request leaves, so it reaches the pages before the response.
 */
export type NetworkMessage = {
  type: typeof NETWORK_MESSAGE;
  url: string;
  method: string;
  /** Request.destination: '' for fetch(), 'script', 'document', 'worker', ... */
  destination: string;
};

export function isNetworkMessage(data: unknown): data is NetworkMessage {
  if (typeof data !== 'object' || data === null) return false;
  const message = data as Partial<NetworkMessage>;
  return message.type === NETWORK_MESSAGE && typeof message.url === 'string' && typeof message.method === 'string' && typeof message.destination === 'string';
}

/** Model manifests, `/models/<id>.json` (vite.config.ts serves them there); the model's files sit below `/models/<id>/`. */
export const MODEL_MANIFEST_PATH = /^\/models\/[a-z0-9-]+\.json$/;
