// The storyboard panel's store: the shots (prompt, seed, optional image),
// saved to localStorage on every change so a reload keeps them, and the
// render in progress with each shot's status. Rendering goes through the
// Studio (src/studio.ts), so the page's progress, preview and player follow
// it like any generation, and Cancel keeps the finished shots.
import { createContext, useContext } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { Backend } from '../../workers/contracts/generator';
import { isCanceled } from '../engine-client';
import type { Shot } from '../storyboard/shots';
import { parseShotsJson } from '../storyboard/shots';
import type { Studio } from '../studio';
import { dataUrlToBlob, rgbaToDataUrl } from './frame-image';
import type { LanternStore } from './generate-state';

export const STORYBOARD_STORAGE_KEY = 'lantern.storyboard.v1';

export type StoryShot = {
  id: string;
  prompt: string /** Text of the seed field; empty: the storyboard's seed plus the shot's index. */;
  seed: string;
  image: { name: string; url: string } | null;
};
export type ShotStatus = 'waiting' | 'running' | 'done' | 'canceled' | 'failed';
export type StoryboardState = {
  shots: StoryShot[];
  /** Statuses by shot id while rendering and after; null before the first render. */
  statuses: Record<string, ShotStatus>;
  rendering: boolean;
  /** How far the running shot is, 0..1. */
  shotFraction: number;
  /** How the last render ended, in words. */
  summary: string | null;
};

const newId = () => crypto.randomUUID();
const blankShot = (): StoryShot => ({ id: newId(), prompt: '', seed: '', image: null });

/** Saved shots, or one empty shot. An unreadable save is kept under another key, never overwritten. */
function restore(): StoryShot[] {
  let raw: string | null;
  try {
    raw = localStorage.getItem(STORYBOARD_STORAGE_KEY);
  } catch (error) {
    // Site data blocked (a frame on a page whose browser blocks third-party storage): start empty; saving says so.
    console.warn('Lantern: this browser does not let the page read its storage; the storyboard starts empty', error);
    return [blankShot()];
  }
  if (raw === null) return [blankShot()];
  try {
    const saved = JSON.parse(raw) as { shots: Omit<StoryShot, 'id'>[] };
    const shots = saved.shots.map((s) => ({
      id: newId(),
      prompt: String(s.prompt ?? ''),
      seed: String(s.seed ?? ''),
      image: s.image && typeof s.image.url === 'string' ? { name: String(s.image.name), url: s.image.url } : null,
    }));
    return shots.length > 0 ? shots : [blankShot()];
  } catch (error) {
    console.warn('Lantern: the saved storyboard could not be read; it is kept as lantern.storyboard.unreadable', error);
    try {
      localStorage.setItem(`${STORYBOARD_STORAGE_KEY}.unreadable`, raw);
    } catch {
      // Cannot keep the copy: the unreadable save stays where it is, unread and not overwritten until the user edits.
    }
    return [blankShot()];
  }
}

