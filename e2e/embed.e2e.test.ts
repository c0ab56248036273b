// Lantern inside other sites, end to end in headless Chromium against the
// built app (`vite build` with a lantern.config.json that allows two school
// sites, served by `vite preview` with embed.html's frame-ancestors header).
// The parent pages are real other sites (school-a.test, school-b.test,
// elsewhere.test: their own origins and sites), loading embed.js from
// Lantern and driving <lantern-generator> and the raw protocol. Two browser
// profiles: Debian Chromium's default, which keeps no data for a frame
// inside another site, and one that allows it (Chrome's default outside
// private windows), where the embed keeps the model (per site, where the
// browser partitions storage; Chromium 156 here does not).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Frame, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser } from '../scripts/browser-session.mjs';
import { type BuiltAppServer, buildApp, serveBuild, serveStatic } from './built-app';
import { page as html, launchProfileAllowingThirdPartyStorage, type ParentSite, parentSiteFlags, startParentSite } from './parent-sites';
import { readMp4 } from './support';

const PROMPT = 'a red ball bounces on a plain blue background';
const STARTER = 'a green star moves left in a meadow at night';

let outDir: string;
let configPath: string | undefined;
let lantern: BuiltAppServer;
let bare: BuiltAppServer;
let schoolA: ParentSite;
let schoolB: ParentSite;
let stranger: ParentSite;
let browser: Browser;
/** A profile where embeds may keep data (partitioned by top-level site). */
let keepingProfile: BrowserContext;
let closeKeepingProfile: (() => Promise<void>) | undefined;
const contexts: BrowserContext[] = [];

/** The parent pages; `base` is the Lantern server the page embeds. */
function pages(base: () => string): () => Record<string, string> {
  return () => {
    const lanternBase = base();
    const element = (attributes = '') =>
      html(
        `<lantern-generator src="${lanternBase}" backend="wasm" prompt="${PROMPT}" ${attributes}></lantern-generator>`,
        `<script type="module" src="${lanternBase}embed.js"></script>`,
      );
    return {
      '/component.html': element(),
      '/frame.html': html(`<iframe id="embed" src="${lanternBase}embed.html?backend=wasm" width="480" height="480"></iframe>`),
      // A page of another site inside the school's page, posting to every frame of its parent: the embed must ignore it.
      '/poster.html': html(
        '',
        `<script type="module">for (let i = 0; i < parent.frames.length; i++) parent.frames[i].postMessage({ type: 'lantern:generate', id: 'from-elsewhere', prompt: '${PROMPT}', steps: 1 }, '*');</script>`,
      ),
    };
  };
}

beforeAll(async () => {
  let base = '';
  schoolA = await startParentSite(
    'school-a.test',
    pages(() => base),
  );
  schoolB = await startParentSite(
    'school-b.test',
    pages(() => base),
  );
  stranger = await startParentSite(
    'elsewhere.test',
    pages(() => base),
  );
  outDir = await mkdtemp(join(tmpdir(), 'lantern-embed-'));
  configPath = join(outDir, '..', `lantern-embed-config-${Date.now()}.json`);
  const config = { policy: 'standard', embed: { allowedOrigins: [schoolA.origin, schoolB.origin], maxSteps: 60, starterPrompts: [STARTER] } };
  await writeFile(configPath, JSON.stringify(config));
  // The build (child process) and the preview server (this process: embed.html's header) read the same file.
  process.env['LANTERN_CONFIG'] = configPath;
  await buildApp(outDir);
  lantern = await serveBuild(outDir);
  bare = await serveStatic(outDir);
  base = lantern.url;
  const flags = parentSiteFlags([schoolA.origin, schoolB.origin, stranger.origin]);
  browser = await launchBrowser(flags);
  ({ context: keepingProfile, close: closeKeepingProfile } = await launchProfileAllowingThirdPartyStorage(flags));
}, 300_000);

afterAll(async () => {
  delete process.env['LANTERN_CONFIG'];
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await closeKeepingProfile?.();
  await Promise.all([lantern?.close(), bare?.close(), schoolA?.close(), schoolB?.close(), stranger?.close()]);
  if (outDir !== undefined) await rm(outDir, { recursive: true, force: true });
  if (configPath !== undefined) await rm(configPath, { force: true });
});

async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext();
  contexts.push(context);
  return context;
}

type Opened = { page: Page; logs: string[]; errors: string[] };

