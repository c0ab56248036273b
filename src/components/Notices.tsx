// Sentences for the user that are not errors, with one Dismiss for them all
// (the engine's notices in Messages, the deployment's in PolicyStatus).
import { For, Show } from 'solid-js';

export function Notices(props: { notices: readonly string[]; onDismiss: () => void; class?: string; testId?: string }) {
  return (
    <Show when={props.notices.length > 0}>
      <div class={`message info${props.class === undefined ? '' : ` ${props.class}`}`} role="status" data-testid={props.testId}>
        <For each={props.notices}>{(notice) => <p>{notice}</p>}</For>
        <button type="button" class="link" onClick={() => props.onDismiss()}>
          Dismiss
        </button>
      </div>
    </Show>
  );
}
