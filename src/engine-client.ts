// The main thread's side of the engine: a `Generator` backed by the worker
// (workers/engine/engine.worker.ts) through comlink. The UI, `window.lantern` and
// the CLI all use one EngineClient, so they see the same state.
//
// One queue: load and generate run one at a time, in call order. The state
// machine is idle -> loading -> ready -> generating -> ready (the outcome,
// done | canceled | failed, rides on the ready state). Cancel works in every
// phase: it asks the worker to stop, and if the worker has not stopped within
// `cancelGraceMs` the worker is terminated and a new one started. A worker
// that crashes, stops sending progress for `stallTimeoutMs`, or reports a lost
// GPU device is replaced the same way, and the client says so (a `restart`
// event) and reloads the last model before the next generation.
import * as Comlink from 'comlink';
import { type CancelablePhase, GenerationCanceledError, ModelNotLoadedError } from '../workers/contracts/errors';
import type {
  BackendChoice,
  BackendInfo,
  GenerateCallbacks,
  GenerateRequest,
  GenerateResult,
  Generator,
  LoadRequest,
  ModelInfo,
  Preview,
  Progress,
} from '../workers/contracts/generator';
import type { RequestGuard } from './deployment/guard';

/** An error raised by the engine in the worker; comlink carried its name and message, not its class. */
export class EngineError extends Error {
  constructor(name: string, message: string, stack?: string) {
    super(message);
    this.name = name;
    if (stack !== undefined) this.stack = stack;
  }
}

/** The worker failed outside a call (its script did not load, or it threw and died). */
export class EngineCrashedError extends Error {
  constructor(detail: string) {
    super(`The engine's worker failed (${detail}). Press Generate to start a new one and try again; reload the page if this repeats.`);
    this.name = 'EngineCrashedError';
  }
}

/** The worker sent nothing for too long while working (a hang, or a GPU that stopped answering). */
export class EngineUnresponsiveError extends Error {
  constructor(seconds: number, phase: string) {
    super(
      `The engine stopped responding during ${phase} (nothing for ${seconds} s), so Lantern restarted it. ` +
        'Press Generate to try again; if it hangs again, choose the WASM backend.',
    );
    this.name = 'EngineUnresponsiveError';
  }
}

/** Errors made on the main thread; the engine's own are in workers/contracts/errors.ts. */
export const CLIENT_ERROR_NAMES = ['EngineCrashedError', 'EngineUnresponsiveError'] as const;
export type ClientErrorName = (typeof CLIENT_ERROR_NAMES)[number];

/** Engine errors after which the worker's GPU state cannot be trusted: replace the worker. */
const RESTART_ERROR_NAMES: readonly string[] = ['GpuDeviceLostError'];

export type Outcome = { kind: 'done' } | { kind: 'canceled'; error: Error } | { kind: 'failed'; error: Error };

export type EngineState =
  /** No model: before the first load, or after one failed or was canceled (then `error` says why). */
  | { status: 'idle'; error?: Error }
  | { status: 'loading'; backend: BackendChoice; manifestUrl: string }
  | { status: 'ready'; model: ModelInfo; outcome?: Outcome }
  | { status: 'generating'; model: ModelInfo; request: GenerateRequest };

export type EngineEvent =
  | { type: 'state'; state: EngineState }
  | { type: 'progress'; progress: Progress }
  | { type: 'preview'; preview: Preview }
  | { type: 'result'; result: GenerateResult; request: GenerateRequest }
  /**
   * The worker was replaced; `reason` is a sentence for the user. After a crash or a stall the
   * call's error (EngineCrashedError, EngineUnresponsiveError) says the same; after a forced
   * cancel or a lost GPU device only this event does.
   */
  | { type: 'restart'; cause: RestartCause; reason: string };

export type RestartCause = 'crash' | 'stall' | 'cancel' | 'deviceLost';

