// Issue 14 in the real app: every clip is labelled (XMP, watermark, the
// visible badge) and "Check a video" reads the labels back from a file; the
// prompt policy refuses calmly; strict (classroom) mode, raised by the
// embedding page or the address, cannot be lowered by either.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser } from '../scripts/browser-session.mjs';
import { writeTestsrcMp4 } from './media-files';
import { generateFromForm, openApp } from './support';

const appUrl = inject('appUrl');
const TIMEOUT = 240_000;

let browser: Browser;
let dir: string;
beforeAll(async () => {
  browser = await launchBrowser();
  dir = await mkdtemp(join(tmpdir(), 'lantern-provenance-'));
});
afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

type Target = Page | Frame;
const lantern = (target: Target) => ({
  policy: () => target.evaluate(() => window.lantern!.policy()),
  /** Generates (2 steps) and returns how much darker the MP4's badge corner is than the clean frames', in grey levels (0: no badge). */
  badgeDarkening: (prompt: string, provenance?: { visibleMark?: boolean }) =>
    target.evaluate(
      async ({ prompt, provenance }) => {
        const api = window.lantern!;
        await api.ready;
        const r = await api.generate({ prompt, seed: 3, steps: 2, ...(provenance === undefined ? {} : { provenance }) });
        const shown = await api.readVideoFrames(new Blob([r.mp4 as Uint8Array<ArrayBuffer>], { type: 'video/mp4' }));
        // The badge's backdrop-only left columns (workers/provenance/visible-mark.ts: x 112-113, y 115-123 at 128 px).
        let sum = 0;
        let n = 0;
        for (let t = 0; t < r.frames.length; t++) {
          for (let y = 115; y < 124; y++) {
            for (let x = 112; x < 114; x++) {
              const i = (y * r.width + x) * 4;
              for (let c = 0; c < 3; c++) sum += r.frames[t]![i + c]! - shown[t]![i + c]!;
              n += 3;
            }
          }
        }
        return sum / n;
      },
      { prompt, provenance },
    ),
  generateError: (prompt: string, extra: object = {}) =>
    target.evaluate(
      async ({ prompt, extra }) => {
        await window.lantern!.ready;
        try {
          await window.lantern!.generate({ prompt, seed: 1, steps: 1, ...extra });
          return null;
        } catch (e) {
          return { name: (e as Error).name, message: (e as Error).message };
        }
      },
      { prompt, extra },
    ),
});

