// The engine: Lantern's `Generator` inside the worker. One activity at a
// time (idle -> loading | generating -> idle): a second call while one runs
// is an EngineBusyError, so every ORT session creation, run and GPU
// submission happens in one chain and never overlaps. Cancel aborts the
// activity's signal; the activity stops at its next checkpoint (between
// files, sessions, denoising steps and frames) and rejects with
// GenerationCanceledError naming the phase; cancel() resolves once it has,
// so the next call is accepted.

import {
  type CancelablePhase,
  EngineBusyError,
  GenerationCanceledError,
  GpuDeviceLostError,
  InferenceError,
  InvalidRequestError,
  ModelNotLoadedError,
  WebGpuUnavailableError,
} from '../contracts/errors';
import type { BackendChoice, GenerateCallbacks, GenerateRequest, GenerateResult, Generator, LoadRequest, ModelInfo, Progress } from '../contracts/generator';
import { BACKEND_CHOICES, BACKENDS } from '../contracts/generator';
import { callbackNotifier } from '../contracts/notify';
import type { FileSource } from '../model-files/fetch';
import { fetchManifest, fetchModelFiles, type ManifestSource, type ModelFiles } from '../model-files/load';
import type { Manifest } from '../model-files/manifest';
import { loadC2pa } from '../provenance/c2pa/wasm';
import { announceFallback, type BackendSelection, selectBackend, wasmSelection } from './backend';
import { generateClip } from './generate';
import { validateRequest } from './request';
import { checkPipelineGraphs, createRuntime, graphsFor, type Runtime } from './runtime';
import { createPromptTokenizer, type PromptTokenizer } from './tokenize';
import type { VideoCodecName } from './video/codecs';
import { encodableCodecs } from './video/encode';

export type EngineOptions = {
  /** Where model files come from (the model cache slots in here); default: fetch. */
  source?: FileSource;
  /** Where manifests come from (the model store's copy first, in the worker); default: fetch. */
  manifests?: ManifestSource;
};

type Activity = {
  kind: 'load' | 'generate';
  controller: AbortController;
  /** The phase the activity is in, for the GenerationCanceledError a cancel ends in. */
  phase: CancelablePhase;
  settled: Promise<void>;
};

type LoadedModel = {
  manifest: Manifest;
  manifestUrl: string;
  choice: BackendChoice;
  tokenizer: PromptTokenizer;
  /** The codecs this browser encodes the model's clips in, probed once at load. */
  codecs: VideoCodecName[];
  /** null after the GPU device was lost and the re-creation failed; the next generate tries again. */
  runtime: Runtime | null;
  /**
   * The graph bytes, kept while on WebGPU so a lost device can be replaced
   * without downloading again (the model cache will make this unnecessary).
   */
  files: ModelFiles | null;
};

/** Calls a caller's callback (maybe a comlink proxy) without letting its failure stop the engine. */
const notify = callbackNotifier('a progress or preview');

function modelInfo(model: LoadedModel, runtime: Runtime): ModelInfo {
  const { manifest } = model;
  return {
    id: manifest.id,
    version: manifest.version,
    name: manifest.name,
    width: manifest.video.width,
    height: manifest.video.height,
    frames: manifest.video.frames,
    fps: manifest.video.fps,
    maxPromptWords: model.tokenizer.maxTextTokens,
    defaultSampler: manifest.sampler.defaultSampler,
    defaultSteps: manifest.sampler.defaultSteps,
    defaultShift: manifest.sampler.defaultShift,
    scheduleShift: manifest.sampler.shift,
    defaultGuidance: manifest.sampler.defaultGuidance,
    speeds: manifest.sampler.speeds,
    backend: runtime.info,
    codecs: model.codecs,
    conditioning: {
      image: manifest.conditioning?.imageToVideo != null,
      continuationLatentFrames: manifest.conditioning?.continuation?.maxLatentFrames ?? 0,
      framesPerLatentFrame: manifest.latent.temporalCompression,
      editStrength: manifest.conditioning?.editing?.defaultStrength ?? null,
    },
  };
}

function validateLoad(request: LoadRequest): { manifestUrl: string; choice: BackendChoice } {
  if (typeof request !== 'object' || request === null) throw new InvalidRequestError('request', 'A load request must be an object: { manifestUrl, backend? }.');
  const { manifestUrl, backend = 'auto' } = request;
  if (typeof manifestUrl !== 'string' || manifestUrl === '')
    throw new InvalidRequestError('manifestUrl', `manifestUrl must be a non-empty URL string; got ${String(manifestUrl)}.`);
  if (!(BACKEND_CHOICES as readonly string[]).includes(backend)) {
    throw new InvalidRequestError('backend', `Unsupported backend '${String(backend)}'. Must be one of: ${[...BACKENDS, 'auto'].join(', ')}.`);
  }
  return { manifestUrl, choice: backend };
}

