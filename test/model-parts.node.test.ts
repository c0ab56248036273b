// A model's parts by backend (workers/model-store/parts.ts), derived from
// the manifest with the engine's graphsFor: the built-in model's common,
// WASM and WebGPU parts; any manifest's (a plan that runs the whole graph,
// a graph no backend runs, a file two parts share); the words the offline
// error and the models screen give them.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { describePartView, partLabel, partView } from '../src/models/words';
import { BACKENDS } from '../workers/contracts/generator';
import type { ModelPart, StoreProgress } from '../workers/contracts/model-store';
import { graphsFor } from '../workers/model-files/backend-graphs';
import { parseManifest } from '../workers/model-files/manifest';
import { modelFiles, totalBytes } from '../workers/model-store/files';
import { describePart, modelParts, partFileUrls } from '../workers/model-store/parts';
import { SMOKE_SHA, validManifest } from './support/valid-manifest';

const MiB = 2 ** 20;
const MANIFEST_URL = 'https://example.test/models/m.json';
const tiny = parseManifest(JSON.parse(readFileSync(new URL('../models-manifest/lantern-tiny.json', import.meta.url), 'utf8')));

function partsOf(raw: Record<string, unknown>) {
  const manifest = parseManifest(JSON.parse(JSON.stringify(raw)));
  const files = modelFiles(manifest, MANIFEST_URL);
  return { manifest, files, parts: modelParts(manifest, files, MANIFEST_URL) };
}

/** validManifest with a file of its own per graph (the support manifest gives every graph one shared URL). */
function distinctFiles(): Record<string, any> {
  const m = validManifest();
  for (const [name, graph] of Object.entries(m['graphs'] as Record<string, any>)) graph.shards = [{ url: `m/${name}.onnx`, bytes: 10, sha256: SMOKE_SHA }];
  return m;
}

describe('the built-in model', () => {
  const files = modelFiles(tiny, MANIFEST_URL);
  const parts = modelParts(tiny, files, MANIFEST_URL);

  test('common, then each backend, every file in exactly one part, the bytes adding up', () => {
    expect(parts.map((p) => p.id)).toEqual(['common', 'webgpu', 'wasm']);
    const urls = parts.flatMap((p) => p.files.map((f) => f.url));
    expect(new Set(urls).size).toBe(urls.length);
    expect(urls.sort()).toEqual(files.map((f) => f.url).sort());
    expect(parts.reduce((sum, p) => sum + totalBytes(p.files), 0)).toBe(totalBytes(files));
  });

  test('the parts follow graphsFor: common is what both backends run, each backend part what only it runs', () => {
    const [wasm, webgpu] = [new Set(graphsFor(tiny, 'wasm')), new Set(graphsFor(tiny, 'webgpu'))];
    const byId = Object.fromEntries(parts.map((p) => [p.id, p.graphs]));
    expect(new Set(byId['common'])).toEqual(new Set([...wasm].filter((g) => webgpu.has(g))));
    expect(byId['wasm']).toEqual([tiny.denoiser.wholeGraph]);
    expect(new Set(byId['webgpu'])).toEqual(new Set([...webgpu].filter((g) => !wasm.has(g))));
    expect(byId['common']).toEqual(['text_encoder', 'encoder', 'decoder']);
    expect(byId['webgpu']).toHaveLength(16);
    // The tokenizer is common: every backend reads it.
    expect(parts[0]!.files[0]!.field).toBe('tokenizer');
  });

  test("a backend's files are the common part and its own", () => {
    for (const backend of BACKENDS) {
      const urls = partFileUrls(parts, ['common', backend]);
      const graphs = new Set(graphsFor(tiny, backend));
      const needed = files.filter((f) => f.field === 'tokenizer' || graphs.has(f.field.split('.')[1]!));
      expect([...urls].sort()).toEqual(needed.map((f) => f.url).sort());
    }
  });
});

