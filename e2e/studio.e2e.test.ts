// Image-to-video, Extend and Storyboard as a person uses them, in headless
// Chromium against the real engine and model (WASM; few steps: these check
// the plumbing, not the pictures). Downloads are read back by ffprobe and
// ffmpeg. Hostile files get named errors and leave the page and its state
// (the clip on screen, the saved storyboard) as they were.
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser } from '../scripts/browser-session.mjs';
import { ffmpegFrames, ffprobe, fixtureImage, pngBytes, psnrRgb } from './media-files';
import { generateFromForm, openApp } from './support';

const appUrl = inject('appUrl');
const STEPS = 2;
const TIMEOUT = 240_000;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function withPage(run: (page: Page) => Promise<void>): Promise<void> {
  const { page, errors } = await openApp(browser, appUrl, 'wasm');
  try {
    await page.getByLabel('Steps').fill(String(STEPS));
    await run(page);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  } finally {
    await page.close();
  }
}

const video = (page: Page) => page.getByLabel('Generated clip');
const framesShown = (page: Page) => page.getByTestId('clip-frames').textContent();
const errorName = (page: Page) => page.getByRole('alert').getAttribute('data-error-name');
const shots = (page: Page) => page.getByTestId('shot');
const shotPrompts = (page: Page) => page.locator('[data-testid="shot"] textarea').evaluateAll((all) => all.map((t) => (t as HTMLTextAreaElement).value));

/** Downloads the clip on screen to a file and returns its path. */
async function download(page: Page, name: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download' }).click()]);
  const path = join(tmpdir(), `lantern-studio-${Date.now()}-${name}`);
  await writeFile(path, await readFile(await file.path()));
  return path;
}

const png = () => ({ name: 'first.png', mimeType: 'image/png', buffer: pngBytes(fixtureImage(), 128, 128) });

async function fillShots(page: Page, prompts: string[]): Promise<void> {
  while ((await shots(page).count()) < prompts.length) await page.getByRole('button', { name: 'Add shot' }).click();
  for (const [i, prompt] of prompts.entries()) await page.getByLabel(`Shot ${i + 1} prompt`).fill(prompt);
}

