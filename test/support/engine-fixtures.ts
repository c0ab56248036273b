// Reading the training code's pipeline fixtures (test/fixtures/<model>/,
// written by training/lantern/fixtures.py) and building engine runtimes from
// the served model, for the browser tests and the bench. Shapes, prompt,
// seed, steps and tolerances all come from the fixture's index.json.
import type { BackendChoice } from '../../workers/contracts/generator';
import { selectBackend } from '../../workers/engine/backend';
import { gpuFloatBuffer, type Tensor } from '../../workers/engine/ort';
import { createRuntime, graphsFor, type Runtime } from '../../workers/engine/runtime';
import { createPromptTokenizer, type PromptTokenizer } from '../../workers/engine/tokenize';
import { fetchManifest, fetchModelFiles } from '../../workers/model-files/load';
import type { Manifest } from '../../workers/model-files/manifest';

export const MANIFEST_URL = '/models/lantern-tiny.json';
export const FIXTURES = '/test/fixtures/lantern-tiny';

type TensorEntry = { file: string; dtype: 'float32' | 'int32' | 'uint8'; shape: number[] };
export type FixtureIndex = {
  /** Where the index was read from; its tensors' files lie beside it. */
  folder: string;
  tensors: Record<string, TensorEntry>;
  model: string;
  prompt: string;
  negative: string;
  seed: number;
  steps: number;
  guidance: number;
  shift: number;
  tolerances: Record<'text' | 'denoiser_v' | 'trajectory' | 'x0' | 'frames', number>;
};

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${response.statusText}`);
  return response;
}

export async function fixtureIndex<T extends object = FixtureIndex>(folder = FIXTURES): Promise<T & { folder: string; tensors: Record<string, TensorEntry> }> {
  const index = (await (await fetchOk(`${folder}/index.json`)).json()) as T & { tensors: Record<string, TensorEntry> };
  return { ...index, folder };
}

type AnyIndex = { folder: string; tensors: Record<string, TensorEntry> };

export async function fixtureTensor(index: AnyIndex, name: string): Promise<{ data: Float32Array | Int32Array | Uint8Array; shape: number[] }> {
  const entry = index.tensors[name];
  if (entry === undefined) throw new Error(`fixture ${name} is not in ${index.folder}/index.json`);
  const buffer = await (await fetchOk(`${index.folder}/${entry.file}`)).arrayBuffer();
  const data = entry.dtype === 'float32' ? new Float32Array(buffer) : entry.dtype === 'int32' ? new Int32Array(buffer) : new Uint8Array(buffer);
  return { data, shape: entry.shape };
}

export async function fixtureFloats(index: AnyIndex, name: string): Promise<Float32Array> {
  const { data } = await fixtureTensor(index, name);
  if (!(data instanceof Float32Array)) throw new Error(`fixture ${name} is not float32`);
  return data;
}

/** Largest |a - b|; a length mismatch is an error, not a pass. */
/**
 * A float32 tensor on `device`, as the engine's text encoder hands the text
 * embedding to the denoiser (its output stays on the GPU). A CPU tensor
 * would be uploaded again at every step that reads it. The caller destroys the buffer.
 */
/** `data` in a GPU buffer as ORT's WebGPU backend takes it, as the plan executor makes its inputs. */
export function gpuFloatTensor(device: GPUDevice, data: Float32Array, dims: readonly number[]): { tensor: Tensor; buffer: GPUBuffer } {
  const made = gpuFloatBuffer(device, dims, 'test.input');
  device.queue.writeBuffer(made.buffer, 0, data);
  return made;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= max)) max = Number.isNaN(d) ? Infinity : d;
  }
  return max;
}

export type TestRuntime = { manifest: Manifest; runtime: Runtime; tokenizer: PromptTokenizer };

/** A runtime on `backend` from the served model, as the engine builds one. */
export async function loadRuntime(backend: Exclude<BackendChoice, 'auto'>): Promise<TestRuntime> {
  const manifest = await fetchManifest(MANIFEST_URL);
  const selection = await selectBackend(backend, manifest);
  const files = await fetchModelFiles(manifest, MANIFEST_URL, graphsFor(manifest, selection.info.backend));
  const runtime = await createRuntime(manifest, files, selection, async () => undefined);
  return { manifest, runtime, tokenizer: createPromptTokenizer(files.tokenizerJson, manifest.tokenizer) };
}
