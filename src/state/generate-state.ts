// The app's one store: the engine's state, progress and results as Solid
// state, plus the form and the actions the components call. It listens to the
// EngineClient's events rather than to the UI's own calls, so a generation
// started from a script (`window.lantern`) shows its progress here too.
import { createContext, useContext } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { Backend, BackendChoice, GenerateRequest, GenerateResult, ModelInfo, Preview, Progress } from '../../workers/contracts/generator';
import { DEFAULT_SAMPLER, DEFAULT_VIDEO_CODEC, type SamplerName, type VideoCodecName } from '../../workers/contracts/generator';
import type { ContentCredentials } from '../../workers/contracts/provenance';
import { type EngineClient, type EngineEvent, type EngineState, isCanceled } from '../engine-client';
import { CODEC_LABEL, contentCredentialsNotice } from '../messages';
import { framesSha256, recipeOf } from '../recipe/from-result';
import { describeMissingModel, parseRecipeLink } from '../recipe/link';
import type { ParentClip, Recipe } from '../recipe/recipe';
import { reproduce } from '../recipe/reproduce';
import { defaultSpeed, presetForm, type Speed } from '../sampling-presets';
import type { StoryboardResult } from '../storyboard/render';
import type { Studio } from '../studio';
import { rgbaToDataUrl } from './frame-image';

/** Served by vite.config.ts from models-manifest/lantern-tiny.json; its files come from public/models/lantern-tiny/. */
export const BUILTIN_MANIFEST_URL = '/models/lantern-tiny.json';

/** Largest seed the engine takes (seeds are uint32). */
export const MAX_SEED = 0xffff_ffff;

export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
}

export type Clip = {
  url: string;
  fileName: string;
  bytes: number;
  prompt: string;
  seed: number;
  backend: Backend;
  codec: VideoCodecName;
  width: number;
  height: number;
  fps: number;
  frames: number;
  /** Frames of it that were given (an extended clip's earlier part); 0 for a new clip. */
  givenFrames: number;
  /** Shots it was rendered from (a storyboard); 0 for a single generation. */
  shots: number;
  timings: Record<'encodeText' | 'encodeFrames' | 'denoise' | 'decode' | 'encode', number>;
  /** How to make it again; null for a storyboard (its shots have theirs) until it is known. */
  recipe: Recipe | null;
  /** Its id in the gallery once stored; null before (or when it could not be stored). */
  galleryId: string | null;
  /** SHA-256 of its RGBA frames: the same recipe on the same model and backend gives the same one. */
  fingerprint: string | null;
};

/** A clip the engine made, with its recipe: what the gallery stores. */
export type MadeClip = { result: GenerateResult; recipe: Recipe; url: string };

/** The image a clip starts from (image-to-video), already fitted to the model's frame. */
export type StartImage = { name: string /** PNG data URL of the fitted frame, shown as the first frame. */; url: string };

export type ShownError = { name: string; message: string };

export type Form = {
  prompt: string;
  negativePrompt: string;
  /** Text of the inputs; parsed when Generate is pressed. An empty seed means "pick one". */
  seed: string;
  /** Set with the steps by the Speed choice (sampling-presets.ts) or a recipe; editing the steps keeps it. */
  sampler: SamplerName;
  steps: string;
  /**
   * The schedule's shift, set with the sampler: a preset's, a recipe's, or null for the model's default
   * (ModelInfo.defaultShift); 'schedule' for a recipe from before shifts: the model's own (scheduleShift).
   */
  shift: number | null | 'schedule';
  guidance: string;
  /** The clip's video codec; kept to one the loaded model's ModelInfo.codecs lists. */
  codec: VideoCodecName;
};

