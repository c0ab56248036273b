// Whether the app works offline (the shell cached by the service worker and
// the built-in model stored; src/models/ shows that model's download), and
// what the last generation sent over the network, as observed
// (src/network-watch.ts). Nothing in the dev server, which has no service
// worker. `data-offline` and `data-network-requests` carry the facts for
// scripts and tests.
import { Show } from 'solid-js';
import type { Backend } from '../../workers/contracts/generator';
import type { NetworkReport, UnobservedReason } from '../network-watch';
import { storedFor, useModels } from '../state/models-state';
import { useOffline } from '../state/offline-state';

/**
 * How much of the built-in model the store holds: all of it, what the loaded
 * backend runs (named; the other backend's graphs are still to come), too
 * little, or not known yet.
 */
type BuiltInModel = 'unknown' | 'missing' | { backend: Backend } | 'complete';

/** The app shell from the service worker's cache, and the built-in model in the model store: both, or what is missing. */
function describeOffline(shellCached: boolean, model: BuiltInModel, refused: string | null): { key: string; text: string } {
  if (refused !== null) return { key: 'refused', text: `Not available offline: this browser refused Lantern's service worker here (${refused})` };
  if (!shellCached) return { key: 'preparing', text: 'Preparing offline use' };
  if (model === 'unknown') return { key: 'checking', text: 'Checking the stored model' };
  if (model === 'missing') return { key: 'no-model', text: 'Not available offline: the model is not stored in this browser yet' };
  if (model !== 'complete') {
    return {
      key: 'backend',
      text: `Offline-ready on ${model.backend === 'webgpu' ? 'WebGPU' : 'WASM'}; the other backend works offline once the rest of the model is stored`,
    };
  }
  return { key: 'ready', text: 'Offline-ready' };
}

const UNOBSERVED: Record<UnobservedReason, string> = {
  unsupported: 'this browser has no service workers',
  uncontrolled: 'no service worker controlled the page (before it installed on the first visit, or after a forced reload)',
};

function describeGeneration(report: NetworkReport): string {
  if (!report.observed) return `network use by this generation not observed: ${UNOBSERVED[report.reason]}`;
  const count = report.requests.length;
  if (count === 0) return 'no network used by this generation';
  const first = report.requests[0]?.url ?? '';
  return `this generation used the network: ${count} request${count === 1 ? '' : 's'} (${first}${count > 1 ? ', …' : ''})`;
}

/** `loaded`: the model the engine runs now and on which backend (null while none is loaded), for "Offline-ready on WASM". */
export function OfflineStatus(props: { loaded: { manifestUrl: string; backend: Backend } | null }) {
  const { state } = useOffline();
  const models = useModels();
  const builtIn = (): BuiltInModel => {
    if (!models.state.listed || models.state.preparing === null) return 'unknown';
    const model = models.state.models.find((m) => m.manifestUrl === models.state.preparing);
    if (model === undefined) return 'missing';
    if (model.state === 'complete' && models.state.tasks[model.manifestUrl] === undefined) return 'complete';
    const loaded = props.loaded;
    return loaded !== null && loaded.manifestUrl === model.manifestUrl && storedFor(model, loaded.backend) ? { backend: loaded.backend } : 'missing';
  };
  const offline = () => describeOffline(state.shellCached, builtIn(), state.registrationError);
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
