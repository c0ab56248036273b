// Whether the app works offline, and what the last generation sent over the
// network, as observed (src/network-watch.ts). Nothing in the dev server,
// which has no service worker. `data-offline` and `data-network-requests`
// carry the facts for scripts and tests.
import { Show } from 'solid-js';
import type { NetworkReport } from '../network-watch';
import { type ModelKeeping, useOffline } from '../offline';

function describeOffline(shellCached: boolean, model: ModelKeeping): { key: string; text: string } {
  if (model.status === 'failed') return { key: 'failed', text: `Not available offline: the model could not be stored (${model.error.name}: ${model.error.message})` };
  if (model.status === 'saving') {
    const percent = model.totalBytes === 0 ? 0 : Math.floor((100 * model.doneBytes) / model.totalBytes);
    return { key: 'saving', text: `Storing the model for offline use (${percent}%)` };
  }
  if (!shellCached) return { key: 'preparing', text: 'Preparing offline use' };
  if (model.status === 'waiting') return { key: 'waiting', text: 'Checking the stored model' };
  return { key: 'ready', text: 'Offline-ready' };
}

function describeGeneration(report: NetworkReport): string {
  if (!report.observed) return `network use by this generation not observed: ${report.reason}`;
  const count = report.requests.length;
  if (count === 0) return 'no network used by this generation';
  const first = report.requests[0]?.url ?? '';
  return `this generation used the network: ${count} request${count === 1 ? '' : 's'} (${first}${count > 1 ? ', …' : ''})`;
}

export function OfflineStatus() {
  const { state } = useOffline();
  const offline = () => describeOffline(state.shellCached, state.model);
  return (
    <Show when={state.enabled}>
      <p
        class="offline-status"
        data-testid="offline-status"
        data-offline={offline().key}
        data-network-observed={state.lastGeneration === null ? undefined : String(state.lastGeneration.observed)}
        data-network-requests={state.lastGeneration?.requests.length}
        title="Lantern's service worker reports every request this page and its workers send to the network; a generation that made none says so."
      >
        {offline().text}
        <Show when={state.lastGeneration}>{(report) => ` · ${describeGeneration(report())}`}</Show>
      </p>
    </Show>
  );
}