async function open(context: BrowserContext, url: string): Promise<Opened> {
  const page = await context.newPage();
  const logs: string[] = [];
  const errors: string[] = [];
  page.on('console', (message) => logs.push(message.text()));
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { page, logs, errors };
}

function embedFrame(page: Page): Frame {
  const frame = page.frames().find((f) => f.url().startsWith(`${lantern.url}embed.html`));
  if (frame === undefined) throw new Error(`no embed frame in ${page.url()}: ${page.frames().map((f) => f.url())}`);
  return frame;
}

/** Waits for the element's lantern-ready; returns its detail. */
function elementReady(page: Page) {
  return page.evaluate(async () => {
    const element = document.querySelector('lantern-generator') as HTMLElement & { ready: Promise<unknown> };
    await customElements.whenDefined('lantern-generator');
    return element.ready;
  });
}

type Generated = { id: string; seed: number; bytes: number[]; blobType: string; progress: { phase: string; fraction: number; id: string }[] };

/** element.generate() with progress events recorded; rejects with the embed's error name and message. */
function generateWithElement(
  page: Page,
  options: { prompt?: string; seed?: number; steps: number },
): Promise<Generated | { error: { name: string; message: string } }> {
  return page.evaluate(async (options) => {
    const element = document.querySelector('lantern-generator') as HTMLElement & {
      generate(o: object): Promise<{ id: string; seed: number; mp4: ArrayBuffer; blob: Blob }>;
    };
    const progress: { phase: string; fraction: number; id: string }[] = [];
    const onProgress = (event: Event) => progress.push((event as CustomEvent).detail);
    element.addEventListener('lantern-progress', onProgress);
    try {
      const clip = await element.generate(options);
      return { id: clip.id, seed: clip.seed, bytes: [...new Uint8Array(clip.mp4)], blobType: clip.blob.type, progress };
    } catch (e) {
      const error = e as Error;
      return { error: { name: error.name, message: error.message } };
    } finally {
      element.removeEventListener('lantern-progress', onProgress);
    }
  }, options);
}

/** Counts the bytes of model files the page (and its workers) received, from the network or through the service worker (which stores none). */
function countModelBytes(page: Page): () => number {
  let bytes = 0;
  page.on('response', (response) => {
    if (!new URL(response.url()).pathname.startsWith('/models/lantern-tiny/')) return;
    response.body().then(
      (body) => {
        bytes += body.length;
      },
      () => undefined,
    );
  });
  return () => bytes;
}

/** Opens `url` in `context`, waits for the element's lantern-ready and returns it with the model bytes that visit fetched. */
async function visit(context: BrowserContext, url: string): Promise<{ page: Page; ready: Record<string, unknown>; bytes: number }> {
  const page = await context.newPage();
  const bytes = countModelBytes(page);
  await page.goto(url);
  const ready = (await elementReady(page)) as Record<string, unknown>;
  await page.waitForTimeout(500); // the last responses' bodies
  return { page, ready, bytes: bytes() };
}

const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;

