// The models screen and the built-in model's trip through the model store,
// end to end in headless Chromium against the app's dev server: the first
// visit downloads each model file once into IndexedDB (the parts the
// engine's backend runs first, the rest in the background:
// e2e/first-visit.e2e.test.ts); a second visit fetches
// nothing under /models/, the manifest included; Re-verify, Cancel/Resume,
// Delete and Add by manifest URL from the screen. One browser profile for the
// whole file, so the store persists between its tests, which run in order.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser } from '../scripts/browser-session.mjs';
import { formatSize } from '../src/models/words';
import { type ManifestError, parseManifest } from '../workers/model-files/manifest';

const appUrl = inject('appUrl');
const MANIFEST_PATH = '/models/lantern-tiny.json';
const manifestJson = JSON.parse(readFileSync(new URL('../models-manifest/lantern-tiny.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const manifest = parseManifest(manifestJson);
/** Every file the manifest names, as paths on the server: what the store downloads. */
const FILES = [manifest.tokenizer, ...Object.values(manifest.graphs).flatMap((g) => [...g.shards, ...g.externalData.flatMap((f) => f.shards)])].map(
  (f) => new URL(f.url, new URL(MANIFEST_PATH, appUrl)).pathname,
);
const TOTAL_BYTES =
  manifest.tokenizer.bytes + Object.values(manifest.graphs).reduce((sum, g) => sum + g.bytes + g.externalData.reduce((s, f) => s + f.bytes, 0), 0);

let browser: Browser;
let context: BrowserContext;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext();
  page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
});
afterAll(async () => {
  await browser?.close();
});

/** Paths under /models/ that the page and its workers request while `run` runs. */
async function modelRequests(run: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const onRequest = (request: Request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/models/')) seen.push(path);
  };
  page.on('request', onRequest);
  try {
    await run();
  } finally {
    page.off('request', onRequest);
  }
  return seen.sort();
}

async function ready(): Promise<void> {
  await page.waitForFunction(() => window.lantern !== undefined);
  await page.evaluate(() => (window.lantern as NonNullable<Window['lantern']>).ready);
}

/** For polls on what downloads, IndexedDB or the engine change: vitest's default is 1 s, and this machine's two cores are shared. */
const WAIT = { timeout: 30_000 };
const card = (name = manifest.name) => page.getByRole('article', { name });
const once = (paths: string[]) => [...paths].sort();

async function showModels(): Promise<void> {
  await page.getByRole('tab', { name: 'Models' }).click();
  expect(await page.getByRole('tab', { name: 'Models' }).getAttribute('aria-selected')).toBe('true');
}

describe('the built-in model through the model store', () => {
  test("first visit: each model file is downloaded once, into IndexedDB (the engine's backend's parts first, the rest in the background: e2e/first-visit.e2e.test.ts); the models screen lists the model complete with its size", async () => {
    const model = card();
    const requests = await modelRequests(async () => {
      await page.goto(`${appUrl}?backend=wasm`);
      await ready();
      await showModels();
      await expect.poll(() => model.getAttribute('data-state'), WAIT).toBe('complete');
    });
    // The manifest for the model's record and again for the background download; the engine read it from the store.
    expect(requests).toEqual(once([MANIFEST_PATH, MANIFEST_PATH, ...FILES]));
    expect(await page.getByTestId('model-download').count(), 'the download line goes once the model is stored').toBe(0);

    expect(await model.getAttribute('data-total-bytes')).toBe(String(TOTAL_BYTES));
    expect(await model.getAttribute('data-stored-bytes')).toBe(String(TOTAL_BYTES));
    expect(await model.getByTestId('model-size').textContent()).toBe(`${formatSize(TOTAL_BYTES)} in ${FILES.length} files`);
    expect(await model.getByTestId('model-state').textContent()).toBe('Complete · in use');
    const storage = page.getByRole('region', { name: 'Storage' });
    // The browser's own count of this site's storage, now holding the model. Chromium 156 stores
    // IndexedDB values compressed (21.7 MB for the 29.4 MB of int8 graphs), so it can be below the model's bytes.
    const usage = Number(await storage.getAttribute('data-usage-bytes'));
    const estimate = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    expect(usage).toBeGreaterThan(TOTAL_BYTES / 4);
    expect(Math.abs(usage - estimate), `shown ${usage}, estimate() ${estimate}`).toBeLessThan(1024 * 1024);
    expect(Number(await storage.getAttribute('data-quota-bytes'))).toBeGreaterThan(TOTAL_BYTES);
    expect(await storage.textContent()).toMatch(/used of about .* this site may use/);
    // Headless Chromium does not grant persistent storage; the screen says so instead of assuming it.
    expect(await storage.getAttribute('data-persisted')).toBe('false');
    expect(await storage.textContent()).toContain('Not persistent');
  });

  test('second visit: nothing under /models/ is fetched, the manifest included; the model loads from IndexedDB', async () => {
    const requests = await modelRequests(async () => {
      await page.reload();
      await ready();
    });
    expect(requests).toEqual([]);
    expect(await page.getByTestId('backend-status').textContent()).toMatch(/^WASM/);
  });

  test('Re-verify re-hashes every file and reports that all match, fetching nothing', async () => {
    await showModels();
    const model = card();
    const requests = await modelRequests(async () => {
      await model.getByRole('button', { name: 'Re-verify' }).click();
      await model.locator('[data-outcome="verified"]').waitFor({ timeout: 60_000 });
    });
    expect(await model.locator('[data-outcome]').textContent()).toBe('Verified: every file matches its SHA-256.');
    expect(requests).toEqual([]);
    expect(await model.getAttribute('data-state')).toBe('complete');
  });
});

describe('adding a model by manifest URL', () => {
  test('a bad manifest, a bad scheme and a missing file each show their named error, precisely', async () => {
    await showModels();
    const input = page.getByRole('textbox', { name: 'Manifest URL' });
    const error = page.getByTestId('add-model-error');
    /** Checks `url` and returns the error shown for it (its message names the URL, which tells it from the last one). */
    const check = async (url: string): Promise<{ name: string | null; message: string | null }> => {
      await input.fill(url);
      await page.getByRole('button', { name: 'Check' }).click();
      await expect.poll(() => error.locator('.error-message').textContent(), WAIT).toContain(url.replace(/^\//, ''));
      return { name: await error.getAttribute('data-error-name'), message: await error.locator('.error-message').textContent() };
    };

    // package.json is JSON, but no manifest: the validator's own message, word for word.
    let expected = '';
    try {
      parseManifest(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')));
    } catch (e) {
      expected = (e as ManifestError).message;
    }
    expect(expected).toMatch(/^Invalid model manifest: /);
    await input.fill('/package.json');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => error.getAttribute('data-error-name'), WAIT).toBe('ManifestError');
    expect(await error.locator('.error-message').textContent()).toBe(expected);
    expect(await error.textContent()).toMatch(/^This is not a usable model manifest\. /);

    const scheme = await check('javascript:alert(1)');
    expect(scheme).toEqual({
      name: 'InvalidRequestError',
      message:
        "The manifest URL 'javascript:alert(1)' has scheme 'javascript:'; it must be an absolute URL starting with 'https://' or 'http://', or a path on this site such as /models/lantern-tiny.json.",
    });
    const missing = await check('/models/no-such-model.json');
    expect(missing.name).toBe('ModelFileError');
    expect(missing.message).toContain('/models/no-such-model.json');
    expect(missing.message).toContain('The file is missing from the server');
    // Nothing was added.
    expect(await page.getByRole('article').count()).toBe(1);
  });

  test('a manifest needing more memory than the device reports is flagged before anything downloads; Discard adds nothing', async () => {
    const big = structuredClone(manifestJson) as { memory: { recommendedBytes: number } };
    big.memory.recommendedBytes = 60 * 2 ** 30;
    // Served beside the built-in model so its file URLs resolve to the real files (none is fetched here).
    await context.route('**/models/e2e-big.json', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(big) }));
    try {
      await showModels();
      const requests = await modelRequests(async () => {
        await page.getByRole('textbox', { name: 'Manifest URL' }).fill('/models/e2e-big.json');
        await page.getByRole('button', { name: 'Check' }).click();
        await page.getByTestId('add-model-summary').waitFor();
      });
      expect(requests).toEqual(['/models/e2e-big.json']);
      const summary = page.getByTestId('add-model-summary');
      expect((await summary.getAttribute('data-concerns'))?.split(' ')).toContain('memory');
      expect(await summary.locator('[data-concern="memory"]').textContent()).toMatch(
        /^This model recommends 60\.0 GB of memory, but this device reports [\d.]+ [GM]B: it may fail to load or crash the tab\.$/,
      );
      expect(await summary.getByRole('button', { name: 'Download anyway' }).count()).toBe(1);
      await summary.getByRole('button', { name: 'Discard' }).click();
      expect(await page.getByTestId('add-model-summary').count()).toBe(0);
      expect(await page.getByRole('article').count()).toBe(1);
    } finally {
      await context.unroute('**/models/e2e-big.json');
    }
  });

  test('a valid manifest URL: Check, Download (shown as downloading), Cancel download (partial, files kept), Resume (the rest only), then Use', async () => {
    // The same model under a second manifest URL: the store keeps it as its own model.
    const copy = `${MANIFEST_PATH}?copy=1`;
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const held = '**/models/lantern-tiny/dit_stage_03.onnx';
    let heldRequested = false;
    await context.route(held, async (route) => {
      heldRequested = true;
      await released;
      await route.continue().catch(() => undefined); // canceled meanwhile: the request is gone
    });
    try {
      await showModels();
      await page.getByRole('textbox', { name: 'Manifest URL' }).fill(copy);
      await page.getByRole('button', { name: 'Check' }).click();
      const summary = page.getByTestId('add-model-summary');
      await summary.waitFor();
      expect(await summary.getAttribute('data-concerns')).not.toContain('memory');
      expect(await summary.textContent()).toContain(`${formatSize(TOTAL_BYTES)} in ${FILES.length} files`);

      const first = await modelRequests(async () => {
        await summary.getByRole('button', { name: `Download ${formatSize(TOTAL_BYTES)}` }).click();
        await expect.poll(() => page.getByRole('article').count(), WAIT).toBe(2);
        const added = page.locator(`article[data-model-id="lantern-tiny"]`).nth(1);
        await expect.poll(() => added.getAttribute('data-state'), WAIT).toBe('downloading');
        // Held at dit_stage_03: the bytes of the files before it, of the whole model's.
        await expect
          .poll(() => added.locator('.model-progress [role="status"]').textContent(), WAIT)
          .toMatch(new RegExp(`^[\\d.]+ [KM]B of ${formatSize(TOTAL_BYTES).replace('.', '\\.')}`));
        await expect.poll(() => heldRequested, WAIT).toBe(true);
        await added.getByRole('button', { name: 'Cancel download' }).click();
        await expect.poll(() => added.getAttribute('data-state'), WAIT).toBe('partial');
        expect(await added.locator('[data-outcome="canceled"]').textContent()).toContain('Resume continues where it stopped');
      });
      release();
      await context.unroute(held);
      const added = page.locator('article[data-model-id="lantern-tiny"]').nth(1);
      const stored = Number(await added.getAttribute('data-stored-bytes'));
      expect(stored).toBeLessThan(TOTAL_BYTES);

      const rest = await modelRequests(async () => {
        await added.getByRole('button', { name: 'Resume' }).click();
        await expect.poll(() => added.getAttribute('data-state'), { timeout: 60_000 }).toBe('complete');
      });
      // Files go one after another in manifest order, so everything before the held file was stored.
      // Resume fetched the manifest again, the held file and those after it, once each, and nothing stored.
      const heldPath = '/models/lantern-tiny/dit_stage_03.onnx';
      expect(first).toContain(heldPath);
      expect(rest).toEqual(once([MANIFEST_PATH, ...FILES.filter((f) => !first.includes(f) || f === heldPath)]));
      expect(rest.length - 1).toBeLessThan(FILES.length);
      expect(await added.getAttribute('data-stored-bytes')).toBe(String(TOTAL_BYTES));

      // Use loads it into the engine (from IndexedDB: no request), and the screen says which model is in use.
      const used = await modelRequests(async () => {
        await added.getByRole('button', { name: 'Use' }).click();
        await expect.poll(() => added.getByTestId('model-state').textContent(), { timeout: 120_000 }).toBe('Complete · in use');
      });
      expect(used).toEqual([]);
      expect(await card().first().getByTestId('model-state').textContent()).toBe('Complete');
      expect(await page.evaluate(() => (window.lantern as NonNullable<Window['lantern']>).backend())).toMatchObject({ backend: 'wasm' });
    } finally {
      release();
      await context.unroute(held).catch(() => undefined);
    }
  });
});

describe('deleting', () => {
  test('Delete asks first, then removes only that model (the other model and other site data stay); a reload downloads the built-in model again, each file once', async () => {
    // Other data of this site, which Delete must not touch.
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.open('e2e-other-data', 1);
          request.onupgradeneeded = () => request.result.createObjectStore('things').put('kept', 'probe');
          request.onsuccess = () => {
            request.result.close();
            resolve();
          };
          request.onerror = () => reject(request.error);
        }),
    );
    await showModels();
    const builtin = page.locator('article[data-model-id="lantern-tiny"]').first();
    expect(await builtin.locator('.url').textContent()).toBe(new URL(MANIFEST_PATH, appUrl).href);
    await builtin.getByRole('button', { name: 'Delete' }).click();
    const confirm = builtin.getByRole('group', { name: `Confirm deleting ${manifest.name}` });
    expect(await confirm.textContent()).toContain(`This frees ${formatSize(TOTAL_BYTES)}`);
    await confirm.getByRole('button', { name: 'Keep' }).click();
    expect(await page.getByRole('article').count()).toBe(2);

    await builtin.getByRole('button', { name: 'Delete' }).click();
    await builtin
      .getByRole('group', { name: `Confirm deleting ${manifest.name}` })
      .getByRole('button', { name: 'Yes, delete' })
      .click();
    await expect.poll(() => page.getByRole('article').count(), WAIT).toBe(1);
    const left = page.getByRole('article');
    expect(await left.locator('.url').textContent()).toContain('?copy=1');
    expect(await left.getAttribute('data-state')).toBe('complete');
    const kept = await page.evaluate(async (manifestUrl) => {
      const open = (name: string) =>
        new Promise<IDBDatabase>((resolve, reject) => {
          const request = indexedDB.open(name);
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
      const count = (db: IDBDatabase, store: string, query?: IDBValidKey | IDBKeyRange) =>
        new Promise<number>((resolve, reject) => {
          const request = db.transaction(store).objectStore(store).count(query);
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
      const store = await open('lantern-model-store');
      const other = await open('e2e-other-data');
      const range = IDBKeyRange.bound([manifestUrl], [manifestUrl, []]);
      const out = {
        files: await count(store, 'files', range),
        chunks: await count(store, 'chunks', range),
        allChunks: await count(store, 'chunks'),
        probe: await count(other, 'things'),
      };
      store.close();
      other.close();
      return out;
    }, new URL(MANIFEST_PATH, appUrl).href);
    expect(kept).toEqual({ files: 0, chunks: 0, allChunks: FILES.length, probe: 1 });

    const requests = await modelRequests(async () => {
      await page.reload();
      await ready();
      await showModels();
      await expect.poll(() => page.getByRole('article').count(), WAIT).toBe(2);
      await expect.poll(() => page.locator('article[data-state="complete"]').count(), WAIT).toBe(2);
    });
    // The manifest for the record and for the background download. The engine's load read the files the copy stores (one
    // URL is one file), so the background download fetched the built-in model's every file, once.
    expect(requests).toEqual(once([MANIFEST_PATH, MANIFEST_PATH, ...FILES]));
    expect(errors).toEqual([]);
  });
});

describe('damaged files', () => {
  /** Flips a byte of a stored file in IndexedDB, behind the store's back (its record, with the verified digest, stays). */
  const tamper = (fileUrl: string) =>
    page.evaluate(
      async ({ manifestUrl, fileUrl }) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const request = indexedDB.open('lantern-model-store');
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        const key = [manifestUrl, fileUrl];
        const blob = await new Promise<Blob>((resolve, reject) => {
          const request = db.transaction('chunks').objectStore('chunks').get(key);
          request.onsuccess = () => resolve(request.result as Blob);
          request.onerror = () => reject(request.error);
        });
        const bytes = new Uint8Array(await blob.arrayBuffer());
        bytes[bytes.length >> 1]! ^= 0xff;
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction('chunks', 'readwrite');
          tx.objectStore('chunks').put(new Blob([bytes]), key);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        db.close();
      },
      { manifestUrl: new URL(MANIFEST_PATH, appUrl).href, fileUrl },
    );

  test('Re-verify finds a file altered on disk and fetches only it again; with the network off it shows the model corrupted, and Resume repairs it', async () => {
    const tokenizerPath = FILES[0]!;
    const tokenizerUrl = new URL(tokenizerPath, appUrl).href;
    await showModels();
    // Deleted and downloaded again above, the built-in model is listed after the copy now.
    const builtin = page.locator(`article[data-manifest-url="${new URL(MANIFEST_PATH, appUrl).href}"]`);

    await tamper(tokenizerUrl);
    const repaired = await modelRequests(async () => {
      await builtin.getByRole('button', { name: 'Re-verify' }).click();
      await expect.poll(() => builtin.locator('[data-outcome]').textContent(), { timeout: 60_000 }).toMatch(/^Verified: 1 damaged file was found/);
    });
    expect(await builtin.locator('[data-outcome]').textContent()).toBe('Verified: 1 damaged file was found, and fetched again. Every file matches now.');
    expect(repaired).toEqual([tokenizerPath]);
    expect(await builtin.getAttribute('data-state')).toBe('complete');

    await tamper(tokenizerUrl);
    await context.setOffline(true);
    try {
      await builtin.getByRole('button', { name: 'Re-verify' }).click();
      // The store retries a failed fetch twice (after 0.5 s and 2 s) before it gives up.
      await expect.poll(() => builtin.getAttribute('data-state'), { timeout: 60_000 }).toBe('corrupted');
      const alert = builtin.getByRole('alert');
      expect(await alert.getAttribute('data-error-name')).toBe('ModelFileError');
      expect(await alert.textContent()).toMatch(/^Damaged files were found and dropped, but could not be fetched again\. Could not fetch model file /);
      expect(await alert.textContent()).toContain(tokenizerUrl);
      expect(await builtin.getByTestId('model-state').textContent()).toMatch(/^Corrupted/);
      expect(Number(await builtin.getAttribute('data-stored-bytes'))).toBe(TOTAL_BYTES - manifest.tokenizer.bytes);
    } finally {
      await context.setOffline(false);
    }
    const resumed = await modelRequests(async () => {
      await builtin.getByRole('button', { name: 'Resume' }).click();
      await expect.poll(() => builtin.getAttribute('data-state'), { timeout: 60_000 }).toBe('complete');
    });
    expect(resumed).toEqual(once([MANIFEST_PATH, tokenizerPath]));
    expect(errors).toEqual([]);
  });
});
