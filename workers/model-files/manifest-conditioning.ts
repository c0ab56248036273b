// The manifest's optional `conditioning` block: what frame-conditioned
// generation the model was trained for (models-manifest/README.md).
//
//   imageToVideo  an image becomes the clip's first `latentFrames` latent
//                 frames; 'still' means the encoder sees the image held still
//                 for a whole clip (training/lantern/pipeline.py still_latent)
//   continuation  a previous clip's last 1..maxLatentFrames latent frames
//                 become the new clip's first ones
//   editing       a clip re-noised to `defaultStrength` and denoised again
//
// Any of them needs the encoder graph (video -> normalised latent); a model
// without the block (or without the encoder) makes text-to-video only.

import { int, ManifestError, num, oneOf, record } from './manifest-fields';

export const IMAGE_MODES = ['still'] as const;
/** The encoder graph, by the name training/lantern/export.py gives it, and its tensors. */
export const ENCODER = { graph: 'encoder', input: 'video', output: 'latent' } as const;

export type ManifestConditioning = {
  imageToVideo: { latentFrames: number; image: (typeof IMAGE_MODES)[number] } | null;
  continuation: { maxLatentFrames: number } | null;
  editing: { defaultStrength: number } | null;
};

type GraphShape = { inputs: string[]; outputs: string[] };

/** `latentFrames` is the model's latent clip length: a conditioned clip must leave at least one frame to generate. */
export function parseConditioning(value: unknown, latentFrames: number, graphs: Record<string, GraphShape>): ManifestConditioning | null {
  if (value === undefined || value === null) return null;
  const c = record(value, 'conditioning');
  const given = (v: unknown, path: string) => {
    const n = int(v, path, 1);
    if (n >= latentFrames) throw new ManifestError(path, `is ${n}; it must be less than latent.frames ${latentFrames}, so that frames are left to generate.`);
    return n;
  };
  const i = c['imageToVideo'] == null ? null : record(c['imageToVideo'], 'conditioning.imageToVideo');
  const k = c['continuation'] == null ? null : record(c['continuation'], 'conditioning.continuation');
  const e = c['editing'] == null ? null : record(c['editing'], 'conditioning.editing');
  const conditioning: ManifestConditioning = {
    imageToVideo:
      i === null
        ? null
        : {
            latentFrames: given(i['latentFrames'], 'conditioning.imageToVideo.latentFrames'),
            image: oneOf(i['image'], IMAGE_MODES, 'conditioning.imageToVideo.image'),
          },
    continuation: k === null ? null : { maxLatentFrames: given(k['maxLatentFrames'], 'conditioning.continuation.maxLatentFrames') },
    editing: e === null ? null : { defaultStrength: strength(e['defaultStrength']) },
  };
  const encoder = graphs[ENCODER.graph];
  if (encoder === undefined) {
    throw new ManifestError('graphs.encoder', `is missing; the conditioning block needs it (inputs [${ENCODER.input}], outputs [${ENCODER.output}]).`);
  }
  if (encoder.inputs.join(',') !== ENCODER.input || encoder.outputs.join(',') !== ENCODER.output) {
    throw new ManifestError(
      'graphs.encoder',
      `has inputs [${encoder.inputs.join(', ')}] and outputs [${encoder.outputs.join(', ')}]; the engine needs [${ENCODER.input}] and [${ENCODER.output}].`,
    );
  }
  return conditioning;
}

function strength(value: unknown): number {
  const s = num(value, 'conditioning.editing.defaultStrength', 0, true);
  if (s > 1) throw new ManifestError('conditioning.editing.defaultStrength', `is ${s}; it must be in (0, 1].`);
  return s;
}
