// Storyboard: shots (prompt, optional seed, optional start image) in order,
// reorderable, rendered into one continuous MP4 where each shot continues the
// one before. Each shot shows its status while rendering; Cancel keeps the
// finished shots. The shots are saved in this browser as they are edited.
// A shots.json file ([{ "prompt": ..., "seed"?: ... }], as the CLI takes)
// can be imported; a bad one is shown as its StoryboardError and the shots
// on the page stay as they were.
import { For, Show } from 'solid-js';
import { useLantern } from '../state/generate-state';
import { type ShotStatus, useStoryboard } from '../state/storyboard-state';
import { MAX_SHOTS } from '../storyboard/shots';

const STATUS_WORDS: Record<ShotStatus, string> = { waiting: 'waiting', running: 'rendering…', done: 'done', canceled: 'canceled', failed: 'failed' };

export function StoryboardPanel() {
  const lantern = useLantern();
  const { state, actions } = useStoryboard();
  const busy = () => state.rendering || lantern.state.engine.status !== 'ready';
  return (
    <section class="panel storyboard" aria-label="Storyboard">
      <h2>Storyboard</h2>
      <p class="hint">Shots render into one continuous clip, each continuing from the one before. A shot with an image starts from it instead (a cut).</p>
      <ol class="shots">
        <For each={state.shots}>
          {(shot, i) => (
            <li class="shot" data-testid="shot" data-status={state.statuses[shot.id] ?? 'idle'}>
              <div class="shot-head">
                <strong>Shot {i() + 1}</strong>
                <Show when={state.statuses[shot.id]}>
                  {(status) => (
                    <span class={`shot-status ${status()}`}>
                      {STATUS_WORDS[status()]}
                      <Show when={status() === 'running'}> {Math.round(100 * state.shotFraction)}%</Show>
                    </span>
                  )}
                </Show>
                <span class="shot-tools">
                  <button
                    type="button"
                    class="secondary small"
                    aria-label={`Move shot ${i() + 1} up`}
                    disabled={busy() || i() === 0}
                    onClick={() => actions.move(shot.id, -1)}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    class="secondary small"
                    aria-label={`Move shot ${i() + 1} down`}
                    disabled={busy() || i() === state.shots.length - 1}
                    onClick={() => actions.move(shot.id, 1)}
                  >
                    ↓
                  </button>
                  <button type="button" class="secondary small" aria-label={`Remove shot ${i() + 1}`} disabled={busy()} onClick={() => actions.remove(shot.id)}>
                    ✕
                  </button>
                </span>
              </div>
              <textarea
                rows={2}
                aria-label={`Shot ${i() + 1} prompt`}
                placeholder="a red ball rolls left on a meadow"
                value={shot.prompt}
                disabled={busy()}
                onInput={(e) => actions.set(shot.id, 'prompt', e.currentTarget.value)}
              />
              <div class="shot-options">
                <input
                  type="number"
                  min={0}
                  step={1}
                  aria-label={`Shot ${i() + 1} seed`}
                  placeholder="seed (optional)"
                  value={shot.seed}
                  disabled={busy()}
                  onInput={(e) => actions.set(shot.id, 'seed', e.currentTarget.value)}
                />
                <Show
                  when={shot.image}
                  fallback={
                    <label class="inline-file">
                      Image…
                      <input
                        type="file"
                        accept="image/*"
                        aria-label={`Shot ${i() + 1} image`}
                        disabled={busy()}
                        onChange={(e) => {
                          const file = e.currentTarget.files?.[0];
                          if (file !== undefined) void actions.setImage(shot.id, file);
                          e.currentTarget.value = '';
                        }}
                      />
                    </label>
                  }
                >
                  {(image) => (
                    <span class="shot-image">
                      <img src={image().url} alt={`Shot ${i() + 1} image: ${image().name}`} width={32} height={32} />
                      <button type="button" class="link" disabled={busy()} onClick={() => actions.clearImage(shot.id)}>
                        remove image
                      </button>
                    </span>
                  )}
                </Show>
              </div>
            </li>
          )}
        </For>
      </ol>
      <div class="actions">
        <button type="button" class="secondary" disabled={busy() || state.shots.length >= MAX_SHOTS} onClick={() => actions.add()}>
          Add shot
        </button>
        <button type="button" disabled={busy()} onClick={() => void actions.render()}>
          Render storyboard
        </button>
        <button type="button" class="secondary" disabled={!state.rendering} onClick={() => lantern.actions.cancel()}>
          Cancel storyboard
        </button>
        <label class="inline-file">
          Import shots.json…
          <input
            type="file"
            accept="application/json,.json"
            aria-label="Import shots.json"
            disabled={busy()}
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              if (file !== undefined) void actions.importJson(file);
              e.currentTarget.value = '';
            }}
          />
        </label>
      </div>
      <Show when={state.summary}>
        {(summary) => (
          <p class="hint" role="status" data-testid="storyboard-summary">
            {summary()}
          </p>
        )}
      </Show>
    </section>
  );
}
