// The page side of `npm run bench:large` (bench/large-model.mjs drives it in
// Chromium and samples the processes' memory): the synthetic large model
// through the engine's own code. add() downloads, verifies and stores it with
// the model store's worker; load() reads a backend's graphs back from
// IndexedDB (hashing each shard) and creates its onnxruntime-web sessions, as
// workers/engine/runtime.ts does; step() runs the denoiser once on the
// guidance batch of 2: the whole graph on WASM, or the first `blocks` blocks
// of the WebGPU plan (each step awaited alone, so it can be timed).
import { connectModelStore } from '../src/model-store-client';
import type { Backend } from '../workers/contracts/generator';
import { selectBackend } from '../workers/engine/backend';
import { createWholeGraphDenoiser, type Denoiser, denoiserShapes } from '../workers/engine/denoiser';
import { createSession, floatTensor, ort, releaseAll, type Session } from '../workers/engine/ort';
import { createPlanDenoiser, type PlanDenoiser } from '../workers/engine/plan-executor';
import { DECODER, graphsFor } from '../workers/model-files/backend-graphs';
import { fetchModelFiles } from '../workers/model-files/load';
import type { Manifest, PlanStep } from '../workers/model-files/manifest';
import { ENCODER } from '../workers/model-files/manifest-conditioning';
import { createStoreManifestSource, createStoreSource } from '../workers/model-store/source';

// Every WebAssembly memory the page makes (onnxruntime-web's heap), so its size can be reported:
// ORT creates it on the first session, after this module has run.
const memories = new Set<WebAssembly.Memory>();
const NativeMemory = WebAssembly.Memory;
WebAssembly.Memory = new Proxy(NativeMemory, {
  construct(target, args: [WebAssembly.MemoryDescriptor]) {
    const memory = Reflect.construct(target, args) as WebAssembly.Memory;
    memories.add(memory);
    return memory;
  },
});
const collect = <T extends WebAssembly.WebAssemblyInstantiatedSource | WebAssembly.Instance>(result: T): T => {
  const instance = result instanceof WebAssembly.Instance ? result : result.instance;
  for (const value of Object.values(instance.exports)) if (value instanceof NativeMemory) memories.add(value);
  return result;
};
const nativeInstantiate = WebAssembly.instantiate;
const nativeStreaming = WebAssembly.instantiateStreaming;
WebAssembly.instantiate = ((...args: Parameters<typeof nativeInstantiate>) =>
  (nativeInstantiate as (...a: unknown[]) => Promise<WebAssembly.Instance>)(...args).then(collect)) as typeof nativeInstantiate;
WebAssembly.instantiateStreaming = (...args: Parameters<typeof nativeStreaming>) => nativeStreaming(...args).then(collect);

/** Bytes of the largest WebAssembly memory in the page (memories only grow). */
function wasmMemoryBytes(): number {
  return Math.max(0, ...[...memories].map((m) => m.buffer.byteLength));
}

type Loaded = { manifest: Manifest; backend: Backend; sessions: Map<string, Session>; device: GPUDevice | null; denoiser: Denoiser | null };
let loaded: Loaded | null = null;

