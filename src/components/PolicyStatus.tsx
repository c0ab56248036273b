// The policy the page runs under, where it matters: a "Classroom mode" badge
// when strict (and who set it), and any notice about the deployment (a broken
// lantern.config.json, a request to lower the mode that was ignored).
import { Show } from 'solid-js';
import { useDeployment } from '../state/deployment-state';
import { Notices } from './Notices';

export function PolicyStatus() {
  const { state, actions } = useDeployment();
  return (
    <>
      <Show when={state.policy.mode === 'strict'}>
        <p class="policy-badge" data-testid="policy-mode" title={`Set by the ${state.policy.source}`}>
          Classroom mode: a narrower prompt policy, the AI badge always on, only {state.policy.allowedModels.join(', ')}.
        </p>
      </Show>
      <Notices notices={state.notices} onDismiss={actions.dismissNotices} class="deployment-notices" testId="deployment-notices" />
    </>
  );
}
