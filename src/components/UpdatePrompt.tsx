// "A new version is ready — Reload": shown when a new version's service
// worker is installed and waiting (src/state/offline-state.ts). Reload activates it and
// the page reloads under it; Later leaves this version running until the
// next visit.
import { Show } from 'solid-js';
import { useOffline } from '../state/offline-state';

export function UpdatePrompt() {
  const { state, actions } = useOffline();
  return (
    <Show when={state.updateReady}>
      <div class="update message info" role="status" data-testid="update-prompt">
        A new version is ready —{' '}
        <button type="button" onClick={() => actions.reload()}>
          Reload
        </button>{' '}
        <button type="button" class="link" onClick={() => actions.dismissUpdate()}>
          Later
        </button>
      </div>
    </Show>
  );
}
