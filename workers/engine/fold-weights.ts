// Whether the engine dequantizes a model's int8 weights once, at load, or at
// every step (ort.ts, SessionOptions.foldWeights). Folding saves a step one
// DequantizeLinear dispatch per weight tensor and lets ORT's 'extended'
// fusions run (bench/webgpu-step.bench.ts), at 4 bytes a weight instead of 1.
import type { BackendInfo } from '../contracts/generator';
import { graphsFor } from '../model-files/backend-graphs';
import type { ModelFiles } from '../model-files/load';
import type { Manifest } from '../model-files/manifest';

/**
 * On WebGPU the weights are dequantized once at load when the backend's
 * graphs hold at most this many bytes (so at most 4x as much in float32 on
 * the device): a step then skips one DequantizeLinear dispatch per weight.
 * A model of hundreds of MB keeps int8 on the device, where it fits. WASM
 * always keeps int8: folded, the whole graph ran no faster there (three
 * variants side by side, 5 calls each, within the noise of 450-790 ms) and
 * would take 4x the weights out of the 4 GiB a WASM memory can hold.
 */
export const FOLD_WEIGHTS_MAX_BYTES = 128 * 1024 * 1024;

/** Whether `createRuntime` folds the weights of this backend's graphs (see FOLD_WEIGHTS_MAX_BYTES). */
export function foldsWeights(manifest: Manifest, files: ModelFiles, backend: BackendInfo['backend']): boolean {
  if (backend !== 'webgpu') return false;
  let bytes = 0;
  for (const graph of graphsFor(manifest, backend)) {
    bytes += files.graphs.get(graph)?.byteLength ?? 0;
    for (const part of files.externalData.get(graph) ?? []) bytes += part.data.byteLength;
  }
  return bytes <= FOLD_WEIGHTS_MAX_BYTES;
}
