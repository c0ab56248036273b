// The models screen's store: what the model store (workers/model-store/, its own
// worker) holds, each model's running download or verification with its
// progress, the storage estimate, and the Add form. The store's worker does
// the work and reports numbers; this turns them into Solid state, and the
// components (ModelsScreen and its parts) word them.
//
// The page keeps the built-in model in the store (`firstLoad`): the store
// adds the model's record, the engine's first load fetches and stores the
// parts its backend runs (common + that backend's graphs), and the other
// backend's graphs follow in the background, so the first clip comes
// sooner and switching backend works offline once they are stored. A later
// visit fetches nothing. ARCHITECTURE.md says why background, not on demand.
import { createContext, useContext } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type { Backend } from '../../workers/contracts/generator';
import type { AddOptions, ManifestCheck, ModelStore, StorageInfo, StoredModel, StoreProgress } from '../../workers/contracts/model-store';

export type ShownError = { name: string; message: string };

/** A call of the store running on one model; 'background' stores the parts the loaded backend did not need (`completeInBackground`). */
export type ModelTask = { kind: 'add' | 'background' | 'verify'; progress: StoreProgress | null };

/** What the last finished call on a model came to. */
export type ModelOutcome =
  | { kind: 'added'; fetchedFiles: number; fetchedBytes: number; persisted: boolean | null }
  | { kind: 'verified'; corruptFiles: string[]; missingFiles: string[] }
  /** Re-verify found damaged files and dropped them, but fetching them again failed (the model is partial now). */
  | { kind: 'corrupted'; error: ShownError }
  | { kind: 'canceled' }
  | { kind: 'failed'; action: 'add' | 'background' | 'verify' | 'remove'; error: ShownError };

/** How a model shows on the screen. */
export const MODEL_VIEWS = ['waiting', 'downloading', 'verifying', 'complete', 'partial', 'corrupted'] as const;
export type ModelView = (typeof MODEL_VIEWS)[number];

export type AddForm =
  | { status: 'idle' }
  | { status: 'checking'; url: string }
  /** Checked: the summary and concerns wait for the user's Download. */
  | { status: 'checked'; check: ManifestCheck }
  | { status: 'invalid'; url: string; error: ShownError };

export type ModelsState = {
  models: StoredModel[];
  /** Whether the first list() has come back. */
  listed: boolean;
  /** Why list() or storage() failed (the store cannot be used here). */
  storeError: ShownError | null;
  storage: StorageInfo | null;
  tasks: Partial<Record<string, ModelTask>>;
  outcomes: Partial<Record<string, ModelOutcome>>;
  /** The model whose Delete waits for its confirmation. */
  confirmingDelete: string | null;
  add: AddForm;
  /** The model the page keeps before its first load (the built-in one), for the generate screen's line. */
  preparing: string | null;
};

export type ModelsStore = ReturnType<typeof createModelsStore>;

function shown(error: unknown): ShownError {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return { name: typeof name === 'string' && name !== '' ? name : 'Error', message: String(message) };
  }
  return { name: 'Error', message: String(error) };
}

/** The view of a model from its record, the task running on it and the last outcome. */
export function modelView(model: StoredModel, task: ModelTask | undefined, outcome: ModelOutcome | undefined): ModelView {
  if (task !== undefined) {
    if (task.progress?.phase === 'wait') return 'waiting';
    return task.kind === 'verify' && task.progress?.phase !== 'download' ? 'verifying' : 'downloading';
  }
  if (model.state === 'complete') return 'complete';
  return outcome?.kind === 'corrupted' ? 'corrupted' : 'partial';
}

/** Whether `model` has every file `backend` loads: the common part and that backend's own. */
export function storedFor(model: StoredModel, backend: Backend): boolean {
  return model.parts.filter((p) => p.id === 'common' || p.id === backend).every((p) => p.storedFiles === p.files);
}

