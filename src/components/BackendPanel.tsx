// Which backend runs the model and why, with an override that reloads it.
import { Match, Show, Switch } from 'solid-js';
import { BACKEND_CHOICES, type BackendChoice, isBackendChoice } from '../../workers/contracts/generator';
import { describeBackend } from '../messages';
import { useLantern } from '../state/generate-state';

const CHOICE_LABEL: Record<BackendChoice, string> = { auto: 'Automatic', webgpu: 'WebGPU', wasm: 'WASM (CPU)' };

export function BackendPanel() {
  const { state, actions } = useLantern();
  return (
    <section class="backend" aria-label="Engine">
      <p class="backend-status" data-testid="backend-status">
        <Switch>
          <Match when={state.model}>
            {(model) => (
              <>
                <strong>{describeBackend(model().backend)}</strong> — {model().backend.reason}
                <Show when={model().backend.warning}>
                  {(warning) => (
                    <span class="backend-warning" data-testid="backend-warning">
                      {' '}
                      Warning: {warning()}.
                    </span>
                  )}
                </Show>
              </>
            )}
          </Match>
          <Match when={state.engine.status === 'loading'}>Loading the model…</Match>
          <Match when={true}>No model loaded</Match>
        </Switch>
      </p>
      <label for="backend">Backend</label>
      <select
        id="backend"
        value={state.backendChoice}
        disabled={state.engine.status === 'generating'}
        onChange={(e) => {
          const value = e.currentTarget.value;
          if (isBackendChoice(value)) actions.setBackend(value);
        }}
      >
        {BACKEND_CHOICES.map((choice) => (
          <option value={choice}>{CHOICE_LABEL[choice]}</option>
        ))}
      </select>
    </section>
  );
}