export type EngineClientOptions = {
  /** Makes the worker; the default is the engine's module worker. */
  createWorker?: () => Worker;
  /** A call that sends no progress for this long is treated as hung. */
  stallTimeoutMs?: number;
  /** How long cancel() waits for the worker to stop before replacing it. */
  cancelGraceMs?: number;
  /**
   * The deployment's gate (src/deployment/guard.ts): the prompt policy, strict
   * mode's model allow-list, the provenance choices and the output check.
   * Without one (tests of the client itself), requests go through as given.
   */
  guard?: RequestGuard;
};

const DEFAULT_STALL_TIMEOUT_MS = 180_000;
const DEFAULT_CANCEL_GRACE_MS = 10_000;
/** After a result: how long callbacks may be silent, and how long to wait at most, for late progress. */
const DRAIN_QUIET_MS = 50;
const DRAIN_MAX_MS = 500;

function defaultWorker(): Worker {
  return new Worker(new URL('../workers/engine/engine.worker.ts', import.meta.url), { type: 'module', name: 'lantern-engine' });
}

/** Whatever was thrown, as an Error that keeps the engine's name (comlink rebuilds a plain Error with it). */
export function toEngineError(thrown: unknown): Error {
  if (thrown instanceof Error && thrown.constructor !== Error) return thrown;
  if (typeof thrown === 'object' && thrown !== null && 'message' in thrown) {
    const { name, message, stack } = thrown as { name?: unknown; message?: unknown; stack?: unknown };
    return new EngineError(typeof name === 'string' && name !== '' ? name : 'Error', String(message), typeof stack === 'string' ? stack : undefined);
  }
  return new EngineError('Error', String(thrown));
}

export function isCanceled(error: unknown): boolean {
  return error instanceof Error && error.name === 'GenerationCanceledError';
}

type Running = {
  /** Ends the call from outside (crash, hang, forced cancel) with this error. */
  abort: (error: Error) => void;
  settled: Promise<void>;
};

type Connection = { worker: Worker; remote: Comlink.Remote<Generator> };

export class EngineClient implements Generator {
  readonly #createWorker: () => Worker;
  readonly #stallTimeoutMs: number;
  readonly #cancelGraceMs: number;
  readonly #guard: RequestGuard | null;
  readonly #listeners = new Set<(event: EngineEvent) => void>();
  #connection: Connection | null = null;
  #state: EngineState = { status: 'idle' };
  #model: ModelInfo | null = null;
  /** The last load that succeeded (reloaded after a restart), else the last one tried. */
  #lastGoodLoad: LoadRequest | null = null;
  #lastLoad: LoadRequest | null = null;
  #tail: Promise<unknown> = Promise.resolve();
  /** Bumped by cancel(): queued calls from an older epoch are canceled when their turn comes. */
  #epoch = 0;
  #running: Running | null = null;
  #phase: CancelablePhase = 'load';

  constructor(options: EngineClientOptions = {}) {
    this.#createWorker = options.createWorker ?? defaultWorker;
    this.#stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    this.#cancelGraceMs = options.cancelGraceMs ?? DEFAULT_CANCEL_GRACE_MS;
    this.#guard = options.guard ?? null;
  }

  get state(): EngineState {
    return this.#state;
  }

  /** Calls `listener` with every state change, progress, preview, result and restart; returns an unsubscribe function. */
  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  load(request: LoadRequest, onProgress?: (p: Progress) => void): Promise<ModelInfo> {
    return this.#enqueue('load', () => this.#load(request, onProgress));
  }

