// The generate screen's line about the model the page keeps in this browser
// (the built-in one): its download into the model store, with bytes, rate
// and ETA, or why it could not be kept. Nothing once it is stored.
import { Match, Switch } from 'solid-js';
import { useModels } from '../state/models-state';
import { describeStoreProgress } from './words';

export function ModelDownloadStatus() {
  const { state } = useModels();
  const url = () => state.preparing;
  const task = () => (url() === null ? undefined : state.tasks[url()!]);
  const failure = () => {
    const u = url();
    if (u === null) return undefined;
    const outcome = state.outcomes[u];
    if (outcome?.kind === 'failed') return outcome.error;
    return state.storeError ?? undefined;
  };
  const name = () => state.models.find((m) => m.manifestUrl === url())?.name ?? 'the model';
  return (
    <Switch>
      <Match when={task()}>
        {(t) => (
          <div
            class="model-download"
            data-testid="model-download"
            data-done-bytes={t().progress?.doneBytes ?? 0}
            data-total-bytes={t().progress?.totalBytes ?? 0}
          >
            <p role="status">
              Downloading {name()} into this browser, once; later visits load it from here
              {t().progress === null ? '…' : `: ${describeStoreProgress(t().progress!)}`}
            </p>
            <progress aria-label="Model download" max={t().progress?.totalBytes || 1} value={t().progress?.doneBytes ?? 0} />
          </div>
        )}
      </Match>
      <Match when={failure()}>
        {(error) => (
          <p class="model-download warn" data-testid="model-download" data-error-name={error().name} role="status">
            {name()} is not kept in this browser ({error().name}: {error().message}) It loads from the network instead.
          </p>
        )}
      </Match>
    </Switch>
  );
}