describe('studio', () => {
  test('an uploaded PNG is shown as the start image and becomes the first frame of the clip', async () => {
    await withPage(async (page) => {
      await page.locator('#start-image-file').setInputFiles(png());
      await page.getByTestId('start-image-preview').waitFor();
      expect(await page.getByTestId('start-image').textContent()).toMatch(/The clip starts from first.png/);
      await generateFromForm(page, { prompt: 'a red ball moves left', seed: 5 });
      await video(page).waitFor({ timeout: TIMEOUT });
      const file = await download(page, 'i2v.mp4');
      expect(ffprobe(file)).toMatchObject({ codec: 'h264', frames: 16 });
      // Measured 27 dB (the autoencoder's round trip and H.264); an unrelated frame scores under 5.
      expect(psnrRgb(ffmpegFrames(file, 128, 128)[0]!, fixtureImage())).toBeGreaterThan(20);

      // "Use this frame" takes the frame on screen as the next start image; Remove clears it.
      await video(page).evaluate((v) => (v as HTMLVideoElement).pause());
      await page.getByRole('button', { name: 'Use this frame' }).click();
      expect(await page.getByTestId('start-image').textContent()).toMatch(/The clip starts from frame \d+ of the clip/);
      await page.getByRole('button', { name: 'Remove', exact: true }).click();
      expect(await page.getByTestId('start-image-preview').count()).toBe(0);

      // Paste anywhere on the page, and drop on the start image box, do what the picker does.
      const bytes = [...png().buffer];
      for (const how of ['paste', 'drop'] as const) {
        await page.evaluate(
          ({ how, bytes }) => {
            const data = new DataTransfer();
            data.items.add(new File([new Uint8Array(bytes)], `${how}.png`, { type: 'image/png' }));
            const target = how === 'paste' ? document.body : document.querySelector('[data-testid="start-image"]')!;
            const event =
              how === 'paste'
                ? new ClipboardEvent('paste', { clipboardData: data, bubbles: true })
                : new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true });
            target.dispatchEvent(event);
          },
          { how, bytes },
        );
        await expect.poll(() => page.getByTestId('start-image').textContent()).toMatch(new RegExp(`The clip starts from ${how}.png`));
        await page.getByRole('button', { name: 'Remove', exact: true }).click();
      }
    });
  });

  test('Extend twice gives one clip of 16 + 12 + 12 frames that demuxes, decodes and plays', async () => {
    await withPage(async (page) => {
      await generateFromForm(page, { prompt: 'a red ball moves right on a meadow', seed: 2 });
      await video(page).waitFor({ timeout: TIMEOUT });
      expect(await framesShown(page)).toBe('16');
      await page.getByLabel('Extend with').fill('now the ball moves left');
      await page.getByRole('button', { name: 'Extend', exact: true }).click();
      await expect.poll(() => framesShown(page), { timeout: TIMEOUT }).toBe('28');
      await page.getByRole('button', { name: 'Extend', exact: true }).click();
      await expect.poll(() => framesShown(page), { timeout: TIMEOUT }).toBe('40');
      expect(await page.getByTestId('clip-facts').textContent()).toMatch(/extended from 28 frames/);

      const playing = await video(page).evaluate(async (el) => {
        const v = el as HTMLVideoElement;
        if (v.readyState < 2) await new Promise((resolve) => v.addEventListener('loadeddata', resolve, { once: true }));
        const t0 = v.currentTime;
        await new Promise((resolve) => setTimeout(resolve, 600));
        return { duration: v.duration, advanced: v.currentTime !== t0, error: v.error?.message ?? null };
      });
      expect(playing).toMatchObject({ advanced: true, error: null });
      expect(playing.duration).toBeCloseTo(5, 1);
      expect(ffprobe(await download(page, 'extended.mp4'))).toMatchObject({ codec: 'h264', width: 128, height: 128, frames: 40 });
    });
  });

  test('a three-shot storyboard renders into one MP4 with its shots in order, and survives a reload', async () => {
    await withPage(async (page) => {
      await fillShots(page, ['a red ball moves right on a meadow', 'a blue star on a plain white background', 'the ball keeps moving right']);
      // Reorder: the star shot goes last, and becomes a cut from an image.
      await page.getByRole('button', { name: 'Move shot 2 down' }).click();
      expect(await shotPrompts(page)).toEqual(['a red ball moves right on a meadow', 'the ball keeps moving right', 'a blue star on a plain white background']);
      await page.getByLabel('Shot 3 image').setInputFiles(png());
      await page.getByAltText(/Shot 3 image: first.png/).waitFor();
      await page.getByLabel('Shot 1 seed').fill('21');

      await page.reload();
      await page.waitForFunction(() => window.lantern !== undefined);
      await page.evaluate(() => window.lantern?.ready);
      expect(await shotPrompts(page)).toEqual(['a red ball moves right on a meadow', 'the ball keeps moving right', 'a blue star on a plain white background']);
      expect(await page.getByLabel('Shot 1 seed').inputValue()).toBe('21');
      await page.getByAltText(/Shot 3 image: first.png/).waitFor();

      await page.getByLabel('Steps').fill(String(STEPS));
      await page.getByRole('button', { name: 'Render storyboard' }).click();
      await expect.poll(() => page.getByTestId('storyboard-summary').textContent(), { timeout: TIMEOUT }).toMatch(/^3 of 3 shots rendered: 44 frames\.$/);
      expect(await shots(page).evaluateAll((all) => all.map((s) => s.getAttribute('data-status')))).toEqual(['done', 'done', 'done']);
      expect(await framesShown(page)).toBe('44');
      const file = await download(page, 'storyboard.mp4');
      expect(ffprobe(file)).toMatchObject({ codec: 'h264', frames: 44 });
      // In order: shot 3 (the cut) starts at frame 28 from the image; shot 1 does not start from it.
      const frames = ffmpegFrames(file, 128, 128);
      expect(psnrRgb(frames[28]!, fixtureImage())).toBeGreaterThan(20);
      expect(psnrRgb(frames[0]!, fixtureImage())).toBeLessThan(15);
    });
  });

  test('Cancel mid-storyboard keeps the finished shots on screen and the shots in the panel', async () => {
    await withPage(async (page) => {
      await page.getByLabel('Steps').fill('30');
      await fillShots(page, ['a red ball moves right', 'the ball keeps moving right', 'the ball stops']);
      await page.getByRole('button', { name: 'Render storyboard' }).click();
      await expect.poll(() => shots(page).nth(1).getAttribute('data-status'), { timeout: TIMEOUT }).toBe('running');
      await page.getByRole('button', { name: 'Cancel storyboard' }).click();
      await expect
        .poll(() => page.getByTestId('storyboard-summary').textContent(), { timeout: 60_000 })
        .toMatch(/^1 of 3 shots rendered \(canceled; the finished shots are kept\): 16 frames\.$/);
      expect(await shots(page).evaluateAll((all) => all.map((s) => s.getAttribute('data-status')))).toEqual(['done', 'canceled', 'canceled']);
      expect(await framesShown(page)).toBe('16');
      expect(ffprobe(await download(page, 'canceled.mp4'))).toMatchObject({ frames: 16 });
      expect(await shotPrompts(page)).toEqual(['a red ball moves right', 'the ball keeps moving right', 'the ball stops']);
    });
  });

  test('hostile files are named errors and leave the clip and the storyboard as they were', async () => {
    await withPage(async (page) => {
      await fillShots(page, ['a red ball moves right', 'the ball stops']);
      await generateFromForm(page, { prompt: 'a red ball moves right', seed: 8 });
      await video(page).waitFor({ timeout: TIMEOUT });
      const hugeHeader = Buffer.alloc(33);
      hugeHeader.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
      hugeHeader.writeUInt32BE(20000, 16);
      hugeHeader.writeUInt32BE(20000, 20);
      const cases: [string, { name: string; mimeType: string; buffer: Buffer }, string, RegExp][] = [
        ['#start-image-file', { name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) }, 'ImageInputError', /empty.png is empty/],
        ['#start-image-file', { name: 'huge.png', mimeType: 'image/png', buffer: hugeHeader }, 'ImageInputError', /20000x20000 pixels/],
        ['#start-image-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') }, 'ImageInputError', /not an image/],
        [
          'input[aria-label="Extend a video file"]',
          { name: 'broken.mp4', mimeType: 'video/mp4', buffer: Buffer.alloc(5000, 7) },
          'VideoInputError',
          /broken.mp4 is not a video file/,
        ],
        [
          'input[aria-label="Import shots.json"]',
          { name: 'many.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(Array.from({ length: 1000 }, () => ({ prompt: 'x' })))) },
          'StoryboardError',
          /1000 shots; Lantern renders at most 64/,
        ],
        [
          'input[aria-label="Import shots.json"]',
          { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('[{"prompt": ') },
          'StoryboardError',
          /not valid JSON/,
        ],
      ];
      for (const [input, file, name, message] of cases) {
        await page.locator(input).setInputFiles(file);
        // Each case's message differs from the one before, so a stale alert cannot pass.
        await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 30_000 }).toMatch(message);
        expect(await errorName(page)).toBe(name);
        expect(await framesShown(page), `${file.name}: the clip stays`).toBe('16');
        expect(await shotPrompts(page), `${file.name}: the storyboard stays`).toEqual(['a red ball moves right', 'the ball stops']);
        expect(await page.getByTestId('start-image-preview').count()).toBe(0);
      }
      const saved = await page.evaluate(() => JSON.parse(localStorage.getItem('lantern.storyboard.v1') ?? 'null'));
      expect(saved.shots.map((s: { prompt: string }) => s.prompt)).toEqual(['a red ball moves right', 'the ball stops']);
    });
  });
});
