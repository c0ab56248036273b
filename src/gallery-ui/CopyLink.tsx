// "Copy link": a URL that carries the clip's recipe (not the video) in its
// fragment, so it never reaches a server. The link is also shown, selected,
// for browsers that refuse clipboard access.
import { createSignal, Show } from 'solid-js';
import { recipeLink } from '../recipe/link';
import type { Recipe } from '../recipe/recipe';

/** The app's own address, without query or fragment: what a recipe link opens. */
export function appBase(): string {
  return `${location.origin}${location.pathname}`;
}

export function CopyLink(props: { recipe: Recipe | null; label?: string }) {
  const [link, setLink] = createSignal<string | null>(null);
  const [status, setStatus] = createSignal('');
  const copy = async (): Promise<void> => {
    const recipe = props.recipe;
    if (recipe === null) return;
    try {
      const url = recipeLink(recipe, appBase());
      setLink(url);
      try {
        await navigator.clipboard.writeText(url);
        setStatus('Link copied.');
      } catch {
        setStatus('Copy the link below (this browser did not allow the clipboard).');
      }
    } catch (error) {
      setLink(null);
      setStatus(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <span class="copy-link">
      <button
        type="button"
        class="secondary"
        disabled={props.recipe === null}
        onClick={() => void copy()}
        title="A link that makes this clip again: it carries the settings, not the video"
      >
        {props.label ?? 'Copy link'}
      </button>
      <span role="status" class="hint">
        {status()}
      </span>
      <Show when={link()}>
        {(url) => <input class="recipe-link" type="text" readOnly value={url()} aria-label="Recipe link" onFocus={(e) => e.currentTarget.select()} />}
      </Show>
    </span>
  );
}
