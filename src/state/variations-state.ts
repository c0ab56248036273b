// Variations of the form's prompt: 2 to 4 clips with consecutive seeds, made
// in one go through the Studio (so the page's progress, preview and Cancel
// cover the whole set), shown side by side. "Keep working on this" makes one
// the clip on screen (for Edit, Extend, Use this frame). Each variation is
// also a clip the engine made, so the gallery keeps every one.
import { createContext, useContext } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { GenerateResult } from '../../workers/contracts/generator';
import type { Studio } from '../studio';
import { MIN_VARIATIONS } from '../variations';
import type { LanternStore } from './generate-state';

export type Variation = { seed: number; url: string | null; result: GenerateResult | null };

export type VariationsState = {
  count: number;
  running: boolean;
  items: Variation[];
  /** How the last set ended, in words. */
  summary: string | null;
};

export type VariationsStore = ReturnType<typeof createVariationsStore>;

export function createVariationsStore(studio: Studio, lantern: LanternStore) {
  const [state, setState] = createStore<VariationsState>({ count: 3, running: false, items: [], summary: null });
  const clear = (): void => {
    for (const item of state.items) if (item.url !== null) URL.revokeObjectURL(item.url);
    setState('items', []);
  };
  const actions = {
    setCount: (count: number): void => {
      setState('count', count);
    },
    run: async (): Promise<void> => {
      if (state.running) return;
      clear();
      const request = lantern.actions.formRequest();
      const seeds = Array.from({ length: state.count }, (_, i) => (request.seed + i) % 2 ** 32);
      setState({ running: true, summary: null, items: seeds.map((seed) => ({ seed, url: null, result: null })) });
      try {
        const result = await studio.variations(request, state.count, {
          onClip: (index, clip) => {
            const url = URL.createObjectURL(new Blob([clip.mp4.slice()], { type: clip.mimeType }));
            setState('items', index, { url, result: clip });
          },
        });
        setState('summary', result.canceled ? `Canceled: ${result.results.length} of ${seeds.length} variations finished.` : `${seeds.length} variations.`);
      } catch (error) {
        lantern.actions.showError(error);
        setState('summary', 'The variations stopped with an error.');
      } finally {
        setState('running', false);
      }
    },
    /** Makes variation `index` the clip on screen. */
    pick: (index: number): void => {
      const item = state.items[index];
      if (item?.result != null) lantern.actions.pickVariation(item.result);
    },
    clear,
  };
  return { state, actions };
}

export const VariationsContext = createContext<VariationsStore>();

export function useVariations(): VariationsStore {
  const store = useContext(VariationsContext);
  if (store === undefined) throw new Error('useVariations() must be called inside <VariationsContext.Provider>.');
  return store;
}

export { MIN_VARIATIONS };
