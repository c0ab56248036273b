// The built-in model's first visit (issue 16: download only what the
// backend needs first), in Chromium with real IndexedDB, the model store's
// worker and the engine's worker against real HTTP (test/support/model-server.ts
// serves lantern-tiny, counted, with faults): the page's firstLoad
// (src/state/models-state.ts) stores the common part and the loaded
// backend's graphs before any byte of the other backend's is asked for; the
// rest follows in the background and completes the model; a background
// download cut off fails loudly, leaves the loaded model working and
// resumes on the next visit; switching backend offline names the missing
// part, and works once it is stored. And the store's add with `parts`.
import * as Comlink from 'comlink';
import { describe, expect, test } from 'vitest';
import { EngineClient } from '../src/engine-client';
import { whenEngineIdle } from '../src/engine-idle';
import { connectModelStore } from '../src/model-store-client';
import { createModelsStore } from '../src/state/models-state';
import type { Generator } from '../workers/contracts/generator';
import type { ModelPartId, StoredModel, StoreProgress } from '../workers/contracts/model-store';
import { parseManifest } from '../workers/model-files/manifest';
import { modelFiles } from '../workers/model-store/files';
import { modelParts } from '../workers/model-store/parts';
import { createModelStore } from '../workers/model-store/store';
import { type TestServer, testServer } from './support/model-server-client';
import { rejection } from './support/rejection';

const WAIT = { timeout: 60_000, interval: 100 };