export type LanternState = {
  engine: EngineState;
  /** The manifest (absolute URL) of the model loaded or loading, however the load was asked for (UI, models screen, window.lantern). */
  manifestUrl: string;
  /** The model loaded now (null while loading or after a failed load). */
  model: ModelInfo | null;
  /** The last model that loaded: its limits and clip size stay known while it reloads. */
  lastModel: ModelInfo | null;
  backendChoice: BackendChoice;
  /** The load or generation in progress: what it is and when it started (performance.now()). */
  run: { kind: 'load' | 'generate'; startedAt: number } | null;
  /** The last run that ended: what it was, how long it took, whether it succeeded. */
  lastRun: { kind: 'load' | 'generate'; ms: number; ok: boolean } | null;
  progress: Progress | null;
  /** performance.now(), ticking while a run is in progress (for elapsed time and ETA). */
  now: number;
  preview: Preview | null;
  clip: Clip | null;
  error: ShownError | null;
  /** Sentences for the user that are not errors (a restarted engine, an unknown URL parameter). */
  notices: string[];
  /** Words of the last prompt the model dropped (it keeps the first maxPromptWords). */
  truncatedWords: number | null;
  /** When set, Generate starts the clip from this image. */
  startImage: StartImage | null;
  /** A recipe link the page was opened with: its recipe (or why it cannot be read), and the model it needs when that is not loaded. */
  link: { recipe: Recipe | null; error: ShownError | null; missingModel: string | null } | null;
  form: Form;
};

export type LanternStore = ReturnType<typeof createLanternStore>;

const TICK_MS = 200;

