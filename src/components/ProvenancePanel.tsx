// What every clip says about itself: the visible "AI" badge (on by default;
// strict mode keeps it on) and whether the prompt and seed go into the file
// (off by default: privacy). The XMP and C2PA labels and the invisible
// watermark are always written; the panel says so.
import { Show } from 'solid-js';
import { useDeployment } from '../state/deployment-state';

export function ProvenancePanel() {
  const { state, actions } = useDeployment();
  const strict = () => state.policy.mode === 'strict';
  return (
    <fieldset class="panel provenance-panel" aria-describedby="provenance-always">
      <legend>Labels on every clip</legend>
      <p id="provenance-always" class="hint">
        Every clip is labelled as AI-made in its file (XMP, C2PA) and in its pixels (an invisible watermark). <em>Check a video</em> reads them back.
      </p>
      <label>
        <input
          type="checkbox"
          id="visible-mark"
          checked={strict() || state.choices.visibleMark}
          disabled={strict()}
          onChange={(event) => actions.setChoice('visibleMark', event.currentTarget.checked)}
        />{' '}
        Show a small “AI” badge in the corner
      </label>
      <Show when={strict()}>
        <p class="hint" data-testid="mark-forced">
          Classroom mode keeps the badge on.
        </p>
      </Show>
      <label>
        <input
          type="checkbox"
          id="include-recipe"
          checked={state.choices.includeRecipe}
          onChange={(event) => actions.setChoice('includeRecipe', event.currentTarget.checked)}
        />{' '}
        Write the prompt and seed into the file (anyone with the file can read them)
      </label>
    </fieldset>
  );
}
