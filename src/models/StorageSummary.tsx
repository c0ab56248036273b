// This site's storage: the browser's estimate of what it uses and may use,
// and whether the browser keeps the models under storage pressure
// (persistent storage), with a button to ask for it.
import { Show } from 'solid-js';
import { useModels } from '../state/models-state';
import { describePersistence, describeStorage } from './words';

export function StorageSummary() {
  const { state, actions } = useModels();
  return (
    <Show when={state.storage}>
      {(storage) => (
        <section
          class="storage-summary"
          aria-label="Storage"
          data-usage-bytes={storage().usageBytes ?? ''}
          data-quota-bytes={storage().quotaBytes ?? ''}
          data-persisted={String(storage().persisted)}
        >
          <p>{describeStorage(storage())}</p>
          <p>
            {describePersistence(storage().persisted)}{' '}
            <Show when={storage().persisted === false}>
              <button type="button" class="link" onClick={() => void actions.requestPersistence()}>
                Ask the browser to keep them
              </button>
            </Show>
          </p>
        </section>
      )}
    </Show>
  );
}
