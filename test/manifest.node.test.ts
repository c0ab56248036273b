// The manifest validator: a manifest shaped like training/lantern/manifest.py
// writes it (one block, smoke-sized) parses to the typed Manifest, and each
// kind of bad value is a ManifestError naming the field, the value and what
// is allowed. test/manifest-property.node.test.ts generates many more.
import { describe, expect, test } from 'vitest';
import { ENGINE_ERROR_NAMES } from '../workers/contracts/errors';
import { InvalidSeedError } from '../workers/engine/sampling/noise';
import { InvalidSamplerSettingsError } from '../workers/engine/sampling/sampler';
import { EmptyPromptError, TokenizerError } from '../workers/engine/tokenize';
import { latentSize, ManifestError, parseManifest } from '../workers/model-files/manifest';
import { SMOKE_SHA, validManifest } from './support/valid-manifest';

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
    expect(manifest.memory).toEqual({ weightsBytes: 70, latentBytes: 512, peakActivationBytes: 4096, recommendedBytes: 8192 });
    expect(manifest.requires).toEqual({ webgpuFeatures: [], maxStorageBufferBindingSize: 1024 });
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.graphs['decoder']!.externalData).toEqual([]);
  });

  test('the plan resolves "text" keys to the text length and keeps RoPE', () => {
    const cross = manifest.denoiser.plan[4];
    expect(cross).toMatchObject({ op: 'attention', kind: 'cross', keys: 48, rope: null });
    expect(manifest.denoiser.plan[2]).toMatchObject({ op: 'attention', rope: { grid: [2, 4, 4], dims: [8, 12, 12] } });
    expect(manifest.denoiser.plan[0]).toMatchObject({ op: 'run', once: true });
    expect(manifest.denoiser.plan[1]).toMatchObject({ op: 'run', once: false });
  });
});

test('a last stage may also read the step inputs x_in and t (an x0-predicting model forms v there)', () => {
  const m = validManifest();
  m['denoiser'].plan[5].inputs = { ...m['denoiser'].plan[5].inputs, x_in: 'x_in', t: 't' };
  m['graphs'].dit_stage_02.inputs = ['x', 'c', 'cross', 'x_in', 't'];
  const last = parseManifest(JSON.parse(JSON.stringify(m))).denoiser.plan[5];
  expect(last).toMatchObject({ op: 'run', inputs: { x: 'x', c: 'c', cross: 'cross', x_in: 'x_in', t: 't' } });
});

