// The denoiser as the sampler sees it: text once per clip, then one call per
// step on the guidance batch (conditional, then unconditional). Two
// implementations: the whole graph in one session (here; the WASM backend)
// and the manifest's plan of stage graphs and WGSL attention on WebGPU
// (plan-executor.ts).

import { InferenceError } from '../contracts/errors';
import type { Manifest } from '../model-files/manifest';
import { PLAN_INPUTS, PLAN_OUTPUT } from '../model-files/manifest';
import { floatTensor, readFloats, runSession, type Session, type Tensor } from './ort';
import { GUIDANCE_BATCH } from './sampling/sampler';

export type Denoiser = {
  /** The guidance batch's text embeddings (2, L, D), for every call until clearText(); runs the plan's once-per-clip steps. */
  setText(text: Tensor): Promise<void>;
  /** v for the batch: xIn (2, 2C + 1, F, h, w), t (2); returns (2, C, F, h, w) on the CPU. */
  run(xIn: Float32Array, t: Float32Array): Promise<Float32Array>;
  /** Frees what setText() made (not the text tensor itself, which the caller owns). */
  clearText(): void;
};

/** Shapes of the plan's inputs and output for the guidance batch, from the manifest. */
export function denoiserShapes(m: Manifest): { xIn: number[]; t: number[]; text: number[]; v: number[] } {
  const { frames, height, width, channels } = m.latent;
  return {
    xIn: [GUIDANCE_BATCH, m.denoiser.inputChannels, frames, height, width],
    t: [GUIDANCE_BATCH],
    text: [GUIDANCE_BATCH, m.text.tokens, m.text.dim],
    v: [GUIDANCE_BATCH, channels, frames, height, width],
  };
}

/** The whole denoiser graph (`denoiser.wholeGraph`) in one session: one run per step. */
export function createWholeGraphDenoiser(manifest: Manifest, session: Session): Denoiser {
  const graph = manifest.denoiser.wholeGraph;
  const shapes = denoiserShapes(manifest);
  const [xName, tName, textName] = PLAN_INPUTS;
  for (const name of [xName, tName, textName]) {
    if (!session.inputNames.includes(name)) throw new InferenceError(graph, `has inputs [${session.inputNames.join(', ')}]; the engine feeds '${name}'.`);
  }
  let text: Tensor | null = null;
  return {
    async setText(t) {
      text = t;
    },
    async run(xIn, t) {
      if (text === null) throw new InferenceError(graph, 'ran before setText(): the text embeddings are missing.');
      const out = await runSession(graph, session, { [xName]: floatTensor(xIn, shapes.xIn), [tName]: floatTensor(t, shapes.t), [textName]: text });
      const v = out[PLAN_OUTPUT];
      if (v === undefined) throw new InferenceError(graph, `gave [${Object.keys(out).join(', ')}]; the engine needs '${PLAN_OUTPUT}'.`);
      return readFloats(graph, PLAN_OUTPUT, v, shapes.v);
    },
    clearText() {
      text = null;
    },
  };
}
