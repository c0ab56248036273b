// The manifest validator: a manifest shaped like training/lantern/manifest.py
// writes it (one block, smoke-sized) parses to the typed Manifest, and each
// kind of bad value is a ManifestError naming the field, the value and what
// is allowed.
import { describe, expect, test } from 'vitest';
import { ENGINE_ERROR_NAMES } from '../workers/errors';
import { ManifestError, latentSize, parseManifest } from '../workers/model/manifest';
import { InvalidSeedError } from '../workers/pipeline/noise';
import { InvalidSamplerSettingsError } from '../workers/pipeline/sampler';
import { EmptyPromptError, TokenizerError } from '../workers/pipeline/tokenize';

const SHA = `sha256-${'A'.repeat(43)}=`;
const graph = (inputs: string[], outputs: string[]) => ({ inputs, outputs, weights: 'float32', bytes: 10, sha256: SHA, shards: [{ url: 'm/g.onnx', bytes: 10, sha256: SHA }] });
const rope = () => ({ grid: [2, 4, 4], dims: [8, 12, 12], theta: 10000, pairing: 'interleaved', order: 'frame,row,column' });
const attention = (kind: string, q: string, k: string, v: string, out: string, keys: number | string, r: unknown) =>
  ({ op: 'attention', kind, q, k, v, out, heads: 2, headDim: 32, queries: 32, keys, layout: 'BHND', scale: 32 ** -0.5, rope: r });

function validManifest(): Record<string, any> {
  return {
    format: 'lantern-model-manifest',
    formatVersion: 1,
    id: 'lantern-smoke',
    version: '0.1.0',
    name: 'Smoke',
    description: 'test',
    video: { width: 32, height: 32, frames: 8, fps: 8 },
    tokenizer: { kind: 'huggingface-tokenizer-json', maxTokens: 48, padId: 0, negativeDefault: '', url: 'm/tokenizer.json', bytes: 100, sha256: SHA },
    text: { dim: 64, tokens: 48 },
    latent: { channels: 4, frames: 2, height: 4, width: 4, temporalCompression: 4, spatialCompression: 8, normalised: true, mean: [0, 0, 0, 0], std: [1, 1, 1, 1] },
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
    sampler: { kind: 'flow-matching-euler', shift: 2, defaultSteps: 20, defaultGuidance: 4, guidanceBatch: 'conditional-then-unconditional', noise: { kind: 'mulberry32-box-muller', order: 'C,F,h,w' } },
    conditioning: { imageToVideo: { latentFrames: 1, image: 'still' } },
    preview: { kind: 'linear-latent-rgb', matrix: [[0.1, 0.2, 0.3], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0.5, 0.5, 0.5]] },
    graphs: {
      text_encoder: graph(['ids', 'mask'], ['text']),
      decoder: graph(['latent'], ['video']),
      denoiser: graph(['x_in', 't', 'text'], ['v_out']),
      dit_text_kv: graph(['text'], ['k_text_0', 'v_text_0']),
      dit_stage_00: graph(['x_in', 't', 'text'], ['x', 'c', 'q', 'k', 'v']),
      dit_stage_01: graph(['x', 'c', 'attn'], ['x_next', 'q_cross']),
      dit_stage_02: graph(['x', 'c', 'cross'], ['v_out']),
    },
    memory: { weightsBytes: 70 },
  };
}

function expectError(mutate: (m: Record<string, any>) => void, field: string, message: RegExp): void {
  const m = validManifest();
  mutate(m);
  let error: unknown;
  try {
    parseManifest(JSON.parse(JSON.stringify(m)));
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ManifestError);
  expect((error as ManifestError).name).toBe('ManifestError');
  expect((error as ManifestError).field).toBe(field);
  expect((error as ManifestError).message).toMatch(message);
}

describe('a valid manifest', () => {
  const manifest = parseManifest(JSON.parse(JSON.stringify(validManifest())));

  test('parses to typed fields', () => {
    expect(manifest.id).toBe('lantern-smoke');
    expect(manifest.sampler.shift).toBe(2);
    expect(manifest.preview.matrix.length).toBe(5);
    expect(latentSize(manifest)).toEqual({ shape: [4, 2, 4, 4], elements: 128 });
    expect(manifest.raw['memory']).toEqual({ weightsBytes: 70 });
  });

  test('the plan resolves "text" keys to the text length and keeps RoPE', () => {
    const cross = manifest.denoiser.plan[4];
    expect(cross).toMatchObject({ op: 'attention', kind: 'cross', keys: 48, rope: null });
    expect(manifest.denoiser.plan[2]).toMatchObject({ op: 'attention', rope: { grid: [2, 4, 4], dims: [8, 12, 12] } });
    expect(manifest.denoiser.plan[0]).toMatchObject({ op: 'run', once: true });
    expect(manifest.denoiser.plan[1]).toMatchObject({ op: 'run', once: false });
  });
});

