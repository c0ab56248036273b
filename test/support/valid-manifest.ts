// A smoke-sized manifest shaped like training/lantern/manifest.py writes it
// (one DiT block), for the validator's tests. Each call returns a fresh copy
// to mutate.
const SHA = `sha256-${'A'.repeat(43)}=`;
const graph = (inputs: string[], outputs: string[]) => ({
  inputs,
  outputs,
  weights: 'float32',
  bytes: 10,
  sha256: SHA,
  shards: [{ url: 'm/g.onnx', bytes: 10, sha256: SHA }],
});
const rope = () => ({ grid: [2, 4, 4], dims: [8, 12, 12], theta: 10000, pairing: 'interleaved', order: 'frame,row,column' });
const attention = (kind: string, q: string, k: string, v: string, out: string, keys: number | string, r: unknown) => ({
  op: 'attention',
  kind,
  q,
  k,
  v,
  out,
  heads: 2,
  headDim: 32,
  queries: 32,
  keys,
  layout: 'BHND',
  scale: 32 ** -0.5,
  rope: r,
});

export function validManifest(): Record<string, any> {
  return {
    format: 'lantern-model-manifest',
    formatVersion: 1,
    id: 'lantern-smoke',
    version: '0.1.0',
    name: 'Smoke',
    description: 'test',
    license: 'Apache-2.0',
    video: { width: 32, height: 32, frames: 8, fps: 8 },
    tokenizer: { kind: 'huggingface-tokenizer-json', maxTokens: 48, padId: 0, negativeDefault: '', url: 'm/tokenizer.json', bytes: 100, sha256: SHA },
    text: { dim: 64, tokens: 48 },
    latent: {
      channels: 4,
      frames: 2,
      height: 4,
      width: 4,
      temporalCompression: 4,
      spatialCompression: 8,
      normalised: true,
      mean: [0, 0, 0, 0],
      std: [1, 1, 1, 1],
    },
    denoiser: {
      inputChannels: 9,
      inputLayout: ['noisy', 'condition', 'mask'],
      patch: [1, 2, 2],
      tokens: 32,
      dim: 64,
      depth: 1,
      heads: 2,
      headDim: 32,
      prediction: 'velocity',
      wholeGraph: 'denoiser',
      plan: [
        { op: 'run', graph: 'dit_text_kv', once: true, inputs: { text: 'text' }, outputs: { k_text_0: 'k_text_0', v_text_0: 'v_text_0' } },
        { op: 'run', graph: 'dit_stage_00', inputs: { x_in: 'x_in', t: 't', text: 'text' }, outputs: { x: 'x', c: 'c', q: 'q', k: 'k', v: 'v' } },
        attention('self', 'q', 'k', 'v', 'attn', 32, rope()),
        { op: 'run', graph: 'dit_stage_01', inputs: { x: 'x', c: 'c', attn: 'attn' }, outputs: { x_next: 'x', q_cross: 'q_cross' } },
        attention('cross', 'q_cross', 'k_text_0', 'v_text_0', 'cross', 'text', null),
        { op: 'run', graph: 'dit_stage_02', inputs: { x: 'x', c: 'c', cross: 'cross' }, outputs: { v_out: 'v_out' } },
      ],
    },
    sampler: {
      kind: 'flow-matching-euler',
      shift: 2,
      defaultSteps: 20,
      defaultGuidance: 4,
      guidanceBatch: 'conditional-then-unconditional',
      noise: { kind: 'mulberry32-box-muller', order: 'C,F,h,w' },
    },
    conditioning: { imageToVideo: { latentFrames: 1, image: 'still' } },
    preview: {
      kind: 'linear-latent-rgb',
      matrix: [
        [0.1, 0.2, 0.3],
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
        [0.5, 0.5, 0.5],
      ],
    },
    graphs: {
      text_encoder: graph(['ids', 'mask'], ['text']),
      decoder: graph(['latent'], ['video']),
      encoder: graph(['video'], ['latent']),
      denoiser: graph(['x_in', 't', 'text'], ['v_out']),
      dit_text_kv: graph(['text'], ['k_text_0', 'v_text_0']),
      dit_stage_00: graph(['x_in', 't', 'text'], ['x', 'c', 'q', 'k', 'v']),
      dit_stage_01: graph(['x', 'c', 'attn'], ['x_next', 'q_cross']),
      dit_stage_02: graph(['x', 'c', 'cross'], ['v_out']),
    },
    memory: { weightsBytes: 70, latentBytes: 512, peakActivationBytes: 4096, recommendedBytes: 8192 },
    requires: { webgpuFeatures: [], maxStorageBufferBindingSize: 1024 },
  };
}

export const SMOKE_SHA = SHA;
