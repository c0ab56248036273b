// Variations: the form's prompt as 2 to 4 clips with consecutive seeds,
// side by side; "Keep working on this" makes one the clip on screen.
import { For, Show } from 'solid-js';
import { useLantern } from '../state/generate-state';
import { useVariations } from '../state/variations-state';
import { MAX_VARIATIONS, MIN_VARIATIONS } from '../variations';

const COUNTS = Array.from({ length: MAX_VARIATIONS - MIN_VARIATIONS + 1 }, (_, i) => MIN_VARIATIONS + i);

/** The form's control: how many, and the button. */
export function VariationsControl() {
  const { state: lantern } = useLantern();
  const { state, actions } = useVariations();
  return (
    <div class="variations-control">
      <label for="variation-count">Variations</label>
      <select id="variation-count" value={state.count} onChange={(e) => actions.setCount(Number(e.currentTarget.value))}>
        <For each={COUNTS}>{(n) => <option value={n}>{n} clips</option>}</For>
      </select>
      <button type="button" class="secondary" disabled={lantern.engine.status !== 'ready' || state.running} onClick={() => void actions.run()}>
        Make variations
      </button>
    </div>
  );
}

/** The set, side by side, under the player. */
export function VariationsGrid() {
  const { state, actions } = useVariations();
  return (
    <Show when={state.items.length > 0}>
      <section class="variations" aria-label="Variations">
        <h2 class="hint">
          Variations{state.summary === null ? '' : `: ${state.summary}`}{' '}
          <Show when={!state.running}>
            <button type="button" class="link" onClick={() => actions.clear()}>
              Clear
            </button>
          </Show>
        </h2>
        <ul class="variation-list">
          <For each={state.items}>
            {(item, i) => (
              <li class="variation" data-seed={item.seed}>
                <Show when={item.url} fallback={<div class="variation-pending">{state.running ? 'Waiting…' : 'Not made'}</div>}>
                  {(url) => <video src={url()} loop autoplay muted playsinline aria-label={`Variation ${i() + 1}, seed ${item.seed}`} />}
                </Show>
                <span class="hint">Seed {item.seed}</span>
                <button type="button" class="secondary" disabled={item.result === null} onClick={() => actions.pick(i())}>
                  Keep working on this
                </button>
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
}
