// Which graphs of a manifest each backend runs. It is data from the
// manifest: WebGPU runs the plan's stage graphs, WASM the whole denoiser
// graph; both run the text encoder and the decoder, and the encoder where the
// model takes frame conditioning (image-to-video, continuation). Kept apart
// from the engine's runtime (which imports onnxruntime-web) because the model
// store's worker needs it too: it downloads a backend's graphs first and
// reports a model's parts by backend (workers/model-store/parts.ts).
import type { Backend } from '../contracts/generator';
import type { Manifest } from './manifest';
import { ENCODER } from './manifest-conditioning';

/** The text encoder and decoder graphs, by the names training/lantern/export.py gives them, and their tensors. */
export const TEXT_ENCODER = { graph: 'text_encoder', inputs: ['ids', 'mask'], output: 'text' } as const;
export const DECODER = { graph: 'decoder', input: 'latent', output: 'video' } as const;

/** The graphs `backend` runs, in manifest terms. */
export function graphsFor(manifest: Manifest, backend: Backend): string[] {
  const denoiser = backend === 'wasm' ? [manifest.denoiser.wholeGraph] : [...new Set(manifest.denoiser.plan.flatMap((s) => (s.op === 'run' ? [s.graph] : [])))];
  return [TEXT_ENCODER.graph, ...denoiser, DECODER.graph, ...(manifest.conditioning === null ? [] : [ENCODER.graph])];
}