  generate(request: GenerateRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult> {
    return this.#enqueue('encodeText', () => this.#generate(request, callbacks));
  }

  /** Cancels the running call and every queued one; resolves once the running one has ended. */
  async cancel(): Promise<void> {
    this.#epoch++;
    const running = this.#running;
    const connection = this.#connection;
    if (running === null || connection === null) return;
    // The worker may be too busy (or hung) to answer; never wait on it unbounded.
    connection.remote.cancel().catch(() => undefined);
    const timer = setTimeout(() => {
      if (this.#running !== running) return;
      this.#restart('cancel', `it did not stop within ${Math.round(this.#cancelGraceMs / 1000)} s of Cancel`);
      running.abort(new GenerationCanceledError(this.#phase, 'the engine was restarted to stop it'));
    }, this.#cancelGraceMs);
    await running.settled;
    clearTimeout(timer);
  }

  async backend(): Promise<BackendInfo | null> {
    if (this.#model !== null) return this.#model.backend;
    return null;
  }

  /** Terminates the worker; the client starts a new one on the next call. */
  dispose(): void {
    this.#epoch++;
    this.#running?.abort(new GenerationCanceledError(this.#phase, 'the engine was shut down'));
    this.#terminate();
  }

  #emit(event: EngineEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('Lantern: an engine event listener threw', error);
      }
    }
  }

  #setState(state: EngineState): void {
    this.#state = state;
    this.#emit({ type: 'state', state });
  }

  #enqueue<T>(phase: CancelablePhase, run: () => Promise<T>): Promise<T> {
    const epoch = this.#epoch;
    const call = this.#tail.then(() => {
      if (epoch !== this.#epoch) throw new GenerationCanceledError(phase, 'canceled before it started');
      return run();
    });
    this.#tail = call.catch(() => undefined);
    return call;
  }

