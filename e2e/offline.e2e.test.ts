// The installable, offline app and the privacy it promises, end to end in
// headless Chromium against the built app (`vite build`, served by `vite
// preview`): no mocks. The model reaches the offline page through the model
// store: the page stores the built-in model in IndexedDB after its first
// load (src/state/offline-state.ts), and the engine reads its files from there. Its
// manifest comes from the store too: offline, a request for it that reaches
// the service worker is answered from the store's record of it. The service
// worker never caches /models/ (checked below, in Cache Storage).
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CONTENT_SECURITY_POLICY, MODELS_PATH, PRECACHE_FILE_LIMIT_BYTES } from '../pwa.config';
import { launchBrowser } from '../scripts/browser-session.mjs';
import { type BuiltAppServer, buildApp, serveBuild, serveStatic } from './built-app';
import { generateFromForm, readMp4 } from './support';

const MANIFEST_PATH = '/models/lantern-tiny.json';

let outDir: string;
let server: BuiltAppServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'lantern-pwa-'));
  await buildApp(outDir);
  server = await serveBuild(outDir);
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
  if (outDir !== undefined) await rm(outDir, { recursive: true, force: true });
});

type Violation = { directive: string; blocked: string };

/** A fresh profile (its own service workers, caches and IndexedDB) that records every CSP violation its pages see. */
async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ acceptDownloads: true });
  contexts.push(context);
  await context.addInitScript(() => {
    const w = window as unknown as { violations: Violation[] };
    w.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
  });
  return context;
}

/** Opens the built app on WASM and waits for the model and for a service worker that controls the page. */
async function openBuilt(context: BrowserContext, base: string = server.url): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${base}?backend=wasm`);
  await page.waitForFunction(() => window.lantern !== undefined);
  await page.evaluate(() => (window.lantern as NonNullable<Window['lantern']>).ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });
  return { page, errors };
}

/** Every entry of the page's Cache Storage: cache name, path and size. */
function cachedFiles(page: Page): Promise<{ cache: string; path: string; bytes: number }[]> {
  return page.evaluate(async () => {
    const out: { cache: string; path: string; bytes: number }[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        const response = await cache.match(request);
        out.push({ cache: name, path: new URL(request.url).pathname, bytes: (await response?.blob())?.size ?? 0 });
      }
    }
    return out;
  });
}

/** 'page' covers the page and its workers; requests the service worker itself makes say so. */
const requestLine = (request: Request) => `${request.serviceWorker() === null ? 'page' : 'service worker'} ${request.method()} ${request.url()}`;
const violations = (page: Page) => page.evaluate(() => (window as unknown as { violations: Violation[] }).violations);
const status = (page: Page) => page.getByTestId('offline-status');

describe('installable app', () => {
  test('web app manifest with 192, 512 and maskable icons; the precache holds the app shell and ORT, no model files', async () => {
    const context = await newContext();
    const { page, errors } = await openBuilt(context);

    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).not.toBeNull();
    const manifest = (await (await context.request.get(new URL(href as string, server.url).href)).json()) as {
      name: string;
      start_url: string;
      display: string;
      icons: { src: string; sizes: string; type: string; purpose: string }[];
    };
    expect(manifest).toMatchObject({ name: 'Lantern', start_url: '/', display: 'standalone' });
    expect(manifest.icons.map((i) => `${i.sizes} ${i.purpose}`).sort()).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
    for (const icon of manifest.icons) {
      const response = await context.request.get(new URL(icon.src, server.url).href);
      expect(response.status(), icon.src).toBe(200);
      expect(response.headers()['content-type']).toBe('image/png');
      const png = await response.body();
      // PNG signature, then IHDR's width and height.
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
      expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`).toBe(icon.sizes);
    }

    const files = await cachedFiles(page);
    const paths = files.map((f) => f.path);
    expect(paths).toContain('/index.html');
    expect(paths).toContain('/manifest.webmanifest');
    expect(
      paths.some((p) => /^\/assets\/ort-wasm.*\.wasm$/.test(p)),
      'ORT .wasm precached',
    ).toBe(true);
    expect(
      paths.some((p) => /^\/assets\/engine\.worker-.*\.js$/.test(p)),
      'engine worker precached',
    ).toBe(true);
    expect(
      paths.filter((p) => p.startsWith(MODELS_PATH)),
      'model files or manifests in Cache Storage',
    ).toEqual([]);
    expect(new Set(files.map((f) => f.cache)).size, 'one cache: the precache, no runtime cache').toBe(1);
    const total = files.reduce((sum, f) => sum + f.bytes, 0);
    // ORT's .wasm (about 27 MB) and the C2PA library's (about 9 MB) make most of it.
    expect(total).toBeLessThan(PRECACHE_FILE_LIMIT_BYTES + 12 * 1024 * 1024);
    console.info(`precache: ${files.length} files, ${(total / 1e6).toFixed(1)} MB`);
    expect(errors).toEqual([]);
  });
});