/** Deterministic values in [-1, 1) (a counter hash), so every run feeds the same inputs. */
function pseudoRandom(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let x = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(seed + 1, 0x85ebca77);
    x ^= x >>> 15;
    x = Math.imul(x, 0x2c1b3c6d);
    x ^= x >>> 12;
    out[i] = (x >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

async function add(manifestUrl: string) {
  const store = connectModelStore();
  try {
    const start = performance.now();
    const added = await store.add(manifestUrl);
    return {
      ms: performance.now() - start,
      bytes: added.model.totalBytes,
      files: added.model.files,
      fetchedFiles: added.fetchedFiles,
      state: added.model.state,
    };
  } finally {
    store.terminate();
  }
}

async function load(manifestUrl: string, backend: Backend) {
  if (loaded !== null) throw new Error(`release() the ${loaded.backend} model first`);
  const manifest = await createStoreManifestSource()(manifestUrl);
  const graphs = graphsFor(manifest, backend);
  const start = performance.now();
  let files: Awaited<ReturnType<typeof fetchModelFiles>> | null = await fetchModelFiles(manifest, manifestUrl, graphs, { source: createStoreSource() });
  const readMs = performance.now() - start;
  const selection = backend === 'wasm' ? null : await selectBackend('webgpu', manifest);
  const device = selection?.device ?? null;
  const sessions = new Map<string, Session>();
  const sessionStart = performance.now();
  for (const graph of graphs) {
    const externalData = files.externalData.get(graph);
    const target = device === null ? ({ backend: 'wasm' } as const) : ({ backend: 'webgpu', device } as const);
    const outputsOnGpu = graph !== DECODER.graph && graph !== ENCODER.graph;
    sessions.set(
      graph,
      await createSession(graph, files.graphs.get(graph)!, target, { outputsOnGpu, ...(externalData === undefined ? {} : { externalData }) }),
    );
  }
  const sessionMs = performance.now() - sessionStart;
  const graphBytes = [...files.graphs.values(), ...[...files.externalData.values()].flat().map((f) => f.data)].reduce((n, b) => n + b.length, 0);
  files = null; // the sessions hold the weights now; let the JS copies go
  const denoiser = device === null ? createWholeGraphDenoiser(manifest, sessions.get(manifest.denoiser.wholeGraph)!) : null;
  loaded = { manifest, backend, sessions, device, denoiser };
  const limits =
    device === null ? null : { maxBufferSize: device.limits.maxBufferSize, maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize };
  return {
    readMs,
    sessionMs,
    graphs: graphs.length,
    graphBytes,
    wasmMemoryBytes: wasmMemoryBytes(),
    wasmThreads: ort.env.wasm.numThreads ?? null,
    crossOriginIsolated,
    adapter: selection === null ? null : selection.info.reason,
    limits,
  };
}

/** The plan's first `blocks` blocks, then its last graph (the output head) on their result, so the call writes v_out. */
export function firstBlocks(plan: PlanStep[], blocks: number): PlanStep[] {
  const head = plan.slice(0, 2 + 4 * blocks); // text keys and values, embed + block 0's q/k/v, then 4 steps a block
  return [...head, plan.at(-1)!];
}

async function step(blocks: number | null) {
  if (loaded === null) throw new Error('load() first');
  const { manifest, device, sessions } = loaded;
  const shapes = denoiserShapes(manifest);
  const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
  const text = floatTensor(pseudoRandom(count(shapes.text), 1), shapes.text);
  const xIn = pseudoRandom(count(shapes.xIn), 2);
  const t = new Float32Array([0.7, 0.7]);
  let denoiser: Denoiser | PlanDenoiser;
  const stepMs = new Map<PlanStep, number>();
  let plan: PlanStep[] = manifest.denoiser.plan;
  if (device === null) {
    denoiser = loaded.denoiser!;
  } else {
    plan = blocks === null ? plan : firstBlocks(plan, blocks);
    denoiser = await createPlanDenoiser({ ...manifest, denoiser: { ...manifest.denoiser, plan } }, device, sessions, {
      onStepTimed: (s, ms) => {
        stepMs.set(s, ms);
        // Progress for the driver: a SwiftShader step of this size takes minutes.
        console.info(`large-model step ${s.op === 'run' ? s.graph : `attention ${s.kind}`}: ${(ms / 1000).toFixed(1)} s`);
      },
    });
  }
  const textStart = performance.now();
  await denoiser.setText(text);
  const textMs = performance.now() - textStart;
  const start = performance.now();
  const v = await denoiser.run(xIn, t);
  const ms = performance.now() - start;
  denoiser.clearText();
  if ('destroy' in denoiser) denoiser.destroy();
  const finite = v.every(Number.isFinite);
  const meanAbs = v.reduce((s, x) => s + Math.abs(x), 0) / v.length;
  // Block i: its self-attention, the stage to its cross-attention, the cross-attention, and the
  // stage after it (which also makes block i + 1's q, k, v: the same work as block i's own).
  const blockMs =
    device === null
      ? []
      : Array.from({ length: blocks ?? manifest.denoiser.depth }, (_, i) => plan.slice(2 + 4 * i, 6 + 4 * i).reduce((n, s) => n + (stepMs.get(s) ?? 0), 0));
  const embedMs = stepMs.get(plan[1]!) ?? null;
  return { ms, textMs, embedMs, blockMs, finite, meanAbs, wasmMemoryBytes: wasmMemoryBytes() };
}

async function release() {
  if (loaded === null) return;
  await releaseAll(loaded.sessions.values());
  loaded.device?.destroy();
  loaded = null;
}

const bench = { add, load, step, release, wasmMemoryBytes };
declare global {
  interface Window {
    largeBench: typeof bench;
  }
}
window.largeBench = bench;
