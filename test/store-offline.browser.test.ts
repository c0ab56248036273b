// The model store with the network down, in Chromium against real HTTP
// (test/support/model-server.ts: `down=1` cuts every request off unanswered,
// so fetch rejects as it does offline), real IndexedDB and the engine's real
// worker: a stored model's manifest comes from the store, so it loads without
// a request; a model not stored, or a missing file of a partly stored one,
// is a ModelUnavailableOfflineError saying so. Also `inspect`: a manifest
// checked against the device and the quota before anything is downloaded.
import * as Comlink from 'comlink';
import { openDB } from 'idb';
import { describe, expect, test } from 'vitest';
import { connectModelStore } from '../src/model-store-client';
import type { Generator } from '../workers/contracts/generator';
import { fetchModelFiles } from '../workers/model-files/load';
import { deviceFacts, fitConcerns } from '../workers/model-store/inspect';
import type { StorageArea } from '../workers/model-store/quota';
import { createStoreManifestSource, createStoreSource } from '../workers/model-store/source';
import { createModelStore } from '../workers/model-store/store';
import { shardPath, testServer } from './support/model-server-client';
import { rejection } from './support/rejection';

const KiB = 1024;
const GiB = 2 ** 30;
const TOKENIZER_BYTES = 1000;
const freshDb = () => `lantern-store-test-${crypto.randomUUID()}`;

/** Paths requested since `before`. */
function since(before: Record<string, number>, after: Record<string, number>): string[] {
  return Object.entries(after)
    .filter(([path, n]) => n !== (before[path] ?? 0))
    .map(([path]) => path);
}