describe('<lantern-generator> on another site', () => {
  let context: BrowserContext;
  let opened: Opened;

  beforeAll(async () => {
    context = await newContext();
    opened = await open(context, `${schoolA.origin}/component.html`);
  });

  test('says ready with the model and the teacher settings, then generates a clip: progress in order, then lantern-clip with a valid MP4', async () => {
    const ready = (await elementReady(opened.page)) as Record<string, unknown>;
    expect(ready).toMatchObject({
      model: { id: 'lantern-tiny', width: 128, height: 128 },
      policy: 'standard',
      maxSteps: 60,
      download: true,
      starterPrompts: [STARTER],
    });

    const made = await generateWithElement(opened.page, { seed: 7, steps: 2 });
    if ('error' in made) throw new Error(`${made.error.name}: ${made.error.message}`);
    expect(made.seed).toBe(7);
    expect(made.blobType).toBe('video/mp4');
    expect(await readMp4(Uint8Array.from(made.bytes))).toMatchObject({ codec: 'avc', width: 128, height: 128, packets: 16 });
    const phases = ['load', 'encodeText', 'encodeFrames', 'denoise', 'decode', 'encode'];
    expect(made.progress.length).toBeGreaterThan(2);
    for (const [i, p] of made.progress.entries()) {
      expect(p.id).toBe(made.id);
      if (i === 0) continue;
      const before = made.progress[i - 1]!;
      expect(p.fraction).toBeGreaterThanOrEqual(before.fraction);
      expect(phases.indexOf(p.phase)).toBeGreaterThanOrEqual(phases.indexOf(before.phase));
    }
    // The clip shows in the frame too, labelled as AI-made.
    const frame = embedFrame(opened.page);
    expect(await frame.getByRole('figure').textContent()).toContain('AI-generated, seed 7');
  });

  test('cancel() stops the run: generate() rejects with GenerationCanceledError, and the next one works', async () => {
    const run = opened.page.evaluate(async () => {
      const element = document.querySelector('lantern-generator') as HTMLElement & { generate(o: object): Promise<unknown>; cancel(): void };
      const cancelAtDenoise = (event: Event) => {
        if ((event as CustomEvent).detail.phase === 'denoise') element.cancel();
      };
      element.addEventListener('lantern-progress', cancelAtDenoise);
      try {
        await element.generate({ seed: 1, steps: 50 });
        return 'finished';
      } catch (e) {
        return (e as Error).name;
      } finally {
        element.removeEventListener('lantern-progress', cancelAtDenoise);
      }
    });
    expect(await run).toBe('GenerationCanceledError');
    const again = await generateWithElement(opened.page, { seed: 2, steps: 1 });
    expect(again).not.toHaveProperty('error');
  });

  test('where the browser keeps no data for it (Debian Chromium by default), the embed says so, is not offline-ready, and each visit downloads the model again', async () => {
    const frame = embedFrame(opened.page);
    expect(await frame.getByTestId('storage-blocked').textContent()).toContain('downloads again on each visit');
    expect(await frame.getByTestId('offline-status').getAttribute('data-offline')).toBe('refused');
    const first = await visit(context, `${schoolA.origin}/component.html`);
    const second = await visit(context, `${schoolA.origin}/component.html`);
    expect(first.ready['modelStored']).toBe(false);
    console.info(`model bytes fetched where third-party storage is blocked: visit 1 ${megabytes(first.bytes)}, visit 2 ${megabytes(second.bytes)}`);
    expect(first.bytes).toBeGreaterThan(1e6);
    expect(second.bytes).toBeGreaterThan(0.9 * first.bytes);
  });
});

describe('messages the embed must not act on', () => {
  test('a message from a third origin, and malformed messages from the parent, start nothing and are logged', async () => {
    const opened = await open(await newContext(), `${schoolA.origin}/frame.html`);
    const frame = embedFrame(opened.page);
    await expect.poll(() => frame.getByTestId('embed').getAttribute('data-ready'), { timeout: 120_000 }).toBe('true');
    const before = opened.logs.length;
    // A frame of another site inside the school's page posts a generate to every frame of that page.
    await opened.page.evaluate((src) => {
      const poster = document.createElement('iframe');
      poster.src = src;
      document.body.append(poster);
    }, `${stranger.origin}/poster.html`);
    await opened.page.evaluate((embedOrigin) => {
      const embed = (document.getElementById('embed') as HTMLIFrameElement).contentWindow!;
      for (const junk of [
        'hello',
        { type: 'lantern:generate', id: 42, prompt: 'x' },
        { type: 'lantern:configure', policy: 'standard' },
        { type: 'lantern:generate', id: 'a', prompt: 'x', steps: 0 },
      ])
        embed.postMessage(junk, embedOrigin);
    }, new URL(lantern.url).origin);
    const embedLogs = () => opened.logs.slice(before).filter((l) => l.startsWith('Lantern embed:'));
    await expect.poll(() => embedLogs().length, { timeout: 10_000 }).toBe(5);
    expect(embedLogs().filter((l) => l.includes(stranger.origin) && l.includes('did not come from the page framing this one'))).toHaveLength(1);
    for (const problem of ['not an object', 'id must be a string', 'cannot lift strict mode', 'steps must be a positive integer'])
      expect(embedLogs().some((l) => l.includes(problem))).toBe(true);
    await opened.page.waitForTimeout(2_000); // a one-step run would have shown progress by now
    expect(await frame.getByTestId('embed').getAttribute('data-running')).toBe('false');
    expect(await frame.getByRole('figure').count()).toBe(0);
    expect(opened.errors).toEqual([]);
  });
});

