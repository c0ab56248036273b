// The models screen: every model stored in this browser with its state and
// actions, this site's storage, and adding a model by manifest URL.
import { createEffect, For, Show } from 'solid-js';
import { useModels } from '../state/models-state';
import { AddModelForm } from './AddModelForm';
import { ModelCard } from './ModelCard';
import { StorageSummary } from './StorageSummary';
import './models.css';

export function ModelsScreen(props: { hidden: boolean }) {
  const { state, actions } = useModels();
  // Another tab may have added or deleted models meanwhile.
  createEffect(() => {
    if (!props.hidden) void actions.refresh();
  });
  return (
    <section id="screen-models" class="models-screen" role="tabpanel" aria-labelledby="tab-models" hidden={props.hidden}>
      <h2>Models in this browser</h2>
      <StorageSummary />
      <Show when={state.storeError}>
        {(error) => (
          <div class="message error" role="alert" data-error-name={error().name}>
            <strong>The model store cannot be used here.</strong> {error().message}
          </div>
        )}
      </Show>
      <Show
        when={state.models.length > 0}
        fallback={
          <Show when={state.listed}>
            <p class="hint">No model is stored in this browser yet.</p>
          </Show>
        }
      >
        <ul class="model-list" aria-label="Stored models">
          <For each={state.models}>
            {(model) => (
              <li>
                <ModelCard model={model} />
              </li>
            )}
          </For>
        </ul>
      </Show>
      <AddModelForm />
    </section>
  );
}
