// The policy the page runs under, where it matters: a "Classroom mode" badge
// when strict (and who set it), and any notice about the deployment (a broken
// lantern.config.json, a request to lower the mode that was ignored).
import { For, Show } from 'solid-js';
import { useDeployment } from '../state/deployment-state';

export function PolicyStatus() {
  const { state, actions } = useDeployment();
  return (
    <>
      <Show when={state.policy.mode === 'strict'}>
        <p class="policy-badge" data-testid="policy-mode" title={`Set by the ${state.policy.source}`}>
          Classroom mode: a narrower prompt policy, the AI badge always on, only {state.policy.allowedModels.join(', ')}.
        </p>
      </Show>
      <Show when={state.notices.length > 0}>
        <div class="message info deployment-notices" role="status" data-testid="deployment-notices">
          <For each={state.notices}>{(notice) => <p>{notice}</p>}</For>
          <button type="button" class="link" onClick={() => actions.dismissNotices()}>
            Dismiss
          </button>
        </div>
      </Show>
    </>
  );
}
