// A recipe link was opened: the form is filled with its settings, and one
// click makes the clip again (for an edit or an extension, its parent
// first). A link naming another model, or a clip that started from a file
// the link cannot carry, says so; a damaged link says what is wrong.
import { Show } from 'solid-js';
import { backendNote } from '../recipe/reproduce';
import { useLantern } from '../state/generate-state';

export function RecipeBanner() {
  const { state, actions } = useLantern();
  return (
    <Show when={state.link}>
      {(link) => (
        <section class="message info recipe-banner" aria-label="Recipe link">
          <Show
            when={link().recipe}
            fallback={
              <p role="alert" data-error-name={link().error?.name}>
                <strong>This recipe link cannot be opened.</strong> {link().error?.message}
              </p>
            }
          >
            {(recipe) => (
              <>
                <p>
                  Opened a recipe link: <q>{recipe().prompt}</q>, seed {recipe().seed}
                  {recipe().source === null ? '' : ` (${recipe().source?.kind})`}. The form holds its settings.
                </p>
                <Show when={link().missingModel}>{(missing) => <p role="alert">{missing()}</p>}</Show>
                <Show when={state.model !== null ? backendNote(recipe(), state.model) : null}>{(note) => <p class="hint">{note()}</p>}</Show>
                <button type="button" disabled={state.engine.status !== 'ready' || link().missingModel !== null} onClick={() => actions.makeLinkedClip()}>
                  Make this clip
                </button>{' '}
                <button type="button" class="secondary" onClick={() => actions.dismissLink()}>
                  Dismiss
                </button>
              </>
            )}
          </Show>
        </section>
      )}
    </Show>
  );
}
