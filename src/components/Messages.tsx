// The error of the last run (title, the engine's own message, what to do), a
// note when the prompt was cut, and notices such as a restarted engine.
import { Show } from 'solid-js';
import { describeError } from '../messages';
import { useLantern } from '../state/generate-state';
import { Notices } from './Notices';

export function Messages() {
  const { state, actions } = useLantern();
  return (
    <>
      <Show when={state.error}>
        {(error) => {
          const text = () => describeError(error());
          const canceled = () => error().name === 'GenerationCanceledError';
          return (
            <div class="message" classList={{ error: !canceled(), info: canceled() }} role="alert" data-error-name={error().name}>
              <strong>{text().title}.</strong> {error().message}
              <p class="hint">{text().hint}</p>
            </div>
          );
        }}
      </Show>
      <Show when={state.truncatedWords}>
        {(dropped) => (
          <div class="message info" role="status" data-testid="truncated">
            The prompt was too long for the model: it used the first {state.lastModel?.maxPromptWords ?? 'few'} words and dropped the last {dropped()}. Shorten
            the prompt to use all of it.
          </div>
        )}
      </Show>
      <Notices notices={state.notices} onDismiss={actions.dismissNotices} />
    </>
  );
}