describe('offline and private', () => {
  test('after one visit, a reload with the network off starts the app and generates a clip, and no request leaves the page during generation', async () => {
    const context = await newContext();
    const { page, errors } = await openBuilt(context);

    // The first visit stores the built-in model in the model store (IndexedDB) once it has loaded.
    await expect.poll(() => status(page).getAttribute('data-offline'), { timeout: 180_000 }).toBe('ready');
    const stored = await page.evaluate(async (manifestUrl) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('lantern-model-store');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const get = <T>(store: string, query: IDBValidKey | IDBKeyRange) =>
        new Promise<T>((resolve, reject) => {
          const request = db.transaction(store).objectStore(store).getAll(query);
          request.onsuccess = () => resolve(request.result as T);
          request.onerror = () => reject(request.error);
        });
      const models = await get<{ state: string }[]>('models', manifestUrl);
      const files = await get<{ bytes: number }[]>('files', IDBKeyRange.bound([manifestUrl], [manifestUrl, []]));
      db.close();
      return { state: models[0]?.state, files: files.length, bytes: files.reduce((sum, f) => sum + f.bytes, 0) };
    }, new URL(MANIFEST_PATH, server.url).href);
    expect(stored.state).toBe('complete');
    console.info(`model store: ${stored.files} files, ${(stored.bytes / 1e6).toFixed(1)} MB`);
    expect((await cachedFiles(page)).filter((f) => f.path.startsWith(MODELS_PATH))).toEqual([]);

    await context.setOffline(true);
    const seen: string[] = [];
    const onSeen = (request: Request) => seen.push(requestLine(request));
    context.on('request', onSeen);
    // The network really is off: a model file the service worker does not hold cannot be fetched.
    const probeUrl = new URL('/models/lantern-tiny/tokenizer_config.json', server.url).href;
    const probe = await page.evaluate(
      (url) =>
        fetch(url, { cache: 'no-store' }).then(
          (r) => `HTTP ${r.status}`,
          (e: Error) => e.name,
        ),
      probeUrl,
    );
    expect(probe).toBe('TypeError');

    // Offline reload: the shell and ORT's .wasm from the precache, the model from the store. The manifest comes from the
    // store too: read there by the engine, or (for a request that reaches the service worker) answered from the store's record.
    const manifestSources: string[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === MANIFEST_PATH) manifestSources.push(response.headers()['x-lantern-source'] ?? 'network');
    });
    await page.reload();
    await page.waitForFunction(() => window.lantern !== undefined);
    await page.evaluate(() => (window.lantern as NonNullable<Window['lantern']>).ready);
    context.off('request', onSeen);
    // The recorder sees the service worker's own network attempts and the engine worker's requests.
    expect(seen).toContain(`service worker GET ${probeUrl}`);
    expect(
      seen.some((line) => /^page GET \S+\/assets\/ort-wasm\S*\.wasm$/.test(line)),
      "the engine worker fetching ORT's .wasm",
    ).toBe(true);
    expect(
      manifestSources.filter((source) => source !== 'model-store'),
      'manifests from the network',
    ).toEqual([]);
    expect(await page.getByTestId('backend-status').textContent()).toMatch(/^WASM/);
    await expect.poll(() => status(page).getAttribute('data-offline')).toBe('ready');

    // Generation: every request of the page, its workers and the service worker is recorded.
    const requests: string[] = [];
    const onRequest = (request: Request) => {
      // The player loading the clip's blob: URL (bytes in the page's memory) is reported as a request too; it is not network.
      if (!request.url().startsWith(`blob:${new URL(server.url).origin}/`)) requests.push(requestLine(request));
    };
    context.on('request', onRequest);
    await generateFromForm(page, { prompt: 'a red ball bounces on a meadow', seed: 7, steps: 2 });
    await page.getByLabel('Generated clip').waitFor({ timeout: 240_000 });
    await expect.poll(() => status(page).getAttribute('data-network-requests')).toBe('0');
    context.off('request', onRequest);
    expect(requests, 'requests during generation').toEqual([]);
    expect(await status(page).getAttribute('data-network-observed')).toBe('true');
    expect(await status(page).textContent()).toBe('Offline-ready · no network used by this generation');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download' }).click()]);
    expect(await readMp4(new Uint8Array(await readFile(await download.path())))).toMatchObject({ codec: 'avc', width: 128, height: 128, packets: 16 });
    expect(await violations(page), 'CSP violations').toEqual([]);
    expect(errors).toEqual([]);
  });

  test('the strict Content-Security-Policy is in force: in the page and the engine worker, inline script, eval and off-origin fetches are blocked', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const response = await page.goto(`${server.url}?backend=wasm`);
    await page.waitForFunction(() => window.lantern !== undefined);
    await page.evaluate(() => (window.lantern as NonNullable<Window['lantern']>).ready);

    expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toBe(CONTENT_SECURITY_POLICY);
    expect(response?.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    const engine = page.workers().find((w) => w.url().includes('engine.worker'));
    expect(engine, 'the engine worker').toBeDefined();
    // A worker takes its policy from its script's response, not from the page's <meta>.
    expect((await context.request.get(engine?.url() as string)).headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(await violations(page), 'the app itself violates nothing').toEqual([]);

    const inline = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true;';
      document.head.append(script);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return (window as unknown as { inlineRan?: boolean }).inlineRan ?? false;
    });
    expect(inline, 'an injected inline script ran').toBe(false);
    // Code compiled from a string: a string timer runs as the page's own task (Playwright's evaluate itself is exempt from CSP).
    const evaluated = await page.evaluate(async () => {
      (setTimeout as (code: string, ms: number) => number)('window.stringRan = true;', 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return (window as unknown as { stringRan?: boolean }).stringRan ?? false;
    });
    expect(evaluated, 'code from a string ran').toBe(false);
    const offOrigin = await page.evaluate(() =>
      fetch('https://example.com/lantern-probe').then(
        () => 'fetched',
        (e: Error) => e.name,
      ),
    );
    expect(offOrigin).toBe('TypeError');
    // Each is reported once per policy in force: the response header's and the <meta>'s.
    const distinct = async () => [...new Set((await violations(page)).map((v) => JSON.stringify(v)))].map((v) => JSON.parse(v) as Violation);
    await expect.poll(distinct).toEqual([
      { directive: 'script-src-elem', blocked: 'inline' },
      { directive: 'script-src', blocked: 'eval' },
      { directive: 'connect-src', blocked: 'https://example.com/lantern-probe' },
    ]);

    const inWorker = await (engine as NonNullable<typeof engine>).evaluate(async () => {
      const seen: string[] = [];
      self.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI}`));
      const outcome = await fetch('https://example.com/lantern-probe').then(
        () => 'fetched',
        (e: Error) => e.name,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { outcome, seen };
    });
    expect(inWorker).toEqual({ outcome: 'TypeError', seen: ['connect-src https://example.com/lantern-probe'] });
  });

  test('on a host that sends no CSP header, the service worker adds it to what it serves, and the engine worker is under it', async () => {
    const bare = await serveStatic(outDir);
    try {
      const context = await newContext();
      const page = await context.newPage();
      const response = await page.goto(`${bare.url}?backend=wasm`);
      expect(response?.headers()['content-security-policy']).toBeUndefined();
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });

      const workerScripts: { fromServiceWorker: boolean; policy: string | undefined }[] = [];
      page.on('response', (r) => {
        if (/\/assets\/engine\.worker-[^/]*\.js$/.test(r.url()))
          workerScripts.push({ fromServiceWorker: r.fromServiceWorker(), policy: r.headers()['content-security-policy'] });
      });
      await page.reload();
      await page.waitForFunction(() => window.lantern !== undefined);
      await page.evaluate(() => (window.lantern as NonNullable<Window['lantern']>).ready);
      const engine = page.workers().find((w) => w.url().includes('engine.worker'));
      if (engine === undefined) throw new Error('no engine worker');
      // The host sends the worker's script without a policy; the service worker serves it with one.
      expect((await context.request.get(engine.url())).headers()['content-security-policy']).toBeUndefined();
      expect(workerScripts).toEqual([{ fromServiceWorker: true, policy: CONTENT_SECURITY_POLICY }]);
      const seen = await engine.evaluate(async () => {
        const violations: string[] = [];
        self.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective));
        await fetch('https://example.com/lantern-probe').catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 50));
        return violations;
      });
      expect(seen).toEqual(['connect-src']);
    } finally {
      await bare.close();
    }
  });
});

describe('updates', () => {
  test('a new version deployed while the app is open shows "A new version is ready — Reload", and Reload runs it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lantern-pwa-update-'));
    await cp(outDir, dir, { recursive: true });
    const second = await serveBuild(dir);
    try {
      const context = await newContext();
      const { page } = await openBuilt(context, second.url);
      const before = await page.getByTestId('app-version').textContent();
      expect(before).toMatch(/Lantern \d+\.\d+\.\d+$/);
      expect(await page.getByTestId('update-prompt').count()).toBe(0);

      await buildApp(dir, { version: '9.9.9-update-test' });
      await page.evaluate(async () => {
        await (await navigator.serviceWorker.getRegistration())?.update();
      });
      const prompt = page.getByTestId('update-prompt');
      await prompt.waitFor({ timeout: 120_000 });
      expect(await prompt.textContent()).toMatch(/^A new version is ready — Reload/);
      expect(await page.getByTestId('app-version').textContent()).toBe(before);

      await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), page.getByRole('button', { name: 'Reload' }).click()]);
      await expect.poll(() => page.getByTestId('app-version').textContent()).toBe(' · Lantern 9.9.9-update-test');
      expect(await page.getByTestId('update-prompt').count()).toBe(0);
    } finally {
      await second.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
