// What a generator inside another site says when the browser keeps no data
// for it: where third-party storage is blocked (private windows, blocked
// third-party cookies; Chromium's default in e2e/embed.e2e.test.ts) the
// model store cannot open, so the model downloads on every visit and the
// service worker is refused. "Open in Lantern", first party, keeps both.
import { Show } from 'solid-js';
import { useModels } from '../state/models-state';

/** Whether this page is a frame inside a page of another origin (`parent` throws or differs). */
function framedByAnotherOrigin(): boolean {
  if (window.parent === window) return false;
  try {
    return window.parent.location.origin !== location.origin;
  } catch {
    return true;
  }
}

export function StorageBlockedNotice() {
  const { state } = useModels();
  return (
    <Show when={framedByAnotherOrigin() && state.storeError?.name === 'ModelStoreUnavailableError'}>
      <p class="message info" role="status" data-testid="storage-blocked">
        This browser keeps no data for a generator inside another site (third-party storage is blocked, as in private windows), so the model downloads again on
        each visit and this generator does not work offline.{' '}
        <a href="./" target="_blank" rel="noopener">
          Open in Lantern
        </a>{' '}
        to keep the model in this browser and use it offline.
      </p>
    </Show>
  );
}
