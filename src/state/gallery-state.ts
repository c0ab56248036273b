// The gallery's store: every clip the engine makes is stored with its
// recipe (src/gallery/), listed newest first with its thumbnail, and can be
// played, downloaded, remixed (its settings back into the form), linked
// (a recipe link) or deleted. A full quota keeps the clip on screen, says
// so, and offers the oldest clips for deletion; "Save again" then stores it.
// A record the gallery cannot read is listed as damaged, with a way to
// remove it; the rest of the gallery works as before.
import { createContext, useContext } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type { OldClip } from '../gallery/errors';
import type { DamagedRecord, Gallery, GalleryClip, GalleryUsage } from '../gallery/gallery';
import { thumbnailFromFrame } from '../gallery/thumbnail';
import type { LanternStore, MadeClip, ShownError } from './generate-state';

export type GalleryState = {
  /** False until the first listing (or the error opening the gallery). */
  ready: boolean;
  clips: GalleryClip[];
  /** Object URLs of the clips' thumbnails, by id. */
  thumbnails: Record<string, string>;
  damaged: DamagedRecord[];
  usage: GalleryUsage | null;
  /** The clip being played on the gallery screen: its id and an object URL of its video. */
  playing: { id: string; url: string } | null;
  /** The last clip did not fit: the message, the oldest clips offered for deletion, and whether it can be saved again. */
  full: { message: string; oldest: OldClip[] } | null;
  error: ShownError | null;
};

export type GalleryStore = ReturnType<typeof createGalleryStore>;

/** The frame a thumbnail shows: the middle of the clip's new part. */
function thumbnailFrame(made: MadeClip): Uint8ClampedArray | undefined {
  const { frames, givenFrames } = made.result;
  return frames[givenFrames + Math.floor((frames.length - givenFrames) / 2)] ?? frames[0];
}

export function createGalleryStore(open: () => Promise<Gallery>, lantern: LanternStore) {
  const [state, setState] = createStore<GalleryState>({
    ready: false,
    clips: [],
    thumbnails: {},
    damaged: [],
    usage: null,
    playing: null,
    full: null,
    error: null,
  });
  let gallery: Promise<Gallery> | null = null;
  const db = (): Promise<Gallery> => {
    gallery ??= open().catch((error: unknown) => {
      gallery = null;
      throw error;
    });
    return gallery;
  };
  /** The clip that did not fit, kept until it is saved or another clip is made. */
  let unsaved: MadeClip | null = null;

  const fail = (error: unknown): void => {
    const e = error instanceof Error ? error : new Error(String(error));
    console.warn(`Lantern: gallery: ${e.name}: ${e.message}`);
    setState('error', { name: e.name, message: e.message });
  };

  const refresh = async (): Promise<void> => {
    try {
      const g = await db();
      const [listing, usage] = await Promise.all([g.list(), g.usage()]);
      for (const url of Object.values(state.thumbnails)) URL.revokeObjectURL(url);
      const thumbnails: Record<string, string> = {};
      for (const clip of listing.clips) thumbnails[clip.id] = URL.createObjectURL(clip.thumbnail);
      if (listing.damaged.length > 0) console.warn(`Lantern: gallery: ${listing.damaged.length} damaged record(s) skipped`, listing.damaged);
      setState({ ready: true, clips: listing.clips, damaged: listing.damaged, usage });
      setState('thumbnails', reconcile(thumbnails));
    } catch (error) {
      setState('ready', true);
      fail(error);
    }
  };

  const save = async (made: MadeClip): Promise<void> => {
    const { result, recipe } = made;
    try {
      const frame = thumbnailFrame(made);
      const thumbnail = frame === undefined ? new Blob([], { type: 'image/png' }) : await thumbnailFromFrame(frame, result.width, result.height);
      const stored = await (await db()).add({
        recipe,
        mp4: result.mp4,
        mimeType: result.mimeType,
        fileName: result.fileName,
        width: result.width,
        height: result.height,
        fps: result.fps,
        frameCount: result.frames.length,
        thumbnail,
      });
      unsaved = null;
      setState({ full: null, error: null });
      lantern.actions.markStored(made, stored.id);
    } catch (error) {
      if (error instanceof Error && error.name === 'GalleryFullError') {
        unsaved = made;
        const { oldest } = error as Error & { oldest: OldClip[] };
        setState('full', { message: error.message, oldest });
        console.warn(`Lantern: gallery: ${error.message}`);
      } else {
        fail(error);
      }
    }
    await refresh();
  };
  lantern.actions.onClipMade((made) => void save(made));

  const actions = {
    refresh,
    /** Plays a stored clip on the gallery screen. */
    play: async (id: string): Promise<void> => {
      try {
        const blob = await (await db()).videoBlob(id);
        if (state.playing !== null) URL.revokeObjectURL(state.playing.url);
        setState('playing', { id, url: URL.createObjectURL(blob) });
      } catch (error) {
        fail(error);
      }
    },
    stop: (): void => {
      if (state.playing !== null) URL.revokeObjectURL(state.playing.url);
      setState('playing', null);
    },
    /** Deletes one clip (after the screen's confirmation) and nothing else. */
    remove: async (id: string): Promise<void> => {
      try {
        if (state.playing?.id === id) actions.stop();
        await (await db()).delete(id);
        setState('full', (full) => (full === null ? null : { ...full, oldest: full.oldest.filter((c) => c.id !== id) }));
      } catch (error) {
        fail(error);
      }
      await refresh();
    },
    removeDamaged: async (key: string): Promise<void> => {
      try {
        await (await db()).deleteDamaged(key);
      } catch (error) {
        fail(error);
      }
      await refresh();
    },
    /** Stores the clip that did not fit, after room was made. */
    saveAgain: async (): Promise<void> => {
      if (unsaved !== null) await save(unsaved);
    },
    hasUnsaved: (): boolean => unsaved !== null,
    dismissError: (): void => {
      setState('error', null);
    },
    /** The stored clips (newest first) and damaged records, read now: window.lantern.gallery(). */
    listing: async (): Promise<{ clips: GalleryClip[]; damaged: DamagedRecord[] }> => (await db()).list(),
    /** The stored video of a clip, e.g. to download it. */
    videoBlob: async (id: string): Promise<Blob> => (await db()).videoBlob(id),
  };
  void refresh();
  return { state, actions };
}

export const GalleryContext = createContext<GalleryStore>();

export function useGallery(): GalleryStore {
  const store = useContext(GalleryContext);
  if (store === undefined) throw new Error('useGallery() must be called inside <GalleryContext.Provider>.');
  return store;
}
