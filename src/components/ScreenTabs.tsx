// The screens, as tabs (WAI-ARIA tabs pattern: arrow keys move between
// them, Home and End go to the ends). Each tab controls the panel with id
// `screen-<name>`, labelled by the tab. No router: the page has four screens.
import { For } from 'solid-js';

export const SCREENS = ['generate', 'gallery', 'check', 'models'] as const;
export type Screen = (typeof SCREENS)[number];

const LABEL: Record<Screen, string> = { generate: 'Generate', gallery: 'Gallery', check: 'Check a video', models: 'Models' };

export function ScreenTabs(props: { screen: Screen; onSelect: (screen: Screen) => void }) {
  const move = (event: KeyboardEvent, from: number): void => {
    const to = { ArrowRight: from + 1, ArrowLeft: from - 1, Home: 0, End: SCREENS.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    const next = SCREENS[(to + SCREENS.length) % SCREENS.length]!;
    props.onSelect(next);
    document.getElementById(`tab-${next}`)?.focus();
  };
  return (
    <div class="screen-tabs" role="tablist" aria-label="Screens">
      <For each={SCREENS}>
        {(screen, i) => (
          <button
            type="button"
            role="tab"
            id={`tab-${screen}`}
            aria-controls={`screen-${screen}`}
            aria-selected={props.screen === screen}
            tabIndex={props.screen === screen ? 0 : -1}
            onClick={() => props.onSelect(screen)}
            onKeyDown={(event) => move(event, i())}
          >
            {LABEL[screen]}
          </button>
        )}
      </For>
    </div>
  );
}