describe('labels on every clip', () => {
  test(
    'a clip made in the page carries XMP and the watermark, and the Check tab reads them; a clip made elsewhere shows none',
    async () => {
      const { page, errors } = await openApp(browser, appUrl, 'wasm');
      try {
        const mp4 = await page.evaluate(async () => {
          const r = await window.lantern!.generate({ prompt: 'a red ball bounces on a plain blue background', seed: 7, steps: 2 });
          return [...r.mp4];
        });
        const clip = join(dir, 'lantern-clip.mp4');
        await writeFile(clip, Uint8Array.from(mp4));
        const other = join(dir, 'testsrc.mp4');
        writeTestsrcMp4(other, { seconds: 1, width: 160, height: 120 });

        await page.getByRole('tab', { name: 'Check a video' }).click();
        await page.locator('#check-file').setInputFiles(clip);
        const report = page.getByTestId('check-report');
        await expect.poll(() => report.getAttribute('data-verdict'), { timeout: 60_000 }).toBe('lantern');
        expect(await page.getByTestId('check-xmp').getAttribute('data-found')).toBe('true');
        expect(await page.getByTestId('check-watermark').getAttribute('data-found')).toBe('true');
        expect(await report.textContent()).toContain('trainedAlgorithmicMedia');
        expect(await report.textContent()).toContain('the tag of the model lantern-tiny');

        await page.locator('#check-file').setInputFiles(other);
        await expect.poll(() => report.getAttribute('data-verdict'), { timeout: 60_000 }).toBe('none');
        expect(await page.getByTestId('check-watermark').getAttribute('data-found')).toBe('false');
        expect(await report.textContent()).toContain('That does not prove a person made it');
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    },
    TIMEOUT,
  );

  test(
    'a refused prompt gets a calm message naming the category, not the words; the form keeps the prompt',
    async () => {
      const { page } = await openApp(browser, appUrl, 'wasm');
      try {
        await generateFromForm(page, { prompt: 'a NAK3D person on a beach', steps: 1 });
        const alert = page.getByRole('alert').first();
        await expect.poll(() => alert.getAttribute('data-error-name'), { timeout: 30_000 }).toBe('PolicyRefusalError');
        const text = (await alert.textContent()) ?? '';
        expect(text).toContain('sexual content or nudity');
        expect(text.toLowerCase()).not.toContain('nak3d');
        expect(await page.getByLabel('Prompt', { exact: true }).inputValue()).toBe('a NAK3D person on a beach');
        // The negative prompt is read too.
        expect(await lantern(page).generateError('a red ball', { negativePrompt: 'g0re' })).toMatchObject({ name: 'PolicyRefusalError' });
      } finally {
        await page.close();
      }
    },
    TIMEOUT,
  );
});

describe('strict (classroom) mode', () => {
  test(
    "the embedding page raises it by message; no message lowers it; the badge stays on and strict's narrower policy holds",
    async () => {
      const page = await browser.newPage();
      try {
        // The embedding page, served on the app's origin (a secure context, as a real https page is; a frame under about:blank is not).
        await page.route(`${appUrl}classroom.html`, (route) =>
          route.fulfill({ contentType: 'text/html', body: `<iframe id="lantern" src="${appUrl}?backend=wasm" width="1200" height="900"></iframe>` }),
        );
        await page.goto(`${appUrl}classroom.html`);
        const frame = (await (await page.waitForSelector('#lantern')).contentFrame())!;
        await frame.waitForFunction(() => window.lantern !== undefined);
        const app = lantern(frame);
        expect(await app.policy()).toMatchObject({ mode: 'standard' });
        expect(await app.generateError('two squares fight')).toBeNull(); // allowed in standard mode

        const post = (policy: string) =>
          page.evaluate((p) => document.querySelector('iframe')!.contentWindow!.postMessage({ type: 'lantern:policy', policy: p }, '*'), policy);
        await post('strict');
        await expect.poll(() => app.policy()).toMatchObject({ mode: 'strict', source: 'embedding page' });
        await post('standard');
        await post('off');
        await frame.waitForTimeout(200);
        expect(await app.policy()).toMatchObject({ mode: 'strict' });
        expect(await frame.getByTestId('deployment-notices').textContent()).toContain('cannot be turned off from inside the page');
        expect(await frame.getByTestId('policy-mode').isVisible()).toBe(true);
        expect(await frame.locator('#visible-mark').isDisabled()).toBe(true);

        expect(await app.generateError('two squares fight')).toMatchObject({
          name: 'PolicyRefusalError',
          message: expect.stringContaining('classroom (strict) mode'),
        });
        // A script asking for no badge still gets one.
        expect(await app.badgeDarkening('a red ball bounces on a plain blue background', { visibleMark: false })).toBeGreaterThan(20);
      } finally {
        await page.close();
      }
    },
    TIMEOUT,
  );

  test(
    'the address raises it, and a later address in the same tab cannot lower it; in standard mode the user may turn the badge off',
    async () => {
      const { page } = await openApp(browser, appUrl, 'wasm');
      try {
        expect(await lantern(page).badgeDarkening('a red ball bounces on a plain blue background')).toBeGreaterThan(20); // on by default
        await page.locator('#visible-mark').uncheck();
        expect(await lantern(page).badgeDarkening('a red ball bounces on a plain blue background')).toBeLessThan(5);
        await page.reload();
        await page.waitForFunction(() => window.lantern !== undefined);
        expect(await page.locator('#visible-mark').isChecked()).toBe(false); // remembered

        await page.goto(`${appUrl}?backend=wasm&policy=strict`);
        await page.waitForFunction(() => window.lantern !== undefined);
        expect(await lantern(page).policy()).toMatchObject({ mode: 'strict', source: 'address' });
        await page.goto(`${appUrl}?backend=wasm&policy=standard`);
        await page.waitForFunction(() => window.lantern !== undefined);
        expect(await lantern(page).policy()).toMatchObject({ mode: 'strict', source: 'earlier in this tab' });
        expect(await page.getByTestId('deployment-notices').textContent()).toContain('ignored');
        expect(await page.locator('#visible-mark').isChecked()).toBe(true); // forced on, the stored choice kept for standard pages
      } finally {
        await page.close();
      }
    },
    TIMEOUT,
  );
});