/** The built-in model on a fresh server token, its files as server paths by part, and a page's two workers. */
async function firstVisit() {
  const server = testServer();
  const url = server.tiny();
  const manifest = parseManifest(await (await fetch(url)).json());
  const paths = new Map<ModelPartId, string[]>(
    modelParts(manifest, modelFiles(manifest, url), url).map((p) => [
      p.id,
      p.files.map((f) => new URL(f.url).pathname.replace(/^\/__lantern-test\/[^/]+\//, '')),
    ]),
  );
  return { server, url, paths, ...visit() };
}

/** One visit of the page: the model store's worker, the models screen's store and the engine's worker. */
function visit() {
  const store = connectModelStore();
  const models = createModelsStore(store);
  const worker = new Worker(new URL('../workers/engine/engine.worker.ts', import.meta.url), { type: 'module' });
  const engine = Comlink.wrap<Generator>(worker);
  return {
    store,
    models,
    engine,
    close() {
      worker.terminate();
      store.terminate();
    },
  };
}

const requested = (counts: Record<string, number>) => Object.keys(counts).sort();
const since = (before: Record<string, number>, after: Record<string, number>) =>
  Object.entries(after).flatMap(([path, n]) => Array<string>(n - (before[path] ?? 0)).fill(path));
const partStates = (model: StoredModel | undefined) => Object.fromEntries((model?.parts ?? []).map((p) => [p.id, `${p.storedFiles}/${p.files}`]));
const listed = async (v: { store: { list(): Promise<StoredModel[]> } }, url: string) => (await v.store.list()).find((m) => m.manifestUrl === url);

async function cleanUp(server: TestServer, url: string): Promise<void> {
  await server.control('down=0&failAfter=off&release=1');
  const store = connectModelStore();
  await store.remove(url);
  store.terminate();
}

describe('first visit', () => {
  test("the loaded backend's parts are stored before any byte of the other backend's is asked for; the rest follows in the background and completes the model", async () => {
    const v = await firstVisit();
    const [common, wasm, webgpu] = [v.paths.get('common')!, v.paths.get('wasm')!, v.paths.get('webgpu')!];
    expect(webgpu.length).toBeGreaterThan(1);
    // The background download waits on the other part's first file, so the test can look while it is asked for.
    await v.server.control(`hold=${webgpu[0]!.split('/').at(-1)}`);
    try {
      // The background also waits for the test's word, so none of its requests can land among the load's.
      let startBackground!: () => void;
      const backgroundMayStart = new Promise<void>((resolve) => {
        startBackground = resolve;
      });
      const info = await v.models.actions.firstLoad(v.url, () => v.engine.load({ manifestUrl: v.url, backend: 'wasm' }), { idle: () => backgroundMayStart });
      expect(info.backend.backend).toBe('wasm');

      // Ready: the manifest, the common part and the WASM denoiser asked for once each, nothing of WebGPU's, and stored.
      const atReady = await v.server.requests();
      expect(requested(atReady)).toEqual(['tiny/model.json', ...common, ...wasm].sort());
      expect(Object.entries(atReady).filter(([path, n]) => path !== 'tiny/model.json' && n !== 1)).toEqual([]);
      const ready = await listed(v, v.url);
      expect(ready?.state).toBe('partial');
      expect(partStates(ready)).toEqual({ common: `${common.length}/${common.length}`, wasm: '1/1', webgpu: `0/${webgpu.length}` });

      // Then the rest, in the background: its first file asked for, its part's progress reported.
      startBackground();
      await expect.poll(async () => (await v.server.requests())[webgpu[0]!] ?? 0, WAIT).toBe(1);
      expect(v.models.state.tasks[v.url]?.kind).toBe('background');
      await expect.poll(() => v.models.state.tasks[v.url]?.progress?.phase, WAIT).toBe('download');
      const progress = v.models.state.tasks[v.url]!.progress!;
      expect(progress.phase === 'download' && progress.parts.map((p) => [p.id, p.doneBytes])).toEqual([['webgpu', 0]]);

      await v.server.control('release=1');
      await expect.poll(() => v.models.state.tasks[v.url], WAIT).toBeUndefined();
      expect(v.models.state.outcomes[v.url]).toMatchObject({ kind: 'added', fetchedFiles: webgpu.length });
      const done = v.models.state.models.find((m) => m.manifestUrl === v.url);
      expect(done?.state).toBe('complete');
      expect(partStates(done)).toEqual({ common: `${common.length}/${common.length}`, wasm: '1/1', webgpu: `${webgpu.length}/${webgpu.length}` });
      // Every file once; the manifest three times: this test's own read, the record, and the background add (which brings
      // the model up to the server's manifest).
      const after = await v.server.requests();
      expect(requested(after)).toEqual(['tiny/model.json', ...common, ...wasm, ...webgpu].sort());
      expect(Object.entries(after).filter(([path, n]) => n !== (path === 'tiny/model.json' ? 3 : 1))).toEqual([]);
    } finally {
      v.close();
      await cleanUp(v.server, v.url);
    }
  });

  test('a background download cut off is a named failure, logged; the loaded model still generates; the next visit fetches nothing it has and finishes the rest', async () => {
    const v = await firstVisit();
    const webgpu = v.paths.get('webgpu')!;
    const warnings: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      warnings.push(args);
      warn(...args);
    };
    try {
      // The engine's load asks for the first part; the server then dies after three files of the background download.
      await v.models.actions.prepare(v.url);
      await v.engine.load({ manifestUrl: v.url, backend: 'wasm' });
      await v.server.control('failAfter=3');
      await v.models.actions.completeInBackground(v.url);
      expect(v.models.state.outcomes[v.url]).toMatchObject({ kind: 'failed', action: 'background', error: { name: 'ModelFileError' } });
      expect(warnings.some((w) => String(w[0]).includes(`storing the rest of model ${v.url} failed`))).toBe(true);
      const cut = await listed(v, v.url);
      expect(partStates(cut)['webgpu']).toBe(`3/${webgpu.length}`);
      expect(partStates(cut)['wasm']).toBe('1/1');
      const clip = await v.engine.generate({ prompt: 'a red ball bounces on a meadow', seed: 3, steps: 1, previewEvery: 0 });
      expect(clip.frames.length).toBeGreaterThan(0);
    } finally {
      console.warn = warn;
      v.close();
    }

    // The next visit: the load reads IndexedDB; the background asks for the manifest and the files still missing, once each.
    await v.server.control('failAfter=off');
    const next = visit();
    try {
      const before = await v.server.requests();
      // The background waits for the test's word, so its requests cannot land in the load's (they start at once otherwise).
      let startBackground!: () => void;
      const backgroundMayStart = new Promise<void>((resolve) => {
        startBackground = resolve;
      });
      await next.models.actions.firstLoad(v.url, () => next.engine.load({ manifestUrl: v.url, backend: 'wasm' }), { idle: () => backgroundMayStart });
      expect(since(before, await v.server.requests()), 'requests of the load').toEqual([]);
      startBackground();
      await expect.poll(() => next.models.state.models.find((m) => m.manifestUrl === v.url)?.state, WAIT).toBe('complete');
      expect(since(before, await v.server.requests()).sort()).toEqual(['tiny/model.json', ...webgpu.slice(3)].sort());
    } finally {
      next.close();
      await cleanUp(v.server, v.url);
    }
  });

  test('switching backend offline: before the other part is stored, a ModelUnavailableOfflineError naming that part; once it is, WebGPU loads with no request, and WASM again', async () => {
    const v = await firstVisit();
    const webgpu = v.paths.get('webgpu')!;
    await v.server.control(`hold=${webgpu[0]!.split('/').at(-1)}`);
    try {
      await v.models.actions.firstLoad(v.url, () => v.engine.load({ manifestUrl: v.url, backend: 'wasm' }));
      // The Models screen's Cancel stops the background download: canceled, what was stored is kept.
      await expect.poll(() => v.models.state.tasks[v.url]?.kind, WAIT).toBe('background');
      await v.models.actions.cancel(v.url);
      await expect.poll(() => v.models.state.outcomes[v.url]?.kind, WAIT).toBe('canceled');
      expect(partStates(await listed(v, v.url))).toMatchObject({ wasm: '1/1', webgpu: `0/${webgpu.length}` });

      await v.server.control('down=1');
      const error = await rejection(v.engine.load({ manifestUrl: v.url, backend: 'webgpu' }));
      expect(error.name).toBe('ModelUnavailableOfflineError');
      expect(error.message).toContain(
        `Model ${v.url} is only partly stored in this browser: the WebGPU backend's graphs (dit_text_kv, dit_stage_00 and 14 more) are not stored yet`,
      );
      expect(error.message).toMatch(/its file \S+\/dit_\w+\.onnx is missing/);

      await v.server.control('down=0&release=1');
      await v.models.actions.completeInBackground(v.url);
      expect(v.models.state.models.find((m) => m.manifestUrl === v.url)?.state).toBe('complete');
      await v.server.control('down=1');
      const before = await v.server.requests();
      expect((await v.engine.load({ manifestUrl: v.url, backend: 'webgpu' })).backend.backend).toBe('webgpu');
      expect((await v.engine.load({ manifestUrl: v.url, backend: 'wasm' })).backend.backend).toBe('wasm');
      expect(since(before, await v.server.requests()), 'requests while switching offline').toEqual([]);
    } finally {
      v.close();
      await cleanUp(v.server, v.url);
    }
  }, 300_000);
});

describe("the page's idle gate", () => {
  test('a clip started as soon as the model is ready runs with no background download beside it; the download starts after it', async () => {
    const server = testServer();
    const url = server.tiny();
    const store = connectModelStore();
    const models = createModelsStore(store);
    const client = new EngineClient();
    // For every engine event of the generation: was the background download running?
    const beside: boolean[] = [];
    const stop = client.subscribe(() => {
      if (client.state.status === 'generating') beside.push(models.state.tasks[url] !== undefined);
    });
    try {
      await models.actions.firstLoad(url, () => client.load({ manifestUrl: url, backend: 'wasm' }), { idle: () => whenEngineIdle(client) });
      await client.generate({ prompt: 'a red ball bounces on a meadow', seed: 3, steps: 1, previewEvery: 0 });
      expect(beside.length).toBeGreaterThan(0);
      expect(beside.every((running) => !running)).toBe(true);
      await expect.poll(() => models.state.models.find((m) => m.manifestUrl === url)?.state, WAIT).toBe('complete');
      expect(models.state.outcomes[url]).toMatchObject({ kind: 'added' });
    } finally {
      stop();
      client.dispose();
      await store.remove(url);
      store.terminate();
    }
  });
});

describe("the store's add with parts", () => {
  test('downloads only the parts asked for, with progress over them; a later add without parts fetches the rest and completes the model', async () => {
    const server = testServer();
    const url = server.tiny();
    const store = createModelStore({ dbName: `lantern-store-test-${crypto.randomUUID()}` });
    const events: StoreProgress[] = [];
    const first = await store.add(url, (p) => events.push(p), { parts: ['common', 'wasm'] });
    const [common, wasm, webgpu] = (['common', 'wasm', 'webgpu'] as const).map((id) => first.model.parts.find((p) => p.id === id)!);
    expect(first.model.state).toBe('partial');
    expect(first.fetchedFiles).toBe(common!.files + wasm!.files);
    expect(partStates(first.model)).toEqual({ common: `${common!.files}/${common!.files}`, wasm: '1/1', webgpu: `0/${webgpu!.files}` });
    const downloads = events.filter((e) => e.phase === 'download');
    expect(downloads.at(-1)).toMatchObject({ doneBytes: common!.totalBytes + wasm!.totalBytes, totalBytes: common!.totalBytes + wasm!.totalBytes });
    expect(downloads.at(-1)!.phase === 'download' && downloads.at(-1)!.parts).toEqual([
      { id: 'common', doneBytes: common!.totalBytes, totalBytes: common!.totalBytes },
      { id: 'wasm', doneBytes: wasm!.totalBytes, totalBytes: wasm!.totalBytes },
    ]);
    for (const [i, e] of downloads.entries()) if (i > 0) expect(e.doneBytes).toBeGreaterThanOrEqual(downloads[i - 1]!.doneBytes);

    const rest = await store.add(url);
    expect(rest.fetchedFiles).toBe(webgpu!.files);
    expect(rest.model.state).toBe('complete');
    expect(Object.values(await server.requests()).filter((n) => n !== 1)).toEqual([2]); // the manifest, once per add
    await store.remove(url);
  });

  test('adding no parts still checks the room for the whole model: a model that cannot fit is a StorageQuotaError before any file is fetched', async () => {
    const server = testServer();
    const url = server.huge(400);
    const store = createModelStore({ dbName: `lantern-store-test-${crypto.randomUUID()}` });
    const error = await rejection(store.add(url, undefined, { parts: [] }));
    expect(error.name).toBe('StorageQuotaError');
    expect(error.message).toMatch(/Model 'huge-400' needs 53687 MB more storage/);
    expect(Object.keys(await server.requests())).toEqual(['huge/400/model.json']);
  });
});
