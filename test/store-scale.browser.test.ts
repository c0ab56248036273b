// Scale: a real ONNX model of at least 300 MB (random float32 weights made
// by the test server at test time, nothing committed) goes from the local
// server through the store's worker into IndexedDB, verified shard by
// shard, and an onnxruntime-web session is created from the stored shards
// and returns the weights the server made. The external-data layout (the
// path a graph of more than 2 GiB takes) runs at a smaller size here.
//
// The same with 2.5 GB (external data, since one .onnx cannot reach 2 GiB; a
// disk-backed profile, since Playwright's default in-memory one refused more
// than about 1.3 GB of IndexedDB Blobs):
//   LANTERN_BROWSER_PROFILE=/tmp/lantern-profile LANTERN_SCALE_MIB=2600 LANTERN_SCALE_LAYOUT=external \
//     npx vitest run --project browser test/store-scale.browser.test.ts -t 'at least 300 MB'
// Measured once (2026-11-26, this 2-core machine, shared): 2726 MB in 23 files, download + verify +
// store 83 s, read back + re-hash 30 s, wasm session 28 s, Gather outputs equal to the weights made.
import { describe, expect, test } from 'vitest';
import { connectModelStore } from '../src/model-store-client';
import type { StoreProgress } from '../workers/contracts/model-store';
import { createSession, ort } from '../workers/engine/ort';
import { fetchManifest, fetchModelFiles } from '../workers/model-files/load';
import { createStoreSource } from '../workers/model-store/source';
import { createModelStore } from '../workers/model-store/store';
import { testServer } from './support/model-server-client';
import { readStoredGraph } from './support/stored-graph';
import { weightValue } from './support/synthetic-model';

const MiB = 2 ** 20;

type ScaleConfig = { mib: number; layout: 'inline' | 'external' };

/** Adds the model through the store's worker, creates a session from the stored shards, and checks values against the generator. */
async function roundTrip(seed: number, mib: number, layout: ScaleConfig['layout'], shardMiB: number) {
  const server = testServer();
  const url = server.onnx(seed, mib, layout, shardMiB);
  const store = connectModelStore();
  try {
    const events: StoreProgress[] = [];
    const t0 = performance.now();
    const added = await store.add(url, (p) => events.push(p));
    const tStored = performance.now();
    const graph = await readStoredGraph(url, 'weights');
    const tRead = performance.now();
    const session = await createSession('weights', graph.model, { backend: 'wasm' }, { externalData: graph.externalData });
    const tSession = performance.now();

    const tensors = layout === 'inline' ? [(mib * MiB) / 4] : graph.externalData.map((f) => f.data.length / 4);
    const longest = Math.min(...tensors);
    const idx = [0, 1, 12345, longest - 1];
    const outputs = await session.run({ idx: new ort.Tensor('int64', BigInt64Array.from(idx, BigInt), [idx.length]) });
    tensors.forEach((_, j) => {
      const y = outputs[`y${j}`]!.data as Float32Array;
      expect([...y], `y${j}`).toEqual(idx.map((i) => weightValue(seed, j, i)));
    });
    await session.release();

    const requests = await server.requests();
    const shardRequests = Object.entries(requests).filter(([path]) => !path.endsWith('model.json'));
    const summary = {
      layout,
      modelMB: +(added.model.totalBytes / 1e6).toFixed(1),
      files: added.model.files,
      downloadAndStoreS: +((tStored - t0) / 1000).toFixed(2),
      readFromStoreS: +((tRead - tStored) / 1000).toFixed(2),
      sessionS: +((tSession - tRead) / 1000).toFixed(2),
    };
    console.log(`store scale: ${JSON.stringify(summary)}`);
    await store.remove(url);
    return { added, events, shardRequests, graph };
  } finally {
    store.terminate();
  }
}

describe('a multi-shard ONNX model through the store', () => {
  test('at least 300 MB: downloads once, verifies, stores in shards of at most 128 MiB, and creates its session from them', async () => {
    const config = (await (await fetch('/__lantern-test/config/config')).json()) as ScaleConfig;
    const { added, events, shardRequests, graph } = await roundTrip(20, config.mib, config.layout, 128);
    expect(added.model.totalBytes).toBeGreaterThanOrEqual(300e6);
    expect(added.model.state).toBe('complete');
    expect(added.fetchedFiles).toBe(added.model.files);
    // One request per file, every file at most one shard (128 MiB).
    expect(shardRequests.length).toBe(added.model.files);
    for (const [path, count] of shardRequests) expect(count, path).toBe(1);
    expect(added.model.files).toBeGreaterThanOrEqual(4);
    const downloads = events.filter((e) => e.phase === 'download');
    expect(downloads.at(-1)).toMatchObject({ doneBytes: added.model.totalBytes });
    expect(graph.model.length + graph.externalData.reduce((n, f) => n + f.data.length, 0)).toBeGreaterThan(300e6);
  }, 600_000);

  test("the engine's loader reads an external-data graph too, from the network and through the store, and its session runs", async () => {
    const server = testServer();
    // 8 MiB of weights in external files of two 1 MiB shards each.
    const url = server.onnx(22, 8, 'external', 1);
    const manifest = await fetchManifest(url);
    const dbName = `lantern-store-test-${crypto.randomUUID()}`;
    await createModelStore({ dbName }).add(url);
    for (const source of [undefined, createStoreSource({ dbName })]) {
      const files = await fetchModelFiles(manifest, url, ['weights'], source === undefined ? {} : { source });
      const external = files.externalData.get('weights')!;
      expect(external.map((f) => [f.path, f.data.length])).toEqual([0, 1, 2, 3].map((j) => [`w-00${j}.bin`, 2 * MiB]));
      const session = await createSession('weights', files.graphs.get('weights')!, { backend: 'wasm' }, { externalData: external });
      const out = await session.run({ idx: new ort.Tensor('int64', BigInt64Array.from([5n]), [1]) });
      expect(out['y3']!.data[0]).toBe(weightValue(22, 3, 5));
      await session.release();
    }
    // The store fetched each file once; the loader's first pass (network) fetched them again; the second (store) none.
    const requests = await server.requests();
    expect(requests['onnx/22/8/external/1/w-002.bin.part1']).toBe(2);
  });

  test('external data: each external file is assembled from its shards and given to onnxruntime as its own piece', async () => {
    const { added, graph } = await roundTrip(21, 96, 'external', 16);
    // 96 MiB of weights in files of two 16 MiB shards: three files, six shards, plus model.onnx and the tokenizer.
    expect(graph.externalData.map((f) => [f.path, f.data.length])).toEqual([
      ['w-000.bin', 32 * MiB],
      ['w-001.bin', 32 * MiB],
      ['w-002.bin', 32 * MiB],
    ]);
    expect(added.model.files).toBe(8);
    expect(graph.model.length).toBeLessThan(4096);
  }, 300_000);
});