describe('who may frame the embed', () => {
  test('a site not on embed.allowedOrigins cannot frame it: the browser refuses (frame-ancestors), and with no header the embed refuses itself', async () => {
    const context = await newContext();
    const blocked = await open(context, `${stranger.origin}/frame.html`);
    await blocked.page.waitForTimeout(3_000);
    const frame = blocked.page.frames().find((f) => f !== blocked.page.mainFrame());
    expect(frame?.url()).not.toMatch(/embed\.html/); // Chromium shows its error page instead
    expect(blocked.logs.some((l) => l.includes('frame-ancestors'))).toBe(true);

    // The same page framing a host that sends no policy header: the embed's own check.
    const unguarded = await open(context, `${stranger.origin}/frame.html`);
    await unguarded.page.evaluate((src) => {
      document.querySelector('iframe')!.src = src;
    }, `${bare.url}embed.html?backend=wasm`);
    await expect.poll(() => unguarded.page.frames().some((f) => f.url().startsWith(`${bare.url}embed.html`)), { timeout: 10_000 }).toBe(true);
    const inner = unguarded.page.frames().find((f) => f.url().startsWith(`${bare.url}embed.html`))!;
    await inner.getByTestId('embed-refused').waitFor();
    expect(await inner.getByTestId('embed-refused').textContent()).toContain(`embedded by ${stranger.origin}, which this Lantern deployment does not allow`);
  });
});

describe('where the browser lets embedded sites keep data (Chrome outside private windows)', () => {
  test('the embed downloads the model once where its storage keeps it: again on each site only where the browser partitions storage by site', async () => {
    const fetched: [string, number][] = [];
    const first = await visit(keepingProfile, `${schoolA.origin}/component.html`);
    expect(first.ready['modelStored']).toBe(true);
    // Does this browser give the embed one storage for every site (and the app), or one per top-level site? A marker tells.
    await embedFrame(first.page).evaluate(() => localStorage.setItem('lantern-test-partition', 'set inside school-a.test'));
    fetched.push(['embed on school-a.test, visit 1', first.bytes]);
    fetched.push(['embed on school-a.test, visit 2', (await visit(keepingProfile, `${schoolA.origin}/component.html`)).bytes]);
    const onB = await visit(keepingProfile, `${schoolB.origin}/component.html`);
    const partitioned = (await embedFrame(onB.page).evaluate(() => localStorage.getItem('lantern-test-partition'))) === null;
    fetched.push(['embed on school-b.test', onB.bytes]);
    const app = await keepingProfile.newPage();
    const appBytes = countModelBytes(app);
    await app.goto(`${lantern.url}?backend=wasm`);
    await app.waitForFunction(() => window.lantern !== undefined);
    await app.evaluate(() => window.lantern!.ready);
    await app.waitForTimeout(500);
    fetched.push(['the app itself (first party)', appBytes()]);
    console.info(
      `model bytes fetched, one browser profile (${partitioned ? 'storage partitioned by top-level site' : 'one storage for the embed on every site and the app'}):\n` +
        fetched.map(([who, bytes]) => `  ${who.padEnd(34)} ${megabytes(bytes)}`).join('\n'),
    );
    const [a, again, b, own] = fetched.map(([, bytes]) => bytes) as [number, number, number, number];
    expect(a).toBeGreaterThan(1e6);
    expect(again).toBeLessThan(0.01 * a); // the manifest at most
    for (const bytes of [b, own]) {
      if (partitioned) expect(bytes).toBeGreaterThan(0.9 * a);
      else expect(bytes).toBeLessThan(0.01 * a);
    }
  });

  test('after one visit, with the network off, the embed reloads from its service worker and makes a clip, and no request leaves it', async () => {
    const page = await keepingProfile.newPage();
    await page.goto(`${schoolA.origin}/component.html`);
    await elementReady(page);
    const frame = embedFrame(page);
    await frame.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 120_000 });
    await expect.poll(() => frame.getByTestId('offline-status').getAttribute('data-offline'), { timeout: 180_000 }).toBe('ready');
    await keepingProfile.setOffline(true);
    try {
      // A new element, so a new frame: embed.html and its code from the precache, the model from this site's model store.
      await page.evaluate(() => {
        const old = document.querySelector('lantern-generator')!;
        old.replaceWith(old.cloneNode());
      });
      await elementReady(page);
      const requests: string[] = [];
      const onRequest = (request: Request) => {
        if (!request.url().startsWith('blob:')) requests.push(`${request.method()} ${request.url()}`);
      };
      keepingProfile.on('request', onRequest);
      const made = await generateWithElement(page, { seed: 9, steps: 2 });
      keepingProfile.off('request', onRequest);
      expect(made).not.toHaveProperty('error');
      expect(requests, 'requests during generation').toEqual([]);
    } finally {
      await keepingProfile.setOffline(false);
    }
  });
});