describe('bad manifests name the field, the value and what is allowed', () => {
  test('not an object', () => {
    expect(() => parseManifest('{}')).toThrow(ManifestError);
    expect(() => parseManifest(null)).toThrow(/manifest is null; it must be an object/);
  });

  test.each([
    ['format', (m: any) => { m.format = 'other'; }, /is 'other'; it must be 'lantern-model-manifest'/],
    ['formatVersion', (m: any) => { m.formatVersion = 2; }, /is 2; it must be one of: 1/],
    ['id', (m: any) => { m.id = 'Bad Id'; }, /\[a-z0-9-\]\+/],
    ['tokenizer.kind', (m: any) => { m.tokenizer.kind = 'sentencepiece'; }, /'sentencepiece'; it must be one of: 'huggingface-tokenizer-json'/],
    ['tokenizer.sha256', (m: any) => { m.tokenizer.sha256 = 'md5-x'; }, /sha256-/],
    ['text.tokens', (m: any) => { m.text.tokens = 77; }, /must equal tokenizer.maxTokens 48/],
    ['latent.std[2]', (m: any) => { m.latent.std[2] = 0; }, /is 0; it must be > 0/],
    ['latent.mean', (m: any) => { m.latent.mean = [0]; }, /has 1 entries; it must have 4/],
    ['latent.frames', (m: any) => { m.latent.frames = 3; }, /video.frames 8/],
    ['denoiser.inputChannels', (m: any) => { m.denoiser.inputChannels = 8; }, /must be 9/],
    ['denoiser.inputLayout', (m: any) => { m.denoiser.inputLayout = ['noisy', 'mask', 'condition']; }, /must be \["noisy","condition","mask"\]/],
    ['denoiser.prediction', (m: any) => { m.denoiser.prediction = 'epsilon'; }, /'epsilon'; it must be one of: 'velocity'/],
    ['denoiser.wholeGraph', (m: any) => { m.denoiser.wholeGraph = 'nope'; }, /must be one of graphs/],
    ['denoiser.plan[2].op', (m: any) => { m.denoiser.plan[2].op = 'matmul'; }, /'matmul'; it must be one of: 'run', 'attention'/],
    ['denoiser.plan[2].layout', (m: any) => { m.denoiser.plan[2].layout = 'BNHD'; }, /'BNHD'; it must be one of: 'BHND'/],
    ['denoiser.plan[2].rope.dims', (m: any) => { m.denoiser.plan[2].rope.dims = [8, 8, 8]; }, /sum to headDim 32/],
    ['denoiser.plan[2].keys', (m: any) => { m.denoiser.plan[2].keys = 'all'; }, /integer >= 1/],
    ['denoiser.plan[3].graph', (m: any) => { m.denoiser.plan[3].graph = 'dit_stage_09'; }, /'dit_stage_09'; it must be one of graphs/],
    ['denoiser.plan[3].outputs', (m: any) => { delete m.denoiser.plan[3].outputs.q_cross; }, /graph 'dit_stage_01' has outputs/],
    ['denoiser.plan[2]', (m: any) => { m.denoiser.plan[2].q = 'q_missing'; }, /reads tensor 'q_missing' before any step writes it/],
    ['denoiser.plan', (m: any) => { m.denoiser.plan.pop(); }, /never writes 'v_out'/],
    ['sampler.kind', (m: any) => { m.sampler.kind = 'ddim'; }, /'ddim'; it must be one of: 'flow-matching-euler'/],
    ['sampler.shift', (m: any) => { m.sampler.shift = -1; }, /must be > 0/],
    ['sampler.defaultSteps', (m: any) => { m.sampler.defaultSteps = 0; }, /integer >= 1/],
    ['sampler.noise.order', (m: any) => { m.sampler.noise.order = 'F,C,h,w'; }, /'F,C,h,w'; it must be one of: 'C,F,h,w'/],
    ['preview.matrix', (m: any) => { m.preview.matrix.pop(); }, /must have 5/],
    ['preview.matrix[1][2]', (m: any) => { m.preview.matrix[1][2] = 'x'; }, /finite number/],
    ['graphs.decoder.bytes', (m: any) => { m.graphs.decoder.bytes = 11; }, /its shards add up to 10/],
    ['graphs.decoder.shards', (m: any) => { m.graphs.decoder.shards = []; }, /at least one shard/],
    ['video', (m: any) => { delete m.video; }, /video is missing; it must be an object/],
  ] as const)('%s', (field, mutate, message) => {
    expectError(mutate, field, message);
  });
});

test('every engine error sets a name the UI can branch on (listed in ENGINE_ERROR_NAMES)', () => {
  const errors = [new ManifestError('x', 'y'), new InvalidSeedError(-1), new InvalidSamplerSettingsError('z'), new EmptyPromptError(), new TokenizerError('t')];
  for (const error of errors) {
    expect(error.name).toBe(error.constructor.name);
    expect(ENGINE_ERROR_NAMES as readonly string[]).toContain(error.name);
  }
});