describe('any manifest', () => {
  test('a plan that runs the whole graph: everything is common', () => {
    const m = distinctFiles();
    m['denoiser'].plan = [{ op: 'run', graph: 'denoiser', inputs: { x_in: 'x_in', t: 't', text: 'text' }, outputs: { v_out: 'v_out' } }];
    const { parts } = partsOf(m);
    expect(parts.map((p) => p.id)).toEqual(['common', 'other']);
    expect(parts[0]!.graphs).toEqual(['text_encoder', 'decoder', 'encoder', 'denoiser']);
    // The stage graphs the plan no longer runs are named by no backend.
    expect(parts[1]!.graphs).toEqual(['dit_text_kv', 'dit_stage_00', 'dit_stage_01', 'dit_stage_02']);
  });

  test('without frame conditioning the encoder is run by no backend', () => {
    const m = distinctFiles();
    delete m['conditioning'];
    const { parts } = partsOf(m);
    expect(parts.find((p) => p.id === 'other')?.graphs).toEqual(['encoder']);
    expect(parts.find((p) => p.id === 'common')?.graphs).toEqual(['text_encoder', 'decoder']);
  });

  test('a file the whole graph and a stage graph share is common; one URL is one file', () => {
    const m = distinctFiles();
    m['graphs'].dit_stage_01.shards = [{ url: 'm/denoiser.onnx', bytes: 10, sha256: SMOKE_SHA }];
    const { parts, files } = partsOf(m);
    const shared = files.find((f) => f.url.endsWith('/m/denoiser.onnx'))!;
    expect(parts.find((p) => p.id === 'common')!.files).toContain(shared);
    // The graphs stay where their backends put them; the file goes where both need it.
    expect(parts.find((p) => p.id === 'wasm')).toBeUndefined();
    expect(parts.find((p) => p.id === 'webgpu')!.graphs).toContain('dit_stage_01');
  });
});

describe('words', () => {
  const parts = modelParts(tiny, modelFiles(tiny, MANIFEST_URL), MANIFEST_URL);

  test('the offline error names a part by its backend and graphs', () => {
    expect(describePart(parts.find((p) => p.id === 'webgpu')!)).toBe("the WebGPU backend's graphs (dit_text_kv, dit_stage_00 and 14 more)");
    expect(describePart(parts.find((p) => p.id === 'wasm')!)).toBe("the WASM backend's graphs (denoiser)");
    expect(describePart(parts.find((p) => p.id === 'common')!)).toBe('the graphs every backend needs (text_encoder, encoder, decoder and the tokenizer)');
  });

  test('the models screen: labels, and stored / downloading / partly stored / not stored', () => {
    const part: ModelPart = { id: 'webgpu', graphs: ['a'], totalBytes: 10 * MiB, storedBytes: 0, files: 4, storedFiles: 0 };
    expect(partLabel({ id: 'common', graphs: ['text_encoder', 'decoder'] })).toBe('Common (text encoder, decoder, tokenizer)');
    expect(partLabel(part)).toBe('WebGPU stage graphs');
    expect(describePartView(partView(part, null))).toBe('not stored (10.0 MB)');
    const progress = (doneBytes: number): StoreProgress => ({
      phase: 'download',
      doneBytes,
      totalBytes: 30 * MiB,
      doneFiles: 0,
      files: 9,
      bytesPerSecond: 0,
      etaSeconds: null,
      parts: [{ id: 'webgpu', doneBytes, totalBytes: 10 * MiB }],
    });
    expect(partView(part, progress(4 * MiB))).toEqual({ state: 'downloading', doneBytes: 4 * MiB, totalBytes: 10 * MiB });
    expect(describePartView(partView(part, progress(4 * MiB)))).toBe('downloading 40% of 10.0 MB');
    // Arrived in this download, before the list is read again.
    expect(describePartView(partView(part, progress(10 * MiB)))).toBe('stored, 10.0 MB');
    expect(describePartView(partView({ ...part, storedFiles: 1, storedBytes: 2.5 * MiB }, null))).toBe('partly stored, 2.5 MB of 10.0 MB');
    expect(describePartView(partView({ ...part, storedFiles: 4, storedBytes: 10 * MiB }, null))).toBe('stored, 10.0 MB');
  });
});