/** Resolves with the loss info when the runtime's device is (or within `waitMs` turns out to be) lost. */
async function deviceLoss(runtime: Runtime | null, waitMs = 250): Promise<GPUDeviceLostInfo | null> {
  if (runtime?.device === null || runtime === null) return null;
  const lost = runtime.lost();
  if (lost !== null) return lost;
  return Promise.race([runtime.device.lost, new Promise<null>((resolve) => setTimeout(() => resolve(null), waitMs))]);
}

export function createEngine(options: EngineOptions = {}): Generator {
  let model: LoadedModel | null = null;
  let current: Activity | null = null;

  /**
   * Where a cancel (or a lost device) stops the activity. It first yields to
   * the event loop: ORT's promises resolve as microtasks, so without this a
   * cancel message from the main thread would wait for the whole loop.
   */
  const checkpoint = async (activity: Activity, phase: CancelablePhase): Promise<void> => {
    activity.phase = phase;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    if (activity.controller.signal.aborted) throw new GenerationCanceledError(phase);
    const lost = model?.runtime?.lost() ?? null;
    if (activity.kind === 'generate' && lost !== null) throw new GpuDeviceLostError(lost.reason, lost.message);
  };

  /** Runs `work` as the one activity; errors after a cancel become GenerationCanceledError, after a device loss GpuDeviceLostError. */
  const activity = <T>(kind: Activity['kind'], phase: CancelablePhase, work: (a: Activity) => Promise<T>): Promise<T> => {
    if (current !== null) return Promise.reject(new EngineBusyError(current.kind, kind));
    const a: Activity = { kind, controller: new AbortController(), phase, settled: Promise.resolve() };
    current = a;
    const promise = (async () => {
      try {
        return await work(a);
      } catch (error) {
        if (a.controller.signal.aborted && !(error instanceof GenerationCanceledError)) throw new GenerationCanceledError(a.phase);
        if (!(error instanceof GpuDeviceLostError) && kind === 'generate') {
          const lost = await deviceLoss(model?.runtime ?? null);
          if (lost !== null) throw new GpuDeviceLostError(lost.reason, lost.message);
        }
        throw error;
      } finally {
        current = null;
      }
    })();
    a.settled = promise.then(
      () => undefined,
      () => undefined,
    );
    return promise;
  };

  /** Downloads what `graphs` needs that `files` lacks. */
  const ensureFiles = async (
    manifest: Manifest,
    manifestUrl: string,
    files: ModelFiles | null,
    graphs: string[],
    a: Activity,
    onProgress?: (p: Progress) => void,
  ): Promise<ModelFiles> => {
    const missing = graphs.filter((g) => files?.graphs.has(g) !== true);
    if (files !== null && missing.length === 0) return files;
    let last = 0;
    const fetched = await fetchModelFiles(manifest, manifestUrl, missing, {
      signal: a.controller.signal,
      ...(options.source === undefined ? {} : { source: options.source }),
      onProgress: (loadedBytes, totalBytes) => {
        last = Math.max(last, totalBytes === 0 ? 1 : loadedBytes / totalBytes);
        notify(onProgress, { phase: 'load', loadedBytes, totalBytes, fraction: last });
      },
    });
    return {
      tokenizerJson: fetched.tokenizerJson,
      graphs: new Map([...(files?.graphs ?? []), ...fetched.graphs]),
      externalData: new Map([...(files?.externalData ?? []), ...fetched.externalData]),
    };
  };

  /**
   * Sessions for `selection`. On 'auto', a WebGPU failure falls back to WASM
   * (downloading the whole denoiser graph if needed), announced.
   */
  const startRuntime = async (
    manifest: Manifest,
    manifestUrl: string,
    choice: BackendChoice,
    selection: BackendSelection,
    files: ModelFiles,
    a: Activity,
    onProgress?: (p: Progress) => void,
  ): Promise<{ runtime: Runtime; files: ModelFiles }> => {
    const check = (): Promise<void> => checkpoint(a, a.phase);
    try {
      return { runtime: await createRuntime(manifest, files, selection, check), files };
    } catch (error) {
      if (selection.device === null || !(error instanceof InferenceError)) throw error;
      const problem = `creating the WebGPU sessions failed: ${error.message}`;
      if (choice === 'webgpu') throw new WebGpuUnavailableError(problem);
      const fallback = wasmSelection(announceFallback(problem));
      const more = await ensureFiles(manifest, manifestUrl, files, graphsFor(manifest, 'wasm'), a, onProgress);
      return { runtime: await createRuntime(manifest, more, fallback, check), files: more };
    }
  };

  const load = (request: LoadRequest, onProgress?: (p: Progress) => void): Promise<ModelInfo> => {
    let valid: ReturnType<typeof validateLoad>;
    try {
      valid = validateLoad(request);
    } catch (error) {
      return Promise.reject(error);
    }
    const { manifestUrl, choice } = valid;
    return activity('load', 'load', async (a) => {
      const manifest = await (options.manifests ?? fetchManifest)(manifestUrl, a.controller.signal);
      checkPipelineGraphs(manifest);
      await checkpoint(a, 'load');
      const selection = await selectBackend(choice, manifest);
      let started: { runtime: Runtime; files: ModelFiles } | null = null;
      try {
        await checkpoint(a, 'load');
        const files = await ensureFiles(manifest, manifestUrl, null, graphsFor(manifest, selection.info.backend), a, onProgress);
        const tokenizer = createPromptTokenizer(files.tokenizerJson, manifest.tokenizer);
        await checkpoint(a, 'load');
        started = await startRuntime(manifest, manifestUrl, choice, selection, files, a, onProgress);
        await checkpoint(a, 'load');
        const { runtime } = started;
        const { width, height, fps } = manifest.video;
        const codecs = await encodableCodecs({ width, height, fps });
        // The C2PA library is fetched and compiled here, not during the first generation: a generation makes no requests.
        await loadC2pa().catch((error: unknown) =>
          console.warn('Lantern: the C2PA library did not load; clips will say they have no Content Credentials.', error),
        );
        await checkpoint(a, 'load');
        const loaded: LoadedModel = { manifest, manifestUrl, choice, tokenizer, codecs, runtime, files: runtime.device === null ? null : started.files };
        await model?.runtime?.release();
        model = loaded;
        return modelInfo(loaded, runtime);
      } catch (error) {
        if (started !== null) await started.runtime.release();
        else selection.device?.destroy();
        throw error;
      }
    });
  };

  /** After a lost device: new device (or the announced WASM fallback) and sessions from the kept bytes. */
  const restoreRuntime = async (m: LoadedModel, a: Activity, onProgress?: (p: Progress) => void): Promise<Runtime> => {
    await m.runtime?.release();
    m.runtime = null;
    const selection = await selectBackend(m.choice, m.manifest);
    try {
      const files = await ensureFiles(m.manifest, m.manifestUrl, m.files, graphsFor(m.manifest, selection.info.backend), a, onProgress);
      const started = await startRuntime(m.manifest, m.manifestUrl, m.choice, selection, files, a, onProgress);
      m.runtime = started.runtime;
      m.files = started.runtime.device === null ? null : started.files;
      return started.runtime;
    } catch (error) {
      if (m.runtime === null) selection.device?.destroy();
      throw error;
    }
  };

  const generate = (request: GenerateRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult> => {
    const m = model;
    if (current !== null) return Promise.reject(new EngineBusyError(current.kind, 'generate'));
    if (m === null) return Promise.reject(new ModelNotLoadedError());
    let valid: ReturnType<typeof validateRequest>;
    try {
      valid = validateRequest(request, m.manifest);
    } catch (error) {
      return Promise.reject(error);
    }
    const onProgress = callbacks?.onProgress;
    const onPreview = callbacks?.onPreview;
    return activity('generate', 'encodeText', async (a) => {
      let runtime = m.runtime;
      if (runtime === null || runtime.lost() !== null) {
        // Re-creating sessions is loading; a cancel now ends as one.
        a.phase = 'load';
        runtime = await restoreRuntime(m, a);
      }
      let fraction = 0;
      return generateClip({ manifest: m.manifest, runtime, tokenizer: m.tokenizer, codecs: m.codecs }, valid, {
        signal: a.controller.signal,
        checkpoint: (phase) => checkpoint(a, phase),
        onProgress: (progress) => {
          // The spans are ordered, so this never bites; it keeps the promise even if they change.
          fraction = Math.max(fraction, progress.fraction);
          notify(onProgress, { ...progress, fraction });
        },
        onPreview: (preview) => notify(onPreview, preview),
      });
    });
  };

  return {
    load,
    generate,
    async cancel() {
      const a = current;
      if (a === null) return;
      a.controller.abort(new GenerationCanceledError(a.phase));
      await a.settled;
    },
    async backend() {
      return model?.runtime?.info ?? null;
    },
  };
}