  async #load(request: LoadRequest, onProgress?: (p: Progress) => void): Promise<ModelInfo> {
    this.#lastLoad = request;
    this.#model = null;
    this.#phase = 'load';
    this.#setState({ status: 'loading', backend: request.backend ?? 'auto', manifestUrl: request.manifestUrl });
    try {
      const model = await this.#call((remote, sink) => remote.load(request, Comlink.proxy(sink.onProgress)), { onProgress });
      this.#guard?.checkModel(model);
      this.#model = model;
      this.#lastGoodLoad = request;
      this.#setState({ status: 'ready', model });
      return model;
    } catch (thrown) {
      const error = toEngineError(thrown);
      this.#setState({ status: 'idle', error });
      throw error;
    }
  }

  async #generate(request: GenerateRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult> {
    if (this.#model === null) {
      const reload = this.#lastGoodLoad ?? this.#lastLoad;
      if (reload === null) throw new ModelNotLoadedError();
      await this.#load(reload);
    }
    const model = this.#model as ModelInfo | null;
    if (model === null) throw new ModelNotLoadedError();
    this.#phase = 'encodeText';
    this.#setState({ status: 'generating', model, request });
    try {
      // Inside the try: a refusal ends the call like any failure, so the UI shows it from the state (as it does for script-started runs).
      this.#guard?.check(request, model);
      const sent: GenerateRequest = this.#guard === null ? request : { ...request, provenance: this.#guard.provenance(request) };
      // comlink proxies only a top-level argument, so the callbacks travel as one proxied
      // object; both members exist, because the worker sees every member as callable.
      const result = await this.#call((remote, sink) => remote.generate(sent, Comlink.proxy(sink)), callbacks ?? {});
      await this.#guard?.checkOutput(result, request);
      this.#emit({ type: 'result', result, request });
      this.#setState({ status: 'ready', model, outcome: { kind: 'done' } });
      return result;
    } catch (thrown) {
      const error = toEngineError(thrown);
      if (RESTART_ERROR_NAMES.includes(error.name) && this.#connection !== null) {
        this.#restart('deviceLost', `the GPU device was lost (${error.message})`);
      }
      const outcome: Outcome = isCanceled(error) ? { kind: 'canceled', error } : { kind: 'failed', error };
      if (this.#model !== null) {
        this.#setState({ status: 'ready', model, outcome });
      } else {
        // The worker was replaced mid-call: reload the model so the next Generate just works.
        this.#setState({ status: 'idle', error });
        const reload = this.#lastGoodLoad;
        if (reload !== null) this.load(reload).catch(() => undefined);
      }
      throw error;
    }
  }

  /**
   * One call into the worker, ended early by a crash, a stall or a forced cancel. `sink` is what
   * the worker calls back (progress and previews, passed on to listeners and `callbacks`).
   * Callbacks come over their own MessagePort, which the browser does not order against the
   * port the result comes on, so a result can overtake the last progress messages: after the
   * result, the call waits for progress to reach fraction 1 (or for the callbacks to go quiet),
   * and callbacks arriving after the call has ended are dropped.
   */
  #call<T>(invoke: (remote: Comlink.Remote<Generator>, sink: Required<GenerateCallbacks>) => Promise<T>, callbacks: GenerateCallbacks): Promise<T> {
    const connection = this.#connect();
    let markSettled = (): void => undefined;
    const settled = new Promise<void>((resolve) => (markSettled = resolve));
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let stallTimer: ReturnType<typeof setTimeout> | undefined;
      let lastFraction = 0;
      let onCallback: (() => void) | null = null;
      const finish = (settle: () => void): void => {
        if (done) return;
        done = true;
        clearTimeout(stallTimer);
        if (this.#running === running) this.#running = null;
        settle();
        markSettled();
      };
      const alive = (): void => {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(() => {
          const error = new EngineUnresponsiveError(Math.round(this.#stallTimeoutMs / 1000), this.#phase);
          this.#restart('stall', `it sent nothing for ${Math.round(this.#stallTimeoutMs / 1000)} s during ${this.#phase}`);
          finish(() => reject(error));
        }, this.#stallTimeoutMs);
      };
      const sink: Required<GenerateCallbacks> = {
        onProgress: (progress: Progress) => {
          if (done) return;
          alive();
          lastFraction = Math.max(lastFraction, progress.fraction);
          this.#phase = progress.phase;
          this.#emit({ type: 'progress', progress });
          callbacks.onProgress?.(progress);
          onCallback?.();
        },
        onPreview: (preview: Preview) => {
          if (done) return;
          alive();
          this.#emit({ type: 'preview', preview });
          callbacks.onPreview?.(preview);
          onCallback?.();
        },
      };
      /** Resolves once progress has reached 1, or no callback came for DRAIN_QUIET_MS (at most DRAIN_MAX_MS). */
      const drain = (): Promise<void> =>
        new Promise<void>((ended) => {
          if (lastFraction >= 1) return ended();
          let quiet: ReturnType<typeof setTimeout> | undefined;
          const stop = (): void => {
            clearTimeout(quiet);
            clearTimeout(cap);
            onCallback = null;
            ended();
          };
          const cap = setTimeout(stop, DRAIN_MAX_MS);
          const rearm = (): void => {
            clearTimeout(quiet);
            if (lastFraction >= 1) {
              stop();
              return;
            }
            quiet = setTimeout(stop, DRAIN_QUIET_MS);
          };
          onCallback = rearm;
          rearm();
        });
      const running: Running = { abort: (error) => finish(() => reject(error)), settled };
      this.#running = running;
      alive();
      invoke(connection.remote, sink).then(
        async (value) => {
          clearTimeout(stallTimer);
          await drain();
          finish(() => resolve(value));
        },
        (thrown: unknown) => finish(() => reject(toEngineError(thrown))),
      );
    });
  }

  #connect(): Connection {
    if (this.#connection !== null) return this.#connection;
    const worker = this.#createWorker();
    const connection: Connection = { worker, remote: Comlink.wrap<Generator>(worker) };
    const fail = (detail: string): void => {
      if (this.#connection !== connection) return;
      this.#restart('crash', `its worker failed: ${detail}`);
      this.#running?.abort(new EngineCrashedError(detail));
    };
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      fail(event.message || 'the worker script could not be loaded');
    });
    worker.addEventListener('messageerror', () => fail('a message from the worker could not be read'));
    this.#connection = connection;
    return connection;
  }

  #terminate(): void {
    const connection = this.#connection;
    this.#connection = null;
    this.#model = null;
    connection?.worker.terminate();
  }

  /** Replaces the worker (a new one starts on the next call) and tells listeners why. */
  #restart(cause: RestartCause, reason: string): void {
    this.#terminate();
    this.#emit({ type: 'restart', cause, reason: `Lantern restarted the engine: ${reason}.` });
  }
}