export function createStoryboardStore(studio: Studio, lantern: LanternStore) {
  const [state, setState] = createStore<StoryboardState>({ shots: restore(), statuses: {}, rendering: false, shotFraction: 0, summary: null });

  const save = (): void => {
    try {
      localStorage.setItem(STORYBOARD_STORAGE_KEY, JSON.stringify({ shots: state.shots.map(({ id: _id, ...shot }) => shot) }));
    } catch (error) {
      lantern.actions.showError(
        new Error(`The storyboard could not be saved in this browser (${(error as Error).message}); it stays on the page until you reload.`),
      );
    }
  };
  const setShots = (shots: StoryShot[]): void => {
    setState('shots', shots);
    save();
  };
  const index = (id: string) => state.shots.findIndex((s) => s.id === id);

  const actions = {
    add: (): void => setShots([...state.shots, blankShot()]),
    remove: (id: string): void => setShots(state.shots.length > 1 ? state.shots.filter((s) => s.id !== id) : [blankShot()]),
    move: (id: string, by: -1 | 1): void => {
      const i = index(id);
      const j = i + by;
      if (i < 0 || j < 0 || j >= state.shots.length) return;
      const shots = [...state.shots];
      [shots[i], shots[j]] = [shots[j]!, shots[i]!];
      setShots(shots);
    },
    set: (id: string, field: 'prompt' | 'seed', value: string): void => {
      setState('shots', index(id), field, value);
      save();
    },
    setImage: async (id: string, file: Blob): Promise<void> => {
      try {
        const rgba = await studio.fitImage(file);
        const model = lantern.state.lastModel!;
        setState('shots', index(id), 'image', { name: file instanceof File ? file.name : 'image', url: rgbaToDataUrl(rgba, model.width, model.height) });
        save();
      } catch (error) {
        lantern.actions.showError(error);
      }
    },
    clearImage: (id: string): void => {
      setState('shots', index(id), 'image', null);
      save();
    },
    /** Replaces the shots with a shots.json file's; a bad file is its StoryboardError and the shots stay. */
    importJson: async (file: Blob): Promise<void> => {
      try {
        const shots = parseShotsJson(await file.text());
        setShots(shots.map((s) => ({ id: newId(), prompt: s.prompt, seed: s.seed === undefined ? '' : String(s.seed), image: null })));
      } catch (error) {
        lantern.actions.showError(error);
      }
    },
    render: async (): Promise<void> => {
      const form = lantern.state.form;
      const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
      const shots: Shot[] = state.shots.map((s) => ({
        prompt: s.prompt,
        ...(s.seed.trim() === '' ? {} : { seed: Number(s.seed) }),
        ...(s.image === null ? {} : { image: dataUrlToBlob(s.image.url) }),
      }));
      const ids = state.shots.map((s) => s.id);
      setState({ rendering: true, summary: null, statuses: Object.fromEntries(ids.map((id) => [id, 'waiting' as ShotStatus])) });
      try {
        const seed = number(form.seed);
        const steps = number(form.steps);
        const guidance = number(form.guidance);
        const shift = form.shift === 'schedule' ? lantern.state.lastModel?.scheduleShift : (form.shift ?? undefined);
        const negativePrompt = form.negativePrompt.trim();
        const result = await studio.renderStoryboard(
          shots,
          {
            codec: form.codec,
            sampler: form.sampler,
            ...(shift === undefined ? {} : { shift }),
            ...(seed === undefined ? {} : { seed }),
            ...(steps === undefined ? {} : { steps }),
            ...(guidance === undefined ? {} : { guidance }),
            ...(negativePrompt === '' ? {} : { negativePrompt }),
          },
          {
            onShot: (e) => {
              setState('statuses', ids[e.shot]!, e.status);
              setState('shotFraction', e.status === 'done' ? 1 : 0);
            },
            onProgress: (p) => setState('shotFraction', Math.min(1, Math.max(0, p.fraction * p.shots - p.shot))),
          },
        );
        for (const id of ids.slice(result.completedShots)) {
          setState('statuses', id, result.canceled ? 'canceled' : result.error !== null && id === ids[result.completedShots] ? 'failed' : 'waiting');
        }
        const backend: Backend = lantern.state.model?.backend.backend ?? 'wasm';
        lantern.actions.showStoryboard(result, backend);
        if (result.error !== null) lantern.actions.showError(Object.assign(new Error(result.error.message), { name: result.error.name }));
        setState(
          'summary',
          `${result.completedShots} of ${result.totalShots} shots rendered${result.canceled ? ' (canceled; the finished shots are kept)' : ''}: ${result.frames.length} frames.`,
        );
      } catch (error) {
        if (!isCanceled(error)) lantern.actions.showError(error);
        setState('statuses', {});
      } finally {
        setState('rendering', false);
      }
    },
  };
  return { state, actions };
}

export type StoryboardStore = ReturnType<typeof createStoryboardStore>;

export const StoryboardContext = createContext<StoryboardStore>();

export function useStoryboard(): StoryboardStore {
  const store = useContext(StoryboardContext);
  if (store === undefined) throw new Error('useStoryboard() must be called inside <StoryboardContext.Provider>.');
  return store;
}
