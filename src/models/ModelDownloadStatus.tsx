// The generate screen's line about the model the page keeps in this browser
// (the built-in one): a download into the model store with bytes, rate and
// ETA (Resume, a whole download, or the rest of the model stored in the
// background after the first load), or why it could not be kept. Nothing
// once it is stored. The first load's own download shows in the progress
// panel: the engine fetches and stores the parts its backend runs.
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
    if (outcome?.kind === 'failed') return { background: outcome.action === 'background', error: outcome.error };
    return state.storeError === null ? undefined : { background: false, error: state.storeError };
  };
  const name = () => state.models.find((m) => m.manifestUrl === url())?.name ?? 'the model';
  return (
    <Switch>
      <Match when={task()}>
        {(t) => (
          <div
            class="model-download"
            data-testid="model-download"
            data-kind={t().kind}
            data-done-bytes={t().progress?.doneBytes ?? 0}
            data-total-bytes={t().progress?.totalBytes ?? 0}
          >
            <p role="status">
              {t().kind === 'background'
                ? `Storing the other backend's graphs of ${name()} in this browser, so switching backend works offline`
                : `Downloading ${name()} into this browser, once; later visits load it from here`}
              {t().progress === null ? '…' : `: ${describeStoreProgress(t().progress!)}`}
            </p>
            <progress aria-label="Model download" max={t().progress?.totalBytes || 1} value={t().progress?.doneBytes ?? 0} />
          </div>
        )}
      </Match>
      <Match when={failure()}>
        {(failed) => (
          <p class="model-download warn" data-testid="model-download" data-error-name={failed().error.name} role="status">
            {failed().background
              ? `The other backend's graphs of ${name()} could not be stored (${failed().error.name}: ${failed().error.message}) The loaded model works; switching backend offline needs them, and the next visit downloads them.`
              : `${name()} is not kept in this browser (${failed().error.name}: ${failed().error.message}) It loads from the network instead.`}
          </p>
        )}
      </Match>
    </Switch>
  );
}
