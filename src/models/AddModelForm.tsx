// Add a model by manifest URL: Check fetches and validates the manifest and
// checks it against this device (memory, GPU, storage quota) without
// downloading; the summary and any warnings wait for Download.
import { createSignal, Match, Show, Switch } from 'solid-js';
import { describeError } from '../messages';
import { useModels } from '../state/models-state';
import { describeConcern, formatSize } from './words';

export function AddModelForm() {
  const { state, actions } = useModels();
  const [url, setUrl] = createSignal('');
  return (
    <section class="panel add-model" aria-labelledby="add-model-heading">
      <h3 id="add-model-heading">Add a model by manifest URL</h3>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void actions.check(url());
        }}
      >
        <label for="manifest-url">Manifest URL</label>
        <div class="with-button">
          <input
            id="manifest-url"
            type="text"
            inputmode="url"
            autocomplete="off"
            spellcheck={false}
            placeholder="https://example.com/models/my-model.json"
            aria-describedby="manifest-url-hint"
            value={url()}
            onInput={(event) => setUrl(event.currentTarget.value)}
          />
          <button type="submit" disabled={url().trim() === '' || state.add.status === 'checking'}>
            Check
          </button>
        </div>
        <p class="hint" id="manifest-url-hint">
          The manifest is fetched and validated first; nothing downloads until you press Download. Models from another site need that site in this app's
          Content-Security-Policy.
        </p>
      </form>

      <Switch>
        <Match when={state.add.status === 'checking'}>
          <p role="status">Checking the manifest…</p>
        </Match>
        <Match when={state.add.status === 'invalid' ? state.add : undefined}>
          {(form) => (
            <div class="message error" role="alert" data-error-name={form().error.name} data-testid="add-model-error">
              <strong>{form().error.name === 'ManifestError' ? 'This is not a usable model manifest' : describeError(form().error).title}.</strong>{' '}
              <span class="error-message">{form().error.message}</span>
            </div>
          )}
        </Match>
        <Match when={state.add.status === 'checked' ? state.add.check : undefined}>
          {(check) => (
            <div
              class="add-summary"
              data-testid="add-model-summary"
              data-concerns={check()
                .concerns.map((c) => c.kind)
                .join(' ')}
            >
              <p>
                <strong>{check().name}</strong> ({check().id}, version {check().version}, {check().license}): {formatSize(check().totalBytes)} in{' '}
                {check().files} files; recommends {formatSize(check().recommendedMemoryBytes)} of memory.
                {check().stored === 'complete'
                  ? ' It is already stored.'
                  : check().missingBytes < check().totalBytes
                    ? ` ${formatSize(check().missingBytes)} of it still to download.`
                    : ''}
              </p>
              <Show when={check().concerns.length > 0}>
                <ul class="concerns" role="alert" aria-label="Warnings">
                  {check().concerns.map((concern) => (
                    <li data-concern={concern.kind}>{describeConcern(concern)}</li>
                  ))}
                </ul>
              </Show>
              <div class="actions">
                <button type="button" onClick={() => actions.downloadChecked()}>
                  {check().concerns.some((c) => c.kind !== 'gpu') ? 'Download anyway' : `Download ${formatSize(check().missingBytes)}`}
                </button>
                <button type="button" class="secondary" onClick={() => actions.resetAdd()}>
                  Discard
                </button>
              </div>
            </div>
          )}
        </Match>
      </Switch>
    </section>
  );
}
