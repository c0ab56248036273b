// A stored model's parts (workers/model-store/parts.ts: common, each
// backend's own graphs) and whether each is stored, so a person can tell
// whether switching backend works offline. `data-part` and
// `data-part-state` carry the facts for scripts and tests.
import { For } from 'solid-js';
import type { StoredModel, StoreProgress } from '../../workers/contracts/model-store';
import { describePartView, partLabel, partView } from './words';

export function ModelParts(props: { model: StoredModel; progress: StoreProgress | null | undefined }) {
  return (
    <ul class="model-parts" aria-label={`Parts of ${props.model.name}`}>
      <For each={props.model.parts}>
        {(part) => {
          const view = () => partView(part, props.progress);
          return (
            <li data-part={part.id} data-part-state={view().state}>
              {partLabel(part)} — {describePartView(view())}
            </li>
          );
        }}
      </For>
    </ul>
  );
}
