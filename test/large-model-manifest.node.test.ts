// The synthetic large model's manifest (training/lantern/synthetic_large.py)
// through the engine's own parser and the model store's file and part
// logic. The generator runs here at a small size (hidden 64, 2 blocks, about
// 10 s; the same code writes the 1.3B model for `npm run bench:large`), so a
// change on either side that breaks the format fails this test. Needs the
// Python environment (.venv, which `npm test` sets up first).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { graphsFor } from '../workers/model-files/backend-graphs';
import { type Manifest, parseManifest } from '../workers/model-files/manifest';
import { modelFiles } from '../workers/model-store/files';
import { modelParts } from '../workers/model-store/parts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = join(ROOT, '.venv', 'bin', 'python');
const MANIFEST_URL = 'https://models.example/lantern-large.json';

let dir: string;
let manifest: Manifest;
let json: Record<string, unknown>;

beforeAll(() => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run 'bash scripts/python-env.sh' (npm test does).`);
  dir = mkdtempSync(join(tmpdir(), 'lantern-large-test-'));
  const args = [
    '-W',
    'ignore',
    '-m',
    'lantern.synthetic_large',
    '--out',
    join(dir, 'lantern-large'),
    '--dim',
    '64',
    '--depth',
    '2',
    '--heads',
    '2',
    '--threads',
    '1',
  ];
  const run = spawnSync(PYTHON, args, { cwd: join(ROOT, 'training'), env: { ...process.env, PYTHONPATH: '.' }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`lantern.synthetic_large failed (${run.status}):\n${run.stderr}`);
  json = JSON.parse(readFileSync(join(dir, 'lantern-large.json'), 'utf8')) as Record<string, unknown>;
  manifest = parseManifest(json);
}, 120_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

test('the generated manifest parses, with the shape it was asked for', () => {
  expect(manifest.id).toBe('lantern-large-synthetic');
  expect(manifest.denoiser).toMatchObject({ dim: 64, depth: 2, heads: 2, headDim: 32, tokens: 256, wholeGraph: 'denoiser' });
  // text keys/values, embed, then per block: self-attention, stage, cross-attention, stage.
  expect(manifest.denoiser.plan).toHaveLength(2 + 4 * 2);
  expect(manifest.conditioning).toBeNull();
});

test('WASM runs the whole graph, WebGPU the stage graphs: both read the same weight files, each shard once', () => {
  const stages = graphsFor(manifest, 'webgpu').filter((g) => g.startsWith('dit_'));
  expect(graphsFor(manifest, 'wasm')).toEqual(['text_encoder', 'denoiser', 'decoder']);
  expect(stages).toEqual(['dit_text_kv', 'dit_stage_00', 'dit_stage_01', 'dit_stage_02', 'dit_stage_03', 'dit_stage_04']);
  const whole = manifest.graphs['denoiser']!;
  expect(whole.externalData.map((f) => f.path)).toEqual(stages.map((g) => `${g}.weights`));
  for (const stage of stages) expect(manifest.graphs[stage]!.externalData).toEqual([whole.externalData[stages.indexOf(stage)]]);

  const files = modelFiles(manifest, MANIFEST_URL);
  const urls = files.map((f) => f.url);
  expect(new Set(urls).size).toBe(urls.length);
  // The store downloads the weights once; they are common to both backends' parts.
  const parts = Object.fromEntries(modelParts(manifest, files, MANIFEST_URL).map((p) => [p.id, p.files.map((f) => f.url.split('/').at(-1))]));
  expect(parts['common']).toEqual(expect.arrayContaining(stages.map((g) => `${g}.weights`)));
  expect(parts['wasm']).toEqual(['denoiser.onnx']);
  expect(parts['webgpu']).toEqual(stages.map((g) => `${g}.onnx`));
  expect(files.reduce((n, f) => n + f.bytes, 0)).toBe(manifest.memory.weightsBytes + manifest.tokenizer.bytes);
});

test('the manifest says what the WebGPU path binds and records how it was made', () => {
  // The largest binding: the MLP's dequantized float32 weight (64 x 192).
  expect(manifest.requires.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(4 * 64 * 192);
  expect(json['synthetic']).toMatchObject({ generator: 'python -m lantern.synthetic_large', config: { dim: 64, depth: 2, heads: 2, mlpHidden: 192 } });
});
