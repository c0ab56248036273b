// The embedded generator: starter prompts, a prompt, Generate and Cancel,
// progress with the live preview, the player and (where allowed) Download.
// The model's one-off download into this browser shows with its size
// (an embed on each site keeps its own copy: README); "Open in Lantern"
// leads to the full app, where the model is stored once.
import { For, Match, Show, Switch } from 'solid-js';
import { OfflineStatus } from '../components/OfflineStatus';
import { PolicyStatus } from '../components/PolicyStatus';
import { PreviewCanvas } from '../components/PreviewCanvas';
import { describeError, describeProgress } from '../messages';
import { ModelDownloadStatus } from '../models/ModelDownloadStatus';
import { BUILTIN_MANIFEST_URL } from '../state/generate-state';
import { StorageBlockedNotice } from './StorageBlockedNotice';
import { useEmbed } from './session-context';

let runs = 0;

export function EmbedApp(props: { starterPrompts: readonly string[] }) {
  const session = useEmbed();
  const { state } = session;
  const clipSeconds = () => (state.model === null ? 2 : state.model.frames / state.model.fps);
  const generate = (): void => {
    const prompt = state.prompt.trim();
    if (prompt === '' || state.running !== null) return;
    session.generate(`embed-form-${++runs}`, { prompt }).catch(() => undefined); // shown through the session's state
  };
  return (
    <div class="embed-app" data-testid="embed" data-ready={state.model !== null} data-running={state.running !== null}>
      <header class="embed-header">
        <strong>Lantern</strong>
        <span class="tagline">Made on this device; nothing is uploaded.</span>
        <a class="open-app" href="./" target="_blank" rel="noopener">
          Open in Lantern
        </a>
      </header>
      <PolicyStatus />
      <OfflineStatus
        loaded={state.model === null ? null : { manifestUrl: new URL(BUILTIN_MANIFEST_URL, location.href).href, backend: state.model.backend.backend }}
      />
      <ModelDownloadStatus />
      <StorageBlockedNotice />
      <Show when={props.starterPrompts.length > 0}>
        <ul class="starters" aria-label="Starter prompts">
          <For each={props.starterPrompts}>
            {(starter) => (
              <li>
                <button type="button" class="link" onClick={() => session.setPrompt(starter)}>
                  {starter}
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <form
        class="embed-form"
        onSubmit={(event) => {
          event.preventDefault();
          generate();
        }}
      >
        <label for="embed-prompt">Prompt</label>
        <textarea id="embed-prompt" rows="2" value={state.prompt} onInput={(event) => session.setPrompt(event.currentTarget.value)} />
        <div class="embed-actions">
          <button type="submit" disabled={state.running !== null || state.prompt.trim() === ''}>
            {state.model === null ? 'Generate (after the model loads)' : 'Generate'}
          </button>
          <Show when={state.running !== null}>
            <button type="button" onClick={() => session.cancel()}>
              Cancel
            </button>
          </Show>
        </div>
      </form>
      <Show when={state.progress}>
        {(progress) => (
          <div class="embed-progress" role="status" data-phase={progress().phase} data-fraction={progress().fraction}>
            <progress max="1" value={progress().fraction} aria-label="Progress" /> {describeProgress(progress())}
          </div>
        )}
      </Show>
      <section class="embed-stage" aria-label="Clip">
        <Switch>
          <Match when={state.preview}>{(preview) => <PreviewCanvas preview={preview()} clipSeconds={clipSeconds()} />}</Match>
          <Match when={state.clip}>
            {(clip) => (
              <figure class="stage-item">
                <video
                  class="player"
                  src={clip().url}
                  loop
                  muted
                  playsinline
                  autoplay={state.autoplay}
                  controls={state.controls}
                  aria-label={`AI-generated clip: ${clip().prompt}`}
                  data-seed={clip().seed}
                />
                <figcaption>
                  AI-generated, seed {clip().seed}.{' '}
                  <Show when={state.download}>
                    <a href={clip().url} download={clip().fileName} data-testid="embed-download">
                      Download MP4
                    </a>
                  </Show>
                </figcaption>
              </figure>
            )}
          </Match>
          <Match when={true}>
            <div class="stage-empty">{state.model === null ? 'Getting the model ready…' : 'Your clip will play here.'}</div>
          </Match>
        </Switch>
      </section>
      <Show when={state.error ?? state.loadError}>
        {(error) => (
          <div class="message error" role="alert" data-error-name={error().name}>
            <strong>{describeError(error()).title}.</strong> {error().message}
            <p class="hint">{describeError(error()).hint}</p>
          </div>
        )}
      </Show>
    </div>
  );
}

/** What a page the deployer has not allowed sees instead of the generator. */
export function EmbedRefused(props: { reason: string }) {
  return (
    <div class="embed-app">
      <p class="message error" role="alert" data-testid="embed-refused">
        {props.reason}
      </p>
    </div>
  );
}