export function createLanternStore(client: EngineClient, studio: Studio, options: { manifestUrl: string; backend: BackendChoice; notices?: string[] }) {
  const madeListeners = new Set<(made: MadeClip) => void>();
  // The recipe and gallery id of each result the engine made, for showing it again (a picked variation).
  const made = new WeakMap<GenerateResult, { recipe: Recipe; galleryId: string | null }>();
  const [state, setState] = createStore<LanternState>({
    engine: client.state,
    manifestUrl: absolute(options.manifestUrl),
    model: null,
    lastModel: null,
    backendChoice: options.backend,
    run: null,
    lastRun: null,
    progress: null,
    now: performance.now(),
    preview: null,
    clip: null,
    error: null,
    notices: options.notices ?? [],
    truncatedWords: null,
    startImage: null,
    link: null,
    form: {
      prompt: '',
      negativePrompt: '',
      seed: String(randomSeed()),
      sampler: DEFAULT_SAMPLER,
      steps: '',
      shift: null,
      guidance: '',
      codec: DEFAULT_VIDEO_CODEC,
    },
  });

  // Pixels stay out of the reactive store: the shown clip's RGBA frames (for Extend and
  // "Use this frame") and the start image's.
  let clipFrames: Uint8ClampedArray[] = [];
  let startFrame: Uint8ClampedArray | null = null;

  let ticker: ReturnType<typeof setInterval> | undefined;
  const startRun = (kind: 'load' | 'generate'): void => {
    if (state.run?.kind === kind) return;
    const now = performance.now();
    setState({ run: { kind, startedAt: now }, now, progress: null, lastRun: null });
    clearInterval(ticker);
    ticker = setInterval(() => setState('now', performance.now()), TICK_MS);
  };
  const endRun = (ok: boolean): void => {
    clearInterval(ticker);
    const run = state.run;
    if (run === null) return;
    const now = performance.now();
    setState({ run: null, now, lastRun: { kind: run.kind, ms: now - run.startedAt, ok } });
  };

  const onState = (engine: EngineState): void => {
    setState('engine', engine);
    switch (engine.status) {
      case 'loading':
        // The error stays: a reload after a restart must not hide why the engine was restarted.
        setState({ model: null, manifestUrl: absolute(engine.manifestUrl) });
        startRun('load');
        break;
      case 'generating':
        setState({ error: null, preview: null, truncatedWords: null });
        setClip(null);
        startRun('generate');
        break;
      case 'ready': {
        endRun(engine.outcome === undefined || engine.outcome.kind === 'done');
        const model = engine.model;
        setState({ model, lastModel: model });
        if (state.link?.recipe != null) setState('link', 'missingModel', describeMissingModel(state.link.recipe, [model]));
        // An untouched form takes the model's default: its Speed preset's sampler and steps.
        if (state.form.steps === '') setState('form', presetForm(defaultSpeed(model), model));
        if (state.form.guidance === '') setState('form', 'guidance', String(model.defaultGuidance));
        // A codec this browser cannot encode for this model is not offered (PromptForm): switch, and say so.
        const chosen = state.form.codec;
        if (model.codecs.length > 0 && !model.codecs.includes(chosen)) {
          const codec = model.codecs[0] ?? DEFAULT_VIDEO_CODEC;
          const notice = `${CODEC_LABEL[chosen]} cannot be encoded by this browser at ${model.width}×${model.height}; Video format is now ${CODEC_LABEL[codec]}.`;
          console.warn(`Lantern: ${notice}`);
          setState('form', 'codec', codec);
          setState('notices', (notices) => [...notices, notice]);
        }
        const outcome = engine.outcome;
        if (outcome !== undefined && outcome.kind !== 'done') {
          // The preview of a run that made no clip would be mistaken for its result.
          setState({ error: { name: outcome.error.name, message: outcome.error.message }, preview: null });
        }
        break;
      }
      case 'idle':
        endRun(false);
        setState({ model: null, preview: null });
        if (engine.error !== undefined) setState('error', { name: engine.error.name, message: engine.error.message });
        break;
    }
  };

  type Shown = Pick<GenerateResult, 'mp4' | 'mimeType' | 'fileName' | 'frames' | 'width' | 'height' | 'fps' | 'seed' | 'backend' | 'codec'>;
  const showClip = (result: Shown, about: Pick<Clip, 'prompt' | 'givenFrames' | 'shots' | 'timings'> & Partial<Pick<Clip, 'recipe' | 'galleryId'>>): string => {
    // Copy into a fresh ArrayBuffer: the Blob must not depend on a buffer the worker may reuse.
    const url = URL.createObjectURL(new Blob([result.mp4.slice()], { type: result.mimeType }));
    clipFrames = result.frames;
    const frames = result.frames;
    framesSha256(frames).then(
      (fingerprint) => {
        if (state.clip?.url === url) setState('clip', 'fingerprint', fingerprint);
      },
      (error: unknown) => console.warn('Lantern: could not fingerprint the clip', error),
    );
    setClip({
      recipe: null,
      galleryId: null,
      fingerprint: null,
      url,
      fileName: result.fileName,
      bytes: result.mp4.byteLength,
      seed: result.seed,
      backend: result.backend,
      codec: result.codec,
      width: result.width,
      height: result.height,
      fps: result.fps,
      frames: result.frames.length,
      ...about,
      timings: { ...about.timings },
    });
    return url;
  };

  const setClip = (clip: Clip | null): void => {
    if (state.clip !== null) URL.revokeObjectURL(state.clip.url);
    setState('clip', clip);
  };

  /** A clip without its C2PA manifest (or signed with a new key) is said so, once until dismissed. */
  const noteContentCredentials = (credentials: ContentCredentials | null): void => {
    const notice = credentials === null ? null : contentCredentialsNotice(credentials);
    if (notice !== null && !state.notices.includes(notice)) setState('notices', (notices) => [...notices, notice]);
  };

  const onEvent = (event: EngineEvent): void => {
    switch (event.type) {
      case 'state':
        onState(event.state);
        break;
      case 'progress':
        setState('progress', event.progress);
        if (event.progress.phase === 'encodeText' && event.progress.truncatedWords !== undefined && event.progress.truncatedWords > 0) {
          setState('truncatedWords', event.progress.truncatedWords);
        }
        break;
      case 'preview':
        setState('preview', event.preview);
        break;
      case 'result': {
        const { result, request } = event;
        const url = showClip(result, { prompt: request.prompt, givenFrames: result.givenFrames, shots: 0, timings: result.timings });
        if (result.truncatedWords !== undefined && result.truncatedWords > 0) setState('truncatedWords', result.truncatedWords);
        noteContentCredentials(result.contentCredentials);
        const model = state.model ?? state.lastModel;
        if (model !== null) {
          recipeOf(request, result, model, studio.sourceOf(request)).then(
            (recipe) => {
              made.set(result, { recipe, galleryId: null });
              if (state.clip?.url === url) setState('clip', 'recipe', recipe);
              for (const listener of madeListeners) listener({ result, recipe, url });
            },
            (error: unknown) => console.warn('Lantern: could not write the clip recipe', error),
          );
        }
        break;
      }
      case 'restart':
        // After a crash or a stall the error shown already says the engine was restarted.
        if (event.cause === 'cancel' || event.cause === 'deviceLost') setState('notices', (notices) => [...notices, event.reason]);
        break;
    }
  };
  client.subscribe(onEvent);

  const load = (backend: BackendChoice, manifestUrl: string = state.manifestUrl): Promise<ModelInfo> => {
    setState('backendChoice', backend);
    return client.load({ manifestUrl, backend });
  };

  /** The request the form describes; an empty seed is replaced by a random one (shown in the field). */
  const request = (): GenerateRequest => {
    const form = state.form;
    let seed = form.seed.trim();
    if (seed === '') {
      seed = String(randomSeed());
      setState('form', 'seed', seed);
    }
    const optionalNumber = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));
    const negativePrompt = form.negativePrompt.trim();
    return {
      prompt: form.prompt,
      ...(negativePrompt === '' ? {} : { negativePrompt }),
      seed: Number(seed),
      sampler: form.sampler,
      ...withDefined('steps', optionalNumber(form.steps)),
      ...withDefined('shift', form.shift === 'schedule' ? state.lastModel?.scheduleShift : (form.shift ?? undefined)),
      ...withDefined('guidance', optionalNumber(form.guidance)),
      codec: form.codec,
      previewEvery: 1,
      ...(startFrame === null ? {} : { conditioning: { kind: 'image' as const, frames: [startFrame] } }),
    };
  };

  const fail = (error: unknown): void => {
    const e = error instanceof Error ? error : new Error(String(error));
    setState('error', { name: e.name, message: e.message });
  };
  const setStartFrame = (frame: Uint8ClampedArray | null, name: string): void => {
    startFrame = frame;
    const model = state.lastModel;
    setState('startImage', frame === null || model === null ? null : { name, url: rgbaToDataUrl(frame, model.width, model.height) });
  };

  /** The shown clip as the parent of an edit or extension. */
  const shownParent = (): ParentClip => ({ galleryId: state.clip?.galleryId ?? null, recipe: state.clip?.recipe ?? null });

  const actions = {
    /** Loads the model with the chosen backend; resolves (or rejects) with the first load. */
    start: (): Promise<ModelInfo> => load(options.backend, options.manifestUrl),
    /** Loads another model (the models screen's Use) with the backend chosen now. */
    useModel: (manifestUrl: string): void => {
      setState({ error: null });
      load(state.backendChoice, manifestUrl).catch((error: unknown) => console.info('Lantern: model load failed', error));
    },
    setForm: <K extends keyof Form>(key: K, value: Form[K]): void => {
      setState('form', key, value);
    },
    /** A Speed preset's sampler and steps (the loaded model's) into the form. */
    setSpeed: (speed: Speed): void => {
      setState('form', presetForm(speed, state.lastModel));
    },
    randomizeSeed: (): void => {
      setState('form', 'seed', String(randomSeed()));
    },
    generate: (): void => {
      setState({ error: null, notices: [] });
      // Failures reach the UI through the engine's state (so script-started runs show them too).
      client.generate(request()).catch((error: unknown) => {
        if (!isCanceled(error)) console.info('Lantern: generation failed', error);
      });
    },
    cancel: (): void => {
      void studio.cancel();
    },
    /** Fits a picked, dropped or pasted image as the start frame; a bad file is shown as its named error. */
    setStartImage: async (file: Blob): Promise<void> => {
      setState({ error: null });
      try {
        setStartFrame(await studio.fitImage(file), file instanceof File ? file.name : 'pasted image');
      } catch (error) {
        fail(error);
      }
    },
    /** Frame `index` of the shown clip becomes the start image. */
    useClipFrame: (index: number): void => {
      const frame = clipFrames[Math.max(0, Math.min(clipFrames.length - 1, index))];
      if (frame !== undefined) setStartFrame(frame, `frame ${index + 1} of the clip`);
    },
    clearStartImage: (): void => setStartFrame(null, ''),
    /** Continues the shown clip with `prompt` (the form's settings otherwise). */
    extend: (prompt: string): void => {
      setState({ error: null, notices: [] });
      const { conditioning: _image, ...rest } = request();
      studio.extend({ frames: clipFrames, parent: shownParent() }, { ...rest, prompt }).catch((error: unknown) => {
        if (!isCanceled(error)) console.info('Lantern: extend failed', error);
      });
    },
    /** Reads a video file (MP4, WebM, MOV) and continues it with `prompt`. */
    extendFile: async (file: Blob, prompt: string): Promise<void> => {
      setState({ error: null, notices: [] });
      try {
        const frames = await studio.readVideoFrames(file);
        const { conditioning: _image, ...rest } = request();
        await studio.extend({ frames }, { ...rest, prompt });
      } catch (error) {
        if (!isCanceled(error)) fail(error);
      }
    },
    /** Shows a storyboard's clip (its finished shots, also after a cancel). */
    showStoryboard: (result: StoryboardResult, backend: Backend): void => {
      if (result.mp4 === null) return;
      const { mp4, mimeType, fileName, frames, width, height, fps, codec } = result;
      const seed = result.shots[0]?.seed ?? 0;
      const timings = { encodeText: 0, encodeFrames: 0, denoise: 0, decode: 0, encode: 0 };
      showClip(
        { mp4, mimeType, fileName, frames, width, height, fps, seed, backend, codec },
        { prompt: result.shots.map((s) => s.prompt).join(' / '), givenFrames: 0, shots: result.completedShots, timings },
      );
      noteContentCredentials(result.contentCredentials);
    },
    /**
     * Edits the shown clip: `prompt` is the edited prompt (shown to the user
     * first), with the clip's own seed, sampler, steps and guidance, so
     * what the prompt does not change tends to stay.
     */
    edit: (prompt: string, strength: number, instruction: string): void => {
      const clip = state.clip;
      if (clip === null) return;
      setState({ error: null, notices: [] });
      const { conditioning: _image, ...rest } = request();
      const r = clip.recipe;
      const settings =
        r === null
          ? {}
          : {
              sampler: r.sampler,
              steps: r.steps,
              guidance: r.guidance,
              negativePrompt: r.negativePrompt,
              ...withDefined('shift', r.shift ?? state.lastModel?.scheduleShift),
            };
      studio
        .edit({ frames: clipFrames, parent: shownParent() }, { ...rest, ...settings, prompt, seed: clip.seed, strength, instruction })
        .catch((error: unknown) => {
          if (!isCanceled(error)) console.info('Lantern: edit failed', error);
        });
    },
    /** A made clip's gallery id, once the gallery has stored it. */
    markStored: (clip: MadeClip, galleryId: string): void => {
      made.set(clip.result, { recipe: clip.recipe, galleryId });
      if (state.clip?.url === clip.url) setState('clip', 'galleryId', galleryId);
    },
    /** Shows a variation the engine made (with its recipe and gallery id) as the clip to work on. */
    pickVariation: (result: GenerateResult): void => {
      const known = made.get(result);
      const url = showClip(result, {
        prompt: known?.recipe.prompt ?? state.form.prompt,
        givenFrames: result.givenFrames,
        shots: 0,
        timings: result.timings,
        recipe: known?.recipe ?? null,
        galleryId: known?.galleryId ?? null,
      });
      if (known === undefined) console.warn(`Lantern: the picked variation (${url}) has no recipe yet.`);
      setState('form', 'seed', String(result.seed));
    },
    /** The request the form describes now (variations start from it). */
    formRequest: (): GenerateRequest => request(),
    /** Puts a recipe's settings into the form (Remix, a recipe link). */
    fillForm: (recipe: Recipe): void => {
      setState('form', {
        prompt: recipe.prompt,
        negativePrompt: recipe.negativePrompt,
        seed: String(recipe.seed),
        sampler: recipe.sampler,
        steps: String(recipe.steps),
        shift: recipe.shift ?? 'schedule',
        guidance: String(recipe.guidance),
        ...(state.lastModel === null || state.lastModel.codecs.includes(recipe.codec) ? { codec: recipe.codec } : {}),
      });
    },
    /** Makes the opened recipe link's clip (its parent first, for an edit or an extension). */
    makeLinkedClip: (): void => {
      const recipe = state.link?.recipe;
      if (recipe == null) return;
      setState({ error: null, notices: [] });
      const engine = {
        model: (): ModelInfo => {
          if (state.model === null) throw new Error('No model is loaded yet.');
          return state.model;
        },
        generate: (r: GenerateRequest, c?: Parameters<typeof client.generate>[1]) => client.generate(r, c),
        edit: studio.edit,
        extend: studio.extend,
      };
      reproduce(engine, recipe).catch((error: unknown) => {
        if (!isCanceled(error)) fail(error);
      });
    },
    dismissLink: (): void => {
      setState('link', null);
      history.replaceState(null, '', location.pathname + location.search);
    },
    /** Called with every clip the engine makes and its recipe (the gallery stores them). */
    onClipMade: (listener: (made: MadeClip) => void): (() => void) => {
      madeListeners.add(listener);
      return () => madeListeners.delete(listener);
    },
    /** The shown clip's frames (for scripts' and tests' checks; not reactive). */
    shownFrames: (): Uint8ClampedArray[] => clipFrames,
    showError: fail,
    setBackend: (backend: BackendChoice): void => {
      setState({ error: null });
      load(backend).catch((error: unknown) => console.info('Lantern: model load failed', error));
    },
    dismissNotices: (): void => {
      setState('notices', []);
    },
  };

  const openLink = (): void => {
    setState('link', openedLink());
    if (state.link?.recipe != null) {
      actions.fillForm(state.link.recipe);
      if (state.model !== null) setState('link', 'missingModel', describeMissingModel(state.link.recipe, [state.model]));
    }
  };
  openLink();
  // A recipe link pasted into the address bar of an open page changes only the fragment: no reload.
  window.addEventListener('hashchange', openLink);
  return { state, actions };
}

/** The recipe link the page was opened with (location's #recipe=...), or null. */
function openedLink(): LanternState['link'] {
  try {
    const recipe = parseRecipeLink(location.href);
    return recipe === null ? null : { recipe, error: null, missingModel: null };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    console.warn(`Lantern: recipe link: ${e.name}: ${e.message}`);
    return { recipe: null, error: { name: e.name, message: e.message }, missingModel: null };
  }
}

/** Manifest URLs are compared absolute, as the model store keys them. */
function absolute(url: string): string {
  return new URL(url, location.href).href;
}

function withDefined<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}

export const LanternContext = createContext<LanternStore>();

export function useLantern(): LanternStore {
  const store = useContext(LanternContext);
  if (store === undefined) throw new Error('useLantern() must be called inside <LanternContext.Provider>.');
  return store;
}