describe('the network down', () => {
  test("the engine's worker loads a stored model with no request (manifest and files from IndexedDB); a model not stored is a ModelUnavailableOfflineError naming it", async () => {
    const server = testServer();
    const url = server.tiny();
    const store = connectModelStore();
    const worker = new Worker(new URL('../workers/engine/engine.worker.ts', import.meta.url), { type: 'module' });
    try {
      expect((await store.add(url)).model.state).toBe('complete');
      await server.control('down=1');
      const probe = await fetch(url).then(
        () => 'answered',
        (e: Error) => e.name,
      );
      expect(probe, 'the server is really down').toBe('TypeError');
      const before = await server.requests();

      const engine = Comlink.wrap<Generator>(worker);
      const info = await engine.load({ manifestUrl: url, backend: 'wasm' });
      expect(info).toMatchObject({ id: 'lantern-tiny', backend: { backend: 'wasm' } });
      expect(since(before, await server.requests()), 'requests while loading the stored model').toEqual([]);

      const other = server.syn(20, 2, 64 * KiB);
      const error = await rejection(engine.load({ manifestUrl: other, backend: 'wasm' }));
      expect(error.name).toBe('ModelUnavailableOfflineError');
      expect(error.message).toContain(`Model ${other} is not stored in this browser`);
      expect(error.message).toContain('Models screen');
    } finally {
      await server.control('down=0');
      await store.remove(url);
      worker.terminate();
      store.terminate();
    }
  });

  test('a partly stored model: the manifest comes from the store, and its missing file is a ModelUnavailableOfflineError naming the file', async () => {
    const server = testServer();
    const url = server.syn(21, 3, 64 * KiB);
    const dbName = freshDb();
    await createModelStore({ dbName }).add(url);
    // Drop shard 1 (its record and bytes), as an interrupted download leaves it.
    const missing = new URL(shardPath(url, 'weights.bin', 1).replace(/^.*\//, ''), url).href;
    const db = await openDB(dbName);
    await db.delete('files', [url, missing]);
    await db.delete('chunks', [url, missing]);
    db.close();

    await server.control('down=1');
    try {
      const before = await server.requests();
      const manifest = await createStoreManifestSource({ dbName })(url);
      expect(manifest.id).toBe('syn-21-3');
      expect(since(before, await server.requests()), 'the manifest came from the store').toEqual([]);

      const error = await rejection(fetchModelFiles(manifest, url, ['weights'], { source: createStoreSource({ dbName, retries: 0 }) }));
      expect(error.name).toBe('ModelUnavailableOfflineError');
      expect(error.message).toContain(`its file ${missing} is missing`);
      // The stored shards were read from IndexedDB; only the missing one was asked for.
      expect(since(before, await server.requests())).toEqual([shardPath(url, 'weights.bin', 1)]);
    } finally {
      await server.control('down=0');
    }
    // With the network back the same load completes (the missing shard is fetched and stored).
    const files = await fetchModelFiles(await createStoreManifestSource({ dbName })(url), url, ['weights'], { source: createStoreSource({ dbName }) });
    expect(files.graphs.get('weights')!.length).toBe(3 * 64 * KiB);
    expect((await createModelStore({ dbName }).list())[0]).toMatchObject({ state: 'complete', storedFiles: 4 });
  });
});

describe('inspect: a manifest checked before downloading', () => {
  test('reports size, files and what is stored, fetching only the manifest; a bad URL or manifest is a named error', async () => {
    const server = testServer();
    const url = server.syn(22, 3, 64 * KiB);
    const dbName = freshDb();
    const store = createModelStore({ dbName });

    const check = await store.inspect(url);
    expect(check).toMatchObject({
      manifestUrl: url,
      id: 'syn-22-3',
      totalBytes: TOKENIZER_BYTES + 3 * 64 * KiB,
      missingBytes: TOKENIZER_BYTES + 3 * 64 * KiB,
      files: 4,
      stored: null,
      recommendedMemoryBytes: 8192,
    });
    expect(check.concerns, 'a tiny model fits').toEqual([]);
    expect(Object.keys(await server.requests())).toEqual([shardPath(url, 'model.json', null)]);
    expect(await store.list()).toEqual([]);

    await store.add(url);
    expect(await store.inspect(url)).toMatchObject({ stored: 'complete', missingBytes: 0 });

    const scheme = await rejection(store.inspect('javascript:alert(1)'));
    expect(scheme.name).toBe('InvalidRequestError');
    expect(scheme.message).toBe(
      "The manifest URL 'javascript:alert(1)' has scheme 'javascript:'; it must be an absolute URL starting with 'https://' or 'http://', or a path on this site such as /models/lantern-tiny.json.",
    );
    // The server's request log is JSON but no manifest.
    const notManifest = await rejection(store.inspect(new URL('requests', url.replace(/syn\/.*$/, '')).href));
    expect(notManifest.name).toBe('ManifestError');
    expect(notManifest.message).toMatch(/^Invalid model manifest: format /);
    const missing = await rejection(store.inspect(new URL('nothing-here/model.json', url).href));
    expect(missing.name).toBe('ModelFileError');
  });

  test('concerns: memory beyond navigator.deviceMemory, a WebGPU binding beyond the adapter, and more to download than the free quota', async () => {
    const server = testServer();
    const url = server.syn(23, 2, 64 * KiB);
    const manifest = await createStoreManifestSource({ dbName: freshDb() })(url);
    const device = await deviceFacts();
    // Chromium reports deviceMemory (rounded, at most 8 GiB) and, with --enable-unsafe-webgpu, an adapter.
    expect(device.memoryBytes).toBeGreaterThan(0);
    expect(device.gpu?.maxStorageBufferBindingSize).toBeGreaterThan(0);
    const big = {
      ...manifest,
      memory: { ...manifest.memory, recommendedBytes: 64 * GiB },
      requires: { webgpuFeatures: ['no-such-feature'], maxStorageBufferBindingSize: 2 ** 40 },
    };
    // A Chromium storage bucket with a quota of 1 MiB: its estimate() is the real one.
    const buckets = (navigator as unknown as { storageBuckets: { open(name: string, options: { quota: number }): Promise<StorageArea> } }).storageBuckets;
    const bucket = await buckets.open(`lantern-test-${Math.floor(Math.random() * 1e9)}`, { quota: 1024 * KiB });
    const concerns = await fitConcerns(big, device, bucket, 5 * 1024 * KiB);
    expect(concerns.slice(0, 2)).toEqual([
      { kind: 'memory', neededBytes: 64 * GiB, deviceBytes: device.memoryBytes },
      { kind: 'gpu', missingFeatures: ['no-such-feature'], neededBindingBytes: 2 ** 40, adapterBindingBytes: device.gpu!.maxStorageBufferBindingSize },
    ]);
    expect(concerns[2]).toMatchObject({ kind: 'quota', neededBytes: 5 * 1024 * KiB });
    expect((concerns[2] as { freeBytes: number }).freeBytes).toBeLessThanOrEqual(1024 * KiB);
    expect(concerns).toHaveLength(3);
    expect(await fitConcerns(manifest, device, bucket, 64 * KiB)).toEqual([]);
  });
});