describe('bad manifests name the field, the value and what is allowed', () => {
  test('not an object', () => {
    expect(() => parseManifest('{}')).toThrow(ManifestError);
    expect(() => parseManifest(null)).toThrow(/manifest is null; it must be an object/);
  });

  test.each([
    [
      'format',
      (m: any) => {
        m.format = 'other';
      },
      /is 'other'; it must be 'lantern-model-manifest'/,
    ],
    [
      'formatVersion',
      (m: any) => {
        m.formatVersion = '1';
      },
      /is '1'; it must be one of: 1/,
    ],
    [
      'id',
      (m: any) => {
        m.id = 'Bad Id';
      },
      /\[a-z0-9-\]\+/,
    ],
    [
      'tokenizer.kind',
      (m: any) => {
        m.tokenizer.kind = 'sentencepiece';
      },
      /'sentencepiece'; it must be one of: 'huggingface-tokenizer-json'/,
    ],
    [
      'tokenizer.sha256',
      (m: any) => {
        m.tokenizer.sha256 = 'md5-x';
      },
      /sha256-/,
    ],
    [
      'text.tokens',
      (m: any) => {
        m.text.tokens = 77;
      },
      /must equal tokenizer.maxTokens 48/,
    ],
    [
      'latent.std[2]',
      (m: any) => {
        m.latent.std[2] = 0;
      },
      /is 0; it must be > 0/,
    ],
    [
      'latent.mean',
      (m: any) => {
        m.latent.mean = [0];
      },
      /has 1 entries; it must have 4/,
    ],
    [
      'latent.frames',
      (m: any) => {
        m.latent.frames = 3;
      },
      /video.frames 8/,
    ],
    [
      'denoiser.inputChannels',
      (m: any) => {
        m.denoiser.inputChannels = 8;
      },
      /must be 9/,
    ],
    [
      'denoiser.inputLayout',
      (m: any) => {
        m.denoiser.inputLayout = ['noisy', 'mask', 'condition'];
      },
      /must be \["noisy","condition","mask"\]/,
    ],
    [
      'denoiser.prediction',
      (m: any) => {
        m.denoiser.prediction = 'epsilon';
      },
      /'epsilon'; it must be one of: 'velocity'/,
    ],
    [
      'denoiser.wholeGraph',
      (m: any) => {
        m.denoiser.wholeGraph = 'nope';
      },
      /must be one of graphs/,
    ],
    [
      'denoiser.plan[2].op',
      (m: any) => {
        m.denoiser.plan[2].op = 'matmul';
      },
      /'matmul'; it must be one of: 'run', 'attention'/,
    ],
    [
      'denoiser.plan[2].layout',
      (m: any) => {
        m.denoiser.plan[2].layout = 'BNHD';
      },
      /'BNHD'; it must be one of: 'BHND'/,
    ],
    [
      'denoiser.plan[2].rope.dims',
      (m: any) => {
        m.denoiser.plan[2].rope.dims = [8, 8, 8];
      },
      /sum to headDim 32/,
    ],
    [
      'denoiser.plan[2].keys',
      (m: any) => {
        m.denoiser.plan[2].keys = 'all';
      },
      /integer >= 1/,
    ],
    [
      'denoiser.plan[3].graph',
      (m: any) => {
        m.denoiser.plan[3].graph = 'dit_stage_09';
      },
      /'dit_stage_09'; it must be one of graphs/,
    ],
    [
      'denoiser.plan[3].outputs',
      (m: any) => {
        delete m.denoiser.plan[3].outputs.q_cross;
      },
      /it must bind exactly the outputs of graph 'dit_stage_01'/,
    ],
    [
      'denoiser.plan[2]',
      (m: any) => {
        m.denoiser.plan[2].q = 'q_missing';
      },
      /reads tensor 'q_missing' before any step writes it/,
    ],
    [
      'denoiser.plan',
      (m: any) => {
        m.denoiser.plan.pop();
      },
      /never writes 'v_out'/,
    ],
    [
      'sampler.kind',
      (m: any) => {
        m.sampler.kind = 'ddim';
      },
      /'ddim'; it must be one of: 'flow-matching-euler'/,
    ],
    [
      'sampler.shift',
      (m: any) => {
        m.sampler.shift = -1;
      },
      /must be > 0/,
    ],
    [
      'sampler.defaultSteps',
      (m: any) => {
        m.sampler.defaultSteps = 0;
      },
      /integer >= 1/,
    ],
    [
      'sampler.noise.order',
      (m: any) => {
        m.sampler.noise.order = 'F,C,h,w';
      },
      /'F,C,h,w'; it must be one of: 'C,F,h,w'/,
    ],
    [
      'preview.matrix',
      (m: any) => {
        m.preview.matrix.pop();
      },
      /must have 5/,
    ],
    [
      'preview.matrix[1][2]',
      (m: any) => {
        m.preview.matrix[1][2] = 'x';
      },
      /finite number/,
    ],
    [
      'graphs.decoder.bytes',
      (m: any) => {
        m.graphs.decoder.bytes = 11;
      },
      /its shards add up to 10/,
    ],
    [
      'graphs.decoder.shards',
      (m: any) => {
        m.graphs.decoder.shards = [];
      },
      /at least one shard/,
    ],
    [
      'video',
      (m: any) => {
        delete m.video;
      },
      /video is missing; it must be an object/,
    ],
    [
      'formatVersion',
      (m: any) => {
        m.formatVersion = 7;
      },
      /is 7; this Lantern reads format versions 1 only. Update Lantern/,
    ],
    [
      'license',
      (m: any) => {
        delete m.license;
      },
      /license is missing; it must be a string/,
    ],
    [
      'id',
      (m: any) => {
        m.id = 3;
      },
      /id is 3; it must be a string/,
    ],
    [
      'tokenizer.url',
      (m: any) => {
        m.tokenizer.url = 'javascript:alert(1)';
      },
      /'javascript:alert\(1\)' \(scheme 'javascript:'\); it must be relative to the manifest or an absolute URL starting with one of: 'https:\/\/', 'http:\/\/'/,
    ],
    [
      'graphs.decoder.shards[0].url',
      (m: any) => {
        m.graphs.decoder.shards[0].url = 'data:application/octet-stream;base64,AAAA';
      },
      /scheme 'data:'/,
    ],
    [
      'graphs.decoder.shards[0].url',
      (m: any) => {
        m.graphs.decoder.shards[0].url = 'java\tscript:alert(1)';
      },
      /'java\\u0009script:alert\(1\)', which contains spaces, control characters/,
    ],
    [
      'graphs.decoder.shards[0].url',
      (m: any) => {
        m.graphs.decoder.shards[0].url = 'https://user:pw@example.com/g.onnx';
      },
      /carries credentials/,
    ],
    [
      'graphs.decoder.shards[0].url',
      (m: any) => {
        m.graphs.decoder.shards[0].url = 'file:///etc/passwd';
      },
      /scheme 'file:'/,
    ],
    [
      'graphs.decoder.shards[0].bytes',
      (m: any) => {
        m.graphs.decoder.shards[0].bytes = 1e300;
      },
      /is 1e\+300; it must be an integer from 1 to 134217728 \(128 MiB\)/,
    ],
    [
      'graphs.decoder.shards[0].bytes',
      (m: any) => {
        m.graphs.decoder.shards[0].bytes = 128 * 2 ** 20 + 1;
      },
      /from 1 to 134217728/,
    ],
    [
      'graphs.decoder.bytes',
      (m: any) => {
        m.graphs.decoder.bytes = -10;
      },
      /is -10; it must be an integer from 1 to 2147483647 \(2.00 GiB\)/,
    ],
    [
      'tokenizer.bytes',
      (m: any) => {
        m.tokenizer.bytes = 0.5;
      },
      /is 0.5; it must be an integer from 1/,
    ],
    [
      'graphs',
      (m: any) => {
        const shards = Array.from({ length: 15 }, () => ({ url: 'm/x.bin', bytes: 128 * 2 ** 20, sha256: SMOKE_SHA }));
        for (let i = 0; i < 40; i++) m.graphs[`huge_${i}`] = { inputs: [], outputs: [], bytes: 15 * 128 * 2 ** 20, sha256: SMOKE_SHA, shards };
      },
      /add up to \d+ bytes with the tokenizer; a model must have at most 68719476736 \(64 GiB\)/,
    ],
    [
      'graphs.decoder.externalData[0].path',
      (m: any) => {
        m.graphs.decoder.externalData = [{ path: '../w.bin', bytes: 10, sha256: SMOKE_SHA, shards: [{ url: 'm/w.bin', bytes: 10, sha256: SMOKE_SHA }] }];
      },
      /'..\/w.bin'; it must be a plain file name/,
    ],
    [
      'graphs.decoder.externalData[0].bytes',
      (m: any) => {
        m.graphs.decoder.externalData = [{ path: 'w.bin', bytes: 11, sha256: SMOKE_SHA, shards: [{ url: 'm/w.bin', bytes: 10, sha256: SMOKE_SHA }] }];
      },
      /is 11; its shards add up to 10/,
    ],
    [
      'memory.recommendedBytes',
      (m: any) => {
        m.memory.recommendedBytes = -1;
      },
      /is -1; it must be an integer from 0/,
    ],
    [
      'requires.webgpuFeatures[0]',
      (m: any) => {
        m.requires.webgpuFeatures = [7];
      },
      /is 7; it must be a WebGPU feature name/,
    ],
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
