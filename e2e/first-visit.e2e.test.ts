// The built-in model's first visit by parts (issue 16), end to end in
// headless Chromium against the app's dev server: the engine's load
// fetches and stores the common part and the WASM denoiser, and only then
// does the background download ask for the WebGPU stage graphs (shown on
// the page, and by part on the models screen); with the network off,
// switching backend works both ways once both parts are stored. Where the
// rest cannot be stored, the page says so, the loaded model stays, WebGPU
// offline is a ModelUnavailableOfflineError naming its graphs, and the next
// visit online fetches only what is missing.
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser } from '../scripts/browser-session.mjs';
import { formatSize } from '../src/models/words';
import { parseManifest } from '../workers/model-files/manifest';
import { modelFiles, totalBytes } from '../workers/model-store/files';
import { modelParts } from '../workers/model-store/parts';

const appUrl = inject('appUrl');
const MANIFEST_PATH = '/models/lantern-tiny.json';
const manifestUrl = new URL(MANIFEST_PATH, appUrl).href;
const manifest = parseManifest(JSON.parse(readFileSync(new URL('../models-manifest/lantern-tiny.json', import.meta.url), 'utf8')));
const files = modelFiles(manifest, manifestUrl);
const TOTAL_BYTES = totalBytes(files);
/** The model's parts by backend (workers/model-store/parts.ts): paths on the server, and bytes. */
const parts = modelParts(manifest, files, manifestUrl);
const PARTS = Object.fromEntries(parts.map((p) => [p.id, p.files.map((f) => new URL(f.url).pathname)])) as Record<'common' | 'wasm' | 'webgpu', string[]>;
const PART_BYTES = Object.fromEntries(parts.map((p) => [p.id, totalBytes(p.files)])) as Record<'common' | 'wasm' | 'webgpu', number>;

/** For polls on what downloads, IndexedDB or the engine change: this machine's two cores are shared. */
const WAIT = { timeout: 60_000 };
const SLOW = { timeout: 240_000 };
const once = (paths: string[]) => [...paths].sort();

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Requests of the page and its workers while `run` runs (blob: URLs are memory, not network), in the order made. */
async function requestsDuring(page: Page, run: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const onRequest = (request: Request) => {
    if (!request.url().startsWith('blob:')) seen.push(new URL(request.url()).pathname);
  };
  page.on('request', onRequest);
  try {
    await run();
  } finally {
    page.off('request', onRequest);
  }
  return seen;
}
const models = (paths: string[]) => paths.filter((p) => p.startsWith('/models/'));

async function ready(page: Page): Promise<void> {
  await page.waitForFunction(() => window.lantern !== undefined);
  await page.evaluate(() => (window.lantern as NonNullable<Window['lantern']>).ready);
}

async function showModels(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Models' }).click();
}

const card = (page: Page) => page.getByRole('article', { name: manifest.name });
const part = (page: Page, id: string) => card(page).locator(`[data-part="${id}"]`);
const backendStatus = (page: Page) => page.getByTestId('backend-status').textContent();