export function createModelsStore(store: ModelStore) {
  const [state, setState] = createStore<ModelsState>({
    models: [],
    listed: false,
    storeError: null,
    storage: null,
    tasks: {},
    outcomes: {},
    confirmingDelete: null,
    add: { status: 'idle' },
    preparing: null,
  });

  const refresh = async (): Promise<void> => {
    try {
      const [models, storage] = await Promise.all([store.list(), store.storage()]);
      // Reconciled by URL: a card stays the same element (and keeps focus) when the list is read again.
      setState('models', reconcile(models, { key: 'manifestUrl' }));
      setState({ storage, listed: true, storeError: null });
    } catch (error) {
      setState({ listed: true, storeError: shown(error) });
    }
  };

  /** The form's state replaced whole (a plain set would merge the previous state's fields into it). */
  const setAdd = (form: AddForm): void => {
    setState('add', reconcile(form));
  };
  // Solid merges an object set at a path, so a key is removed by setting it to undefined.
  const setTask = (url: string, task: ModelTask | undefined): void => {
    setState('tasks', url, task);
  };
  const setOutcome = (url: string, outcome: ModelOutcome | undefined): void => {
    setState('outcomes', url, outcome);
  };

  /** Progress into the task; a model the list does not show yet (its record was just made) is listed. */
  const track =
    (url: string, kind: ModelTask['kind']) =>
    (progress: StoreProgress): void => {
      if (state.tasks[url] === undefined) return;
      setTask(url, { kind, progress });
      if (!state.models.some((m) => m.manifestUrl === url)) void refresh();
    };

  /** add(): downloads what is missing (Add, Resume, and the rest of the built-in model after its first load). Never rejects; the outcome says how it went. */
  const add = async (url: string, kind: 'add' | 'background' = 'add', options: AddOptions = {}): Promise<boolean> => {
    if (state.tasks[url] !== undefined) return false;
    setTask(url, { kind, progress: null });
    try {
      const result = await store.add(url, track(url, kind), options);
      setOutcome(result.model.manifestUrl, {
        kind: 'added',
        fetchedFiles: result.fetchedFiles,
        fetchedBytes: result.fetchedBytes,
        persisted: result.persisted,
      });
    } catch (error) {
      const e = shown(error);
      setOutcome(url, e.name === 'ModelDownloadCanceledError' ? { kind: 'canceled' } : { kind: 'failed', action: kind, error: e });
      if (kind === 'background' && e.name !== 'ModelDownloadCanceledError')
        console.warn(`Lantern: storing the rest of model ${url} failed (the loaded model is not affected; the next visit resumes it):`, error);
      else console.info(`Lantern: ${kind === 'background' ? 'storing the rest of' : 'adding'} model ${url} stopped:`, error);
      setTask(url, undefined);
      await refresh();
      // Failed before the store made its record (the manifest could not be fetched again): no card shows it, so the form does.
      if (url !== state.preparing && !state.models.some((m) => m.manifestUrl === url) && state.add.status === 'idle')
        setAdd({ status: 'invalid', url, error: e });
      return false;
    }
    setTask(url, undefined);
    await refresh();
    return true;
  };

  /**
   * Before the page's first load: makes sure `url` is kept in the store. A
   * model not stored yet gets its record only (an add of no parts): the
   * engine's load then fetches and stores the parts its backend runs, and
   * `completeInBackground` the rest. `whole` downloads every part first,
   * as Lantern did before (the first-visit benchmark compares the two).
   * Resolves either way: a model that cannot be stored (quota, private
   * browsing, offline) still loads, from the network, and the outcome says
   * why it is not kept.
   */
  const prepare = async (url: string, options: { whole?: boolean } = {}): Promise<void> => {
    const manifestUrl = new URL(url, location.href).href;
    setState('preparing', manifestUrl);
    await refresh();
    if (state.storeError !== null) return;
    const known = state.models.find((m) => m.manifestUrl === manifestUrl);
    if (known?.state === 'complete') return;
    if (options.whole === true) {
      await add(manifestUrl);
      return;
    }
    // Partly stored: the load fetches what its backend still misses; the rest follows after it.
    if (known !== undefined) return;
    try {
      await store.add(manifestUrl, undefined, { parts: [] });
    } catch (error) {
      setOutcome(manifestUrl, { kind: 'failed', action: 'add', error: shown(error) });
      console.info(`Lantern: model ${manifestUrl} cannot be kept in this browser:`, error);
    }
    await refresh();
  };

  /**
   * After the first load: stores the parts of `url` the loaded backend did
   * not need (the other backend's graphs) at low priority, so switching
   * backend works offline once they are stored. The models screen's Cancel
   * stops it; cut off (tab closed, network gone), the next visit resumes
   * it. A failure is a console warning and an outcome the page shows; the
   * loaded model is not touched. Nothing when the model is complete, not
   * stored here, or could not be kept (that failure stays shown). `idle`
   * holds the start until the engine has nothing to do (whenEngineIdle).
   */
  const completeInBackground = async (url: string, idle?: () => Promise<void>): Promise<void> => {
    const manifestUrl = new URL(url, location.href).href;
    await refresh();
    const model = state.models.find((m) => m.manifestUrl === manifestUrl);
    if (model === undefined || model.state === 'complete' || state.outcomes[manifestUrl]?.kind === 'failed') return;
    await idle?.();
    await add(manifestUrl, 'background', { priority: 'low' });
  };

  const actions = {
    refresh,
    add: (url: string): Promise<boolean> => add(url),
    prepare,
    completeInBackground,

    /**
     * The page's first load of `url` (the built-in model): `prepare`, then
     * `load` (the engine's, which stores what its backend runs), then the
     * rest in the background once `idle` resolves, not awaited. Resolves
     * with what `load` gives once the list shows what the load stored.
     */
    firstLoad: async <T>(url: string, load: () => Promise<T>, options: { whole?: boolean; idle?: () => Promise<void> } = {}): Promise<T> => {
      await prepare(url, options);
      const loaded = await load();
      await refresh();
      void completeInBackground(url, options.idle);
      return loaded;
    },

    /** Re-hashes every stored file; damaged or missing ones are fetched again. */
    verify: async (url: string): Promise<void> => {
      if (state.tasks[url] !== undefined) return;
      const before = state.models.find((m) => m.manifestUrl === url)?.state;
      setTask(url, { kind: 'verify', progress: null });
      let outcome: ModelOutcome | ShownError;
      try {
        const result = await store.verify(url, track(url, 'verify'));
        outcome = { kind: 'verified', corruptFiles: result.corruptFiles, missingFiles: result.missingFiles };
      } catch (error) {
        outcome = shown(error);
      }
      setTask(url, undefined);
      await refresh();
      if ('kind' in outcome) {
        setOutcome(url, outcome);
      } else if (outcome.name === 'ModelDownloadCanceledError') {
        setOutcome(url, { kind: 'canceled' });
      } else {
        // It was complete and is partial now: verify dropped files that failed their check and could not fetch them again.
        const after = state.models.find((m) => m.manifestUrl === url)?.state;
        setOutcome(
          url,
          before === 'complete' && after === 'partial' ? { kind: 'corrupted', error: outcome } : { kind: 'failed', action: 'verify', error: outcome },
        );
      }
    },

    /** Stops this page's download or verification of a model; what was stored stays. */
    cancel: async (url: string): Promise<void> => {
      await store.cancel(url);
    },

    askDelete: (url: string): void => {
      setState('confirmingDelete', url);
    },
    keep: (): void => {
      setState('confirmingDelete', null);
    },
    /** Deletes one model's files and record (nothing else of the origin's data). */
    remove: async (url: string): Promise<void> => {
      setState('confirmingDelete', null);
      try {
        await store.remove(url);
        setOutcome(url, undefined);
      } catch (error) {
        setOutcome(url, { kind: 'failed', action: 'remove', error: shown(error) });
      }
      await refresh();
    },

    /** Add form: fetches and validates the manifest and checks it against the device, downloading nothing. */
    check: async (url: string): Promise<void> => {
      const typed = url.trim();
      setAdd({ status: 'checking', url: typed });
      try {
        const check = await store.inspect(typed);
        if (state.add.status === 'checking' && state.add.url === typed) setAdd({ status: 'checked', check });
      } catch (error) {
        if (state.add.status === 'checking' && state.add.url === typed) setAdd({ status: 'invalid', url: typed, error: shown(error) });
      }
    },
    /** Downloads the model the form checked. */
    downloadChecked: (): void => {
      const form = state.add;
      if (form.status !== 'checked') return;
      // Read before the form is reset: `form` is the store's live proxy.
      const url = form.check.manifestUrl;
      setAdd({ status: 'idle' });
      void add(url);
    },
    resetAdd: (): void => {
      setAdd({ status: 'idle' });
    },

    /** Asks the browser not to evict this origin's data (the models) under storage pressure; the answer shows in the storage line. */
    requestPersistence: async (): Promise<void> => {
      try {
        await navigator.storage.persist();
      } catch (error) {
        console.info('Lantern: navigator.storage.persist() failed:', error);
      }
      await refresh();
    },
  };

  return { state, actions };
}

export const ModelsContext = createContext<ModelsStore>();

export function useModels(): ModelsStore {
  const store = useContext(ModelsContext);
  if (store === undefined) throw new Error('useModels() must be called inside <ModelsContext.Provider>.');
  return store;
}
