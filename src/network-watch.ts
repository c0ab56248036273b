// Watches this origin's network use over a span of time (one generation),
// for the page's "no network used by this generation". Two witnesses:
// - the service worker's reports (workers/contracts/service-worker-messages.ts): every request of
//   this page and of its workers (the engine's, the model store's) passes
//   through the service worker that controls the page, which reports each
//   one it sends to the network before it leaves;
// - the page's own resource timing entries for requests that did not pass
//   through a service worker (workerStart 0), e.g. before one controls it.
// Requests of the page's workers cannot be seen without a controlling
// service worker, so a span without one is "not observed", never "none".
import { isNetworkMessage } from '../workers/contracts/service-worker-messages';

export type NetworkRequest = { url: string; via: 'service-worker' | 'page' };

/** Why a span's network use was not observed: the browser has no service workers, or none controlled the page. */
export const UNOBSERVED_REASONS = ['unsupported', 'uncontrolled'] as const;
export type UnobservedReason = (typeof UNOBSERVED_REASONS)[number];

export type NetworkReport = { observed: true; requests: NetworkRequest[] } | { observed: false; reason: UnobservedReason; requests: NetworkRequest[] };

export type NetworkWatch = {
  /** Starts a span; its `end()` resolves with what went to the network during it. */
  begin(): { end(): Promise<NetworkReport> };
};

/**
 * How long `end()` keeps listening: the service worker posts its report
 * before the request leaves, but the message and the engine's result reach
 * the page on different channels.
 */
const LATE_REPORT_MS = 200;

export function createNetworkWatch(): NetworkWatch {
  const container = 'serviceWorker' in navigator ? navigator.serviceWorker : null;
  const spans = new Set<NetworkRequest[]>();
  const record = (request: NetworkRequest): void => {
    for (const span of spans) span.push(request);
  };

  container?.addEventListener('message', (event) => {
    if (isNetworkMessage(event.data)) record({ url: event.data.url, via: 'service-worker' });
  });
  // Messages from the service worker wait in a queue until this is called (or onmessage is set).
  container?.startMessages();

  if (typeof PerformanceObserver !== 'undefined' && PerformanceObserver.supportedEntryTypes.includes('resource')) {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as PerformanceResourceTiming[]) {
        // workerStart > 0: it went through the service worker, which reports it if it reached the network.
        if (entry.workerStart === 0 && /^https?:/.test(entry.name)) record({ url: entry.name, via: 'page' });
      }
    }).observe({ type: 'resource' });
  }

  return {
    begin() {
      const requests: NetworkRequest[] = [];
      spans.add(requests);
      const controlledAtStart = container?.controller != null;
      return {
        async end(): Promise<NetworkReport> {
          await new Promise((resolve) => setTimeout(resolve, LATE_REPORT_MS));
          spans.delete(requests);
          if (container === null) return { observed: false, reason: 'unsupported', requests };
          if (!controlledAtStart || container.controller === null) return { observed: false, reason: 'uncontrolled', requests };
          return { observed: true, requests };
        },
      };
    },
  };
}
