// One stored clip: its thumbnail, title, when it was made and with what,
// and its actions. Delete asks first, in place (no modal), and deletes only
// this clip.
import { createSignal, Show } from 'solid-js';
import type { GalleryClip } from '../gallery/gallery';
import { formatBytes, SAMPLER_LABEL } from '../messages';
import { isReproducible } from '../recipe/recipe';
import { useGallery } from '../state/gallery-state';
import { CopyLink } from './CopyLink';

const SOURCE_LABEL = { edit: 'edit', extension: 'extension', image: 'from an image' } as const;

export function GalleryCard(props: { clip: GalleryClip; onRemix: (clip: GalleryClip) => void }) {
  const { state, actions } = useGallery();
  const [confirming, setConfirming] = createSignal(false);
  const clip = () => props.clip;
  const made = () => new Date(clip().createdAt).toLocaleString();
  const download = async (): Promise<void> => {
    const url = URL.createObjectURL(await actions.videoBlob(clip().id));
    const a = document.createElement('a');
    a.href = url;
    a.download = clip().fileName;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };
  return (
    <article class="gallery-card" aria-label={clip().title} data-clip-id={clip().id}>
      <button type="button" class="thumb" onClick={() => void actions.play(clip().id)} aria-label={`Play ${clip().title}`}>
        <img src={state.thumbnails[clip().id]} alt="" width={96} height={96} />
      </button>
      <div class="gallery-facts">
        <strong class="gallery-title">{clip().title}</strong>
        <span class="hint">
          {made()} · seed {clip().recipe.seed} · {clip().recipe.steps} steps, {SAMPLER_LABEL[clip().recipe.sampler]} · {clip().frameCount} frames ·{' '}
          {formatBytes(clip().byteLength)}
          <Show when={clip().recipe.source}>{(source) => <> · {SOURCE_LABEL[source().kind]}</>}</Show>
        </span>
        <div class="gallery-actions">
          <button type="button" class="secondary" onClick={() => void actions.play(clip().id)}>
            Play
          </button>
          <button type="button" class="secondary" onClick={() => void download().catch((e: unknown) => console.warn(e))}>
            Download
          </button>
          <button type="button" class="secondary" onClick={() => props.onRemix(clip())} title="Put this clip's settings into the form">
            Remix
          </button>
          <Show when={isReproducible(clip().recipe)}>
            <CopyLink recipe={clip().recipe} />
          </Show>
          <Show
            when={confirming()}
            fallback={
              <button type="button" class="secondary" onClick={() => setConfirming(true)}>
                Delete
              </button>
            }
          >
            <fieldset class="confirm">
              <legend class="visually-hidden">Confirm delete</legend>
              Delete this clip?{' '}
              <button type="button" class="danger" onClick={() => void actions.remove(clip().id)}>
                Delete clip
              </button>
              <button type="button" class="secondary" onClick={() => setConfirming(false)}>
                Keep
              </button>
            </fieldset>
          </Show>
        </div>
      </div>
    </article>
  );
}
