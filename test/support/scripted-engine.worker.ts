// A stand-in engine for testing src/engine-client.ts in a real module worker:
// it implements Generator with behaviour chosen by the prompt, so the tests
// can make the worker succeed, fail with a named error, honour or ignore
// Cancel, hang, or crash, which the real engine does not do on demand.
//   'ok'          3 denoise steps with progress and previews, then a result
//   'slow'        100 steps of 20 ms, honouring cancel between steps
//   'deaf'        runs forever and ignores cancel (but keeps sending progress)
//   'hang'        never answers and sends nothing
//   'crash'       throws outside the call (the worker's `error` event)
//   'fail:<Name>' rejects with an error named <Name>
import * as Comlink from 'comlink';
import type {
  BackendInfo,
  GenerateCallbacks,
  GenerateRequest,
  GenerateResult,
  Generator,
  LoadRequest,
  ModelInfo,
  Progress,
} from '../../workers/contracts/generator';

const BACKEND: BackendInfo = { backend: 'wasm', reason: 'scripted test engine' };
const MODEL: ModelInfo = {
  id: 'scripted',
  version: '1',
  name: 'Scripted',
  width: 4,
  height: 4,
  frames: 2,
  fps: 2,
  maxPromptWords: 8,
  defaultSampler: 'euler',
  defaultSteps: 3,
  defaultShift: 1,
  scheduleShift: 1,
  defaultGuidance: 1,
  speeds: { quality: { sampler: 'euler', steps: 3, shift: 1 }, fast: { sampler: 'dpmpp2m', steps: 2, shift: 3 } },
  backend: BACKEND,
  codecs: ['avc'],
  conditioning: { image: false, continuationLatentFrames: 0, framesPerLatentFrame: 1, editStrength: null },
};

let canceled = false;
let loads = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

const engine: Generator & { loads(): number } = {
  async load(request: LoadRequest, onProgress?: (p: Progress) => void): Promise<ModelInfo> {
    loads++;
    canceled = false;
    if (request.manifestUrl === 'hang') return new Promise<ModelInfo>(() => undefined);
    onProgress?.({ phase: 'load', loadedBytes: 1, totalBytes: 1, fraction: 1 });
    return { ...MODEL, backend: request.backend === 'webgpu' ? { backend: 'webgpu', reason: 'asked', attentionPath: 'portable' } : BACKEND };
  },
  async generate(request: GenerateRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult> {
    canceled = false;
    const prompt = request.prompt;
    if (prompt.startsWith('fail:')) throw named(prompt.slice(5), `scripted failure ${prompt.slice(5)}`);
    if (prompt === 'hang') return new Promise<GenerateResult>(() => undefined);
    if (prompt === 'crash') {
      setTimeout(() => {
        throw new Error('scripted crash');
      });
      return new Promise<GenerateResult>(() => undefined);
    }
    const steps = prompt === 'slow' ? 100 : prompt === 'deaf' ? Number.POSITIVE_INFINITY : 3;
    callbacks?.onProgress?.({ phase: 'encodeText', fraction: 0.05 });
    for (let step = 1; step <= steps; step++) {
      if (canceled && prompt !== 'deaf') throw named('GenerationCanceledError', 'Generation was canceled during denoise.');
      await sleep(prompt === 'ok' ? 1 : 20);
      callbacks?.onProgress?.({
        phase: 'denoise',
        step,
        steps: Number.isFinite(steps) ? steps : 1e9,
        fraction: 0.05 + (0.9 * step) / (Number.isFinite(steps) ? steps : 1e9),
      });
      callbacks?.onPreview?.({ step, steps, width: 1, height: 1, frames: [new Uint8ClampedArray([step, 0, 0, 255])] });
    }
    callbacks?.onProgress?.({ phase: 'encode', frame: 2, frames: 2, fraction: 1 });
    const mp4 = new Uint8Array([0, 0, 0, 8, 0x66, 0x74, 0x79, 0x70]);
    return Comlink.transfer(
      {
        mp4,
        mimeType: 'video/mp4',
        fileName: `clip-seed${request.seed}.mp4`,
        frames: [],
        givenFrames: 0,
        width: 4,
        height: 4,
        fps: 2,
        seed: request.seed,
        backend: 'wasm',
        codec: request.codec ?? 'avc',
        timings: { encodeText: 1, encodeFrames: 0, denoise: 1, decode: 1, encode: 1 },
        contentCredentials:
          prompt === 'unsigned'
            ? { written: false, errorName: 'C2paIdentityError', reason: "Lantern's signing key for Content Credentials could not be kept: scripted." }
            : { written: true },
      },
      [mp4.buffer],
    );
  },
  async cancel(): Promise<void> {
    canceled = true;
  },
  async backend(): Promise<BackendInfo | null> {
    return BACKEND;
  },
  loads: () => loads,
};

Comlink.expose(engine);