describe('first visit, then offline', () => {
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  beforeAll(async () => {
    context = await browser.newContext();
    page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
  });
  afterAll(async () => {
    await context?.close();
  });

  test('the common part and the WASM denoiser are fetched first; the WebGPU stage graphs follow in the background, shown on the page and by part on the models screen; each file once', async () => {
    // Every state of the page's download line, from a MutationObserver (it disappears once the model is stored).
    await page.addInitScript(() => {
      const w = window as unknown as { downloadLine: { kind: string; done: number; total: number; text: string }[] };
      w.downloadLine = [];
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid="model-download"]');
        if (el === null || el.hasAttribute('data-error-name')) return;
        const record = {
          kind: el.getAttribute('data-kind') ?? '',
          done: Number(el.getAttribute('data-done-bytes')),
          total: Number(el.getAttribute('data-total-bytes')),
          text: el.textContent ?? '',
        };
        const last = w.downloadLine.at(-1);
        if (last?.done !== record.done || last.text !== record.text) w.downloadLine.push(record);
      }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    // The background download waits at the stage graphs' first file, so the models screen can be read meanwhile.
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const held = `**${PARTS.webgpu[0]}`;
    await context.route(held, async (route) => {
      await released;
      await route.continue().catch(() => undefined);
    });
    const requests = await requestsDuring(page, async () => {
      try {
        await page.goto(`${appUrl}?backend=wasm`);
        await ready(page);
        await showModels(page);
        await expect.poll(() => card(page).getAttribute('data-state'), WAIT).toBe('downloading');
        expect(await part(page, 'common').textContent()).toBe(`Common (text encoder, encoder, decoder, tokenizer) — stored, ${formatSize(PART_BYTES.common)}`);
        expect(await part(page, 'wasm').textContent()).toBe(`WASM denoiser — stored, ${formatSize(PART_BYTES.wasm)}`);
        expect(await part(page, 'webgpu').getAttribute('data-part-state')).toBe('downloading');
        expect(await part(page, 'webgpu').textContent()).toBe(`WebGPU stage graphs — downloading 0% of ${formatSize(PART_BYTES.webgpu)}`);
      } finally {
        release();
        await context.unroute(held);
      }
      await expect.poll(() => card(page).getAttribute('data-state'), WAIT).toBe('complete');
    });
    // The manifest for the model's record, then for the background download; the engine read it from the store.
    expect(once(models(requests))).toEqual(once([MANIFEST_PATH, MANIFEST_PATH, ...files.map((f) => new URL(f.url).pathname)]));
    // In order: every file of the load's parts before the first of the other backend's.
    const firstOfRest = requests.indexOf(PARTS.webgpu[0]!);
    for (const path of [...PARTS.common, ...PARTS.wasm]) expect(requests.indexOf(path), path).toBeLessThan(firstOfRest);

    const line = await page.evaluate(() => (window as unknown as { downloadLine: { kind: string; done: number; total: number; text: string }[] }).downloadLine);
    const measured = line.filter((r) => r.total > 0);
    expect(measured.length, 'the background download shown on the page').toBeGreaterThan(0);
    for (const [i, r] of measured.entries()) {
      expect(r.kind).toBe('background');
      expect(r.total).toBe(TOTAL_BYTES);
      expect(r.done).toBeGreaterThanOrEqual(i === 0 ? PART_BYTES.common + PART_BYTES.wasm : measured[i - 1]!.done);
    }
    expect(measured.at(-1)!.text).toContain(`Storing the other backend's graphs of ${manifest.name} in this browser`);
    expect(measured.at(-1)!.text).toContain(`of ${formatSize(TOTAL_BYTES)}`);
    expect(await page.getByTestId('model-download').count(), 'the line goes once the model is stored').toBe(0);
    const states = await card(page)
      .locator('[data-part]')
      .evaluateAll((els) => els.map((el) => `${el.getAttribute('data-part')} ${el.getAttribute('data-part-state')}`));
    expect(states).toEqual(['common stored', 'webgpu stored', 'wasm stored']);
    expect(errors).toEqual([]);
  });

  test('with the network off, switching to WebGPU and back to WASM loads each from the model store, with no request', async () => {
    await context.setOffline(true);
    try {
      const requests = await requestsDuring(page, async () => {
        await page.locator('#backend').selectOption('webgpu');
        await expect.poll(() => backendStatus(page), SLOW).toMatch(/^WebGPU/);
        await page.locator('#backend').selectOption('wasm');
        await expect.poll(() => backendStatus(page), SLOW).toMatch(/^WASM/);
      });
      expect(requests).toEqual([]);
      expect(await page.locator('[role="alert"]').count()).toBe(0);
    } finally {
      await context.setOffline(false);
    }
    expect(errors).toEqual([]);
  });
});

describe('when the rest cannot be stored', () => {
  test('the page says so, and the loaded model stays; offline, WebGPU is a ModelUnavailableOfflineError naming its graphs while WASM loads; the next visit online fetches only those graphs', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const logs: string[] = [];
      page.on('console', (message) => logs.push(message.text()));
      const stages = '**/models/lantern-tiny/dit_*.onnx';
      await context.route(stages, (route) => route.abort('internetdisconnected'));
      await page.goto(`${appUrl}?backend=wasm`);
      await ready(page);
      // The store retries a failed fetch twice (after 0.5 s and 2 s) before it gives up.
      const line = page.getByTestId('model-download');
      await expect.poll(() => line.getAttribute('data-error-name'), WAIT).toBe('ModelFileError');
      expect(await line.textContent()).toContain(
        `The other backend's graphs of ${manifest.name} could not be stored (ModelFileError: Could not fetch model file ${new URL(PARTS.webgpu[0]!, appUrl).href}`,
      );
      expect(await line.textContent()).toContain('The loaded model works; switching backend offline needs them, and the next visit downloads them.');
      expect(logs.some((l) => l.startsWith(`Lantern: storing the rest of model ${manifestUrl} failed`))).toBe(true);
      expect(await backendStatus(page)).toMatch(/^WASM/);
      await showModels(page);
      expect(await card(page).getAttribute('data-state')).toBe('partial');
      expect(await part(page, 'wasm').getAttribute('data-part-state')).toBe('stored');
      expect(await part(page, 'webgpu').textContent()).toBe(`WebGPU stage graphs — not stored (${formatSize(PART_BYTES.webgpu)})`);
      await context.unroute(stages);

      await context.setOffline(true);
      try {
        await page.locator('#backend').selectOption('webgpu');
        const alert = page.locator('[role="alert"][data-error-name="ModelUnavailableOfflineError"]');
        await alert.waitFor({ state: 'attached', ...SLOW }); // on the generate screen, behind the models screen's tab
        expect(await alert.textContent()).toContain(
          `Model ${manifestUrl} is only partly stored in this browser: the WebGPU backend's graphs (dit_text_kv, dit_stage_00 and 14 more) are not stored yet`,
        );
        expect(await alert.textContent()).toContain('this browser is offline to fetch it');
        await page.locator('#backend').selectOption('wasm');
        await expect.poll(() => backendStatus(page), SLOW).toMatch(/^WASM/);
      } finally {
        await context.setOffline(false);
      }

      const requests = await requestsDuring(page, async () => {
        await page.reload();
        await ready(page);
        await showModels(page);
        await expect.poll(() => card(page).getAttribute('data-state'), WAIT).toBe('complete');
      });
      expect(once(models(requests))).toEqual(once([MANIFEST_PATH, ...PARTS.webgpu]));
    } finally {
      await context.close();
    }
  });
});
