// When the engine dequantizes the weights once at load (fold-weights.ts):
// on WebGPU for a model whose graphs fit FOLD_WEIGHTS_MAX_BYTES, external
// data counted; never on WASM; never for a model of hundreds of MB.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { FOLD_WEIGHTS_MAX_BYTES, foldsWeights } from '../workers/engine/fold-weights';
import { graphsFor } from '../workers/model-files/backend-graphs';
import type { ModelFiles } from '../workers/model-files/load';
import { parseManifest } from '../workers/model-files/manifest';

const tiny = parseManifest(JSON.parse(readFileSync(new URL('../models-manifest/lantern-tiny.json', import.meta.url), 'utf8')));

/** Files for every graph of the manifest, `bytes` each, plus external data per graph. */
function files(bytes: number, externalBytes = 0): ModelFiles {
  const graphs = new Map<string, Uint8Array>();
  const externalData = new Map<string, { path: string; data: Uint8Array }[]>();
  for (const name of Object.keys(tiny.graphs)) {
    graphs.set(name, new Uint8Array(bytes));
    if (externalBytes > 0) externalData.set(name, [{ path: `${name}.data`, data: new Uint8Array(externalBytes) }]);
  }
  return { tokenizerJson: {}, graphs, externalData };
}

describe('foldsWeights', () => {
  test('folds the built-in model on WebGPU and never on WASM', () => {
    expect(foldsWeights(tiny, files(1000), 'webgpu')).toBe(true);
    expect(foldsWeights(tiny, files(1000), 'wasm')).toBe(false);
  });

  test('counts every graph the backend loads, external data included, against the limit', () => {
    const count = graphsFor(tiny, 'webgpu').length;
    const atLimit = Math.floor(FOLD_WEIGHTS_MAX_BYTES / count);
    expect(foldsWeights(tiny, files(atLimit), 'webgpu')).toBe(true);
    expect(foldsWeights(tiny, files(atLimit + 1), 'webgpu')).toBe(false);
    expect(foldsWeights(tiny, files(1000, atLimit), 'webgpu')).toBe(false);
  });

  test('a graph the WebGPU backend does not load does not count', () => {
    const big = files(1000);
    big.graphs.set(tiny.denoiser.wholeGraph, new Uint8Array(FOLD_WEIGHTS_MAX_BYTES + 1));
    expect(graphsFor(tiny, 'webgpu')).not.toContain(tiny.denoiser.wholeGraph);
    expect(foldsWeights(tiny, big, 'webgpu')).toBe(true);
  });
});
