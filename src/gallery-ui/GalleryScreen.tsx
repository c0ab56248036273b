// The Gallery tab: every clip this browser made, newest first, with the
// storage they use; the clip being played; a full quota's message with the
// oldest clips to delete; and records that could not be read.
import { createEffect, For, Show } from 'solid-js';
import type { GalleryClip } from '../gallery/gallery';
import { formatBytes } from '../messages';
import { useGallery } from '../state/gallery-state';
import { GalleryCard } from './GalleryCard';

export function GalleryScreen(props: { hidden: boolean; onRemix: (clip: GalleryClip) => void }) {
  const { state, actions } = useGallery();
  // Another tab may have added or deleted clips meanwhile.
  createEffect(() => {
    if (!props.hidden) void actions.refresh();
  });
  return (
    <section id="screen-gallery" class="gallery-screen" role="tabpanel" aria-labelledby="tab-gallery" hidden={props.hidden}>
      <h2>Gallery</h2>
      <p class="hint" data-testid="gallery-usage">
        <Show when={state.usage} fallback="Reading the gallery…">
          {(usage) => (
            <>
              {usage().clips} {usage().clips === 1 ? 'clip' : 'clips'}, {formatBytes(usage().bytes)}
              <Show when={usage().quota}>
                {(quota) => (
                  <>
                    {' '}
                    · this site uses {formatBytes(usage().usage ?? 0)} of {formatBytes(quota())}
                  </>
                )}
              </Show>
            </>
          )}
        </Show>
      </p>
      <GalleryFullMessage />
      <Show when={state.error}>
        {(error) => (
          <div class="message error" role="alert" data-error-name={error().name}>
            {error().message}{' '}
            <button type="button" class="link" onClick={() => actions.dismissError()}>
              Dismiss
            </button>
          </div>
        )}
      </Show>
      <Show when={state.playing}>
        {(playing) => (
          <figure class="gallery-player">
            <video src={playing().url} loop autoplay muted playsinline controls aria-label="Gallery clip" />
            <figcaption>
              {state.clips.find((c) => c.id === playing().id)?.title}{' '}
              <button type="button" class="secondary" onClick={() => actions.stop()}>
                Close
              </button>
            </figcaption>
          </figure>
        )}
      </Show>
      <Show when={state.clips.length > 0} fallback={<Show when={state.ready}>{<p class="hint">No clips yet: every clip you make is kept here.</p>}</Show>}>
        <ul class="gallery-list" aria-label="Stored clips">
          <For each={state.clips}>
            {(clip) => (
              <li>
                <GalleryCard clip={clip} onRemix={props.onRemix} />
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={state.damaged.length > 0}>
        <div class="message error" role="alert" data-testid="gallery-damaged">
          <strong>
            {state.damaged.length} gallery {state.damaged.length === 1 ? 'record' : 'records'} could not be read and {state.damaged.length === 1 ? 'is' : 'are'}{' '}
            skipped.
          </strong>
          <ul>
            <For each={state.damaged}>
              {(d) => (
                <li>
                  {d.key}: {d.reason}{' '}
                  <button type="button" class="link" onClick={() => void actions.removeDamaged(d.key)}>
                    Remove it
                  </button>
                </li>
              )}
            </For>
          </ul>
        </div>
      </Show>
    </section>
  );
}

function GalleryFullMessage() {
  const { state, actions } = useGallery();
  return (
    <Show when={state.full}>
      {(full) => (
        <div class="message error" role="alert" data-error-name="GalleryFullError">
          <p>{full().message}</p>
          <Show when={full().oldest.length > 0}>
            <p>Oldest clips:</p>
            <ul>
              <For each={full().oldest}>
                {(old) => (
                  <li>
                    {state.clips.find((c) => c.id === old.id)?.title ?? old.id} ({new Date(old.createdAt).toLocaleString()}, {formatBytes(old.byteLength)}){' '}
                    <button type="button" class="secondary" onClick={() => void actions.remove(old.id)}>
                      Delete
                    </button>
                  </li>
                )}
              </For>
            </ul>
          </Show>
          <button type="button" onClick={() => void actions.saveAgain()}>
            Save the new clip again
          </button>
        </div>
      )}
    </Show>
  );
}
