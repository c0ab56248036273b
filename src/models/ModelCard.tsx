// One stored model: name, id, size, its parts and which are stored, state
// (with the download's bytes, rate and ETA while one runs), storage used,
// and its actions. `data-state`,
// `data-manifest-url`, `data-total-bytes` and `data-stored-bytes` carry the
// facts for scripts and tests.
import { createUniqueId, Match, Show, Switch } from 'solid-js';
import type { StoredModel } from '../../workers/contracts/model-store';
import { describeError } from '../messages';
import { useLantern } from '../state/generate-state';
import { modelView, useModels } from '../state/models-state';
import { ModelParts } from './ModelParts';
import { describeOutcome, describeStoreProgress, formatSize, VIEW_LABEL } from './words';

export function ModelCard(props: { model: StoredModel }) {
  const { state, actions } = useModels();
  const lantern = useLantern();
  const headingId = createUniqueId();
  const url = () => props.model.manifestUrl;
  const task = () => state.tasks[url()];
  const outcome = () => state.outcomes[url()];
  const view = () => modelView(props.model, task(), outcome());
  const engineBusy = () => lantern.state.engine.status === 'loading' || lantern.state.engine.status === 'generating';
  const inEngine = () => lantern.state.manifestUrl === url();
  const inUse = () => inEngine() && lantern.state.model !== null;
  const failure = () => {
    const o = outcome();
    return o?.kind === 'failed' || o?.kind === 'corrupted' ? o : undefined;
  };

  return (
    <article
      class="panel model-card"
      aria-labelledby={headingId}
      data-model-id={props.model.id}
      data-manifest-url={url()}
      data-state={view()}
      data-total-bytes={props.model.totalBytes}
      data-stored-bytes={props.model.storedBytes}
    >
      <h3 id={headingId}>{props.model.name}</h3>
      <dl class="model-facts">
        <dt>Id</dt>
        <dd>
          {props.model.id} · version {props.model.version} · {props.model.license}
        </dd>
        <dt>Size</dt>
        <dd data-testid="model-size">
          {formatSize(props.model.totalBytes)} in {props.model.files} files
        </dd>
        <dt>Stored</dt>
        <dd>
          {formatSize(props.model.storedBytes)} ({props.model.storedFiles} of {props.model.files} files)
        </dd>
        <dt>Parts</dt>
        <dd>
          <ModelParts model={props.model} progress={task()?.progress} />
        </dd>
        <dt>State</dt>
        <dd data-testid="model-state">
          {VIEW_LABEL[view()]}
          {inUse() ? ' · in use' : inEngine() && lantern.state.engine.status === 'loading' ? ' · loading into the engine' : ''}
        </dd>
        <dt>Memory</dt>
        <dd>recommends {formatSize(props.model.recommendedMemoryBytes)}</dd>
        <dt>Manifest</dt>
        <dd class="url">{url()}</dd>
      </dl>

      <Show when={task()?.progress}>
        {(progress) => (
          <div class="model-progress">
            <progress aria-label={`${VIEW_LABEL[view()]} ${props.model.name}`} max={progress().totalBytes || 1} value={progress().doneBytes} />
            <p role="status">{describeStoreProgress(progress())}</p>
          </div>
        )}
      </Show>
      <Show when={task() === undefined ? outcome() : undefined}>
        {(done) => (
          <Show when={describeOutcome(done())}>
            {(text) => (
              <p class="model-outcome" role="status" data-outcome={done().kind}>
                {text()}
              </p>
            )}
          </Show>
        )}
      </Show>
      <Show when={task() === undefined ? failure() : undefined}>
        {(failed) => (
          <div class="message error" role="alert" data-error-name={failed().error.name}>
            <strong>
              {failed().kind === 'corrupted' ? 'Damaged files were found and dropped, but could not be fetched again' : describeError(failed().error).title}.
            </strong>{' '}
            {failed().error.message}
          </div>
        )}
      </Show>

      <div class="actions">
        <Switch>
          <Match when={task()}>
            {(t) => (
              <button type="button" class="secondary" onClick={() => void actions.cancel(url())}>
                {t().kind === 'verify' ? 'Cancel verification' : 'Cancel download'}
              </button>
            )}
          </Match>
          <Match when={true}>
            <Show when={props.model.state !== 'complete'}>
              <button type="button" onClick={() => void actions.add(url())}>
                Resume
              </button>
            </Show>
            <button type="button" disabled={inUse() || engineBusy()} onClick={() => lantern.actions.useModel(url())}>
              Use
            </button>
            <button type="button" class="secondary" disabled={props.model.storedFiles === 0} onClick={() => void actions.verify(url())}>
              Re-verify
            </button>
            <button type="button" class="secondary" onClick={() => actions.askDelete(url())}>
              Delete
            </button>
          </Match>
        </Switch>
      </div>

      <Show when={state.confirmingDelete === url() && task() === undefined}>
        <fieldset class="confirm" aria-label={`Confirm deleting ${props.model.name}`}>
          <p>
            Delete {props.model.name} from this browser? This frees {formatSize(props.model.storedBytes)}. Other models and your clips stay;
            {inUse() ? ' the model stays loaded until the page is reloaded, and' : ''} using it again downloads it again.
          </p>
          <button type="button" onClick={() => void actions.remove(url())}>
            Yes, delete
          </button>
          <button type="button" class="secondary" onClick={() => actions.keep()}>
            Keep
          </button>
        </fieldset>
      </Show>
    </article>
  );
}
