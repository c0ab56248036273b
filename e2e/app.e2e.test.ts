// The app end to end, in headless Chromium (Debian's, WebGPU on SwiftShader)
// against the real engine, model and encoder: what a person does on the first
// screen, and what a script does through window.lantern.
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser } from '../scripts/browser-session.mjs';
import { firstBoxType, generateFromForm, openApp, progressLog, readMp4, recordProgress } from './support';

const appUrl = inject('appUrl');
/** Few steps: these tests check the plumbing, not the pictures. */
const STEPS = 3;
/**
 * Generations run on WASM: WebGPU here is SwiftShader, a CPU emulation that
 * takes about 40 s per denoising step (measured), against under 1 s on WASM.
 * One test runs the WebGPU path once, with a single step.
 */
const FAST = 'wasm';
const PHASE_ORDER = ['encodeText', 'denoise', 'decode', 'encode'];

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function withPage<T>(backend: 'auto' | 'wasm' | 'webgpu', run: (page: Page) => Promise<T>): Promise<T> {
  const { page, errors } = await openApp(browser, appUrl, backend);
  try {
    const value = await run(page);
    expect(errors, 'uncaught errors in the page').toEqual([]);
    return value;
  } finally {
    await page.close();
  }
}

const alert = (page: Page) => page.getByRole('alert');
const video = (page: Page) => page.getByLabel('Generated clip');

describe('first screen', () => {
  test('prompt -> Generate: progress through every phase, a live preview, a playing MP4 and a named download', async () => {
    await withPage(FAST, async (page) => {
      await expect.poll(() => page.getByTestId('backend-status').textContent()).toMatch(/^(WebGPU|WASM)/);
      await recordProgress(page);
      const prompt = 'a red ball bounces on a meadow';
      await generateFromForm(page, { prompt, seed: 7, steps: STEPS });

      await video(page).waitFor({ timeout: 240_000 });
      const { log, previewSteps } = await progressLog(page);
      const phases = log.map((r) => r.phase).filter((p, i, all) => p !== 'none' && p !== all[i - 1]);
      expect(phases).toEqual(PHASE_ORDER);
      const fractions = log.filter((r) => r.phase !== 'none').map((r) => r.fraction);
      for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1] as number);
      expect(fractions.at(-1)).toBeCloseTo(1, 5);
      expect(previewSteps.length, 'preview frames drawn while denoising').toBeGreaterThan(0);
      expect(Math.max(...previewSteps)).toBeLessThanOrEqual(STEPS);

      // The player plays the clip: it has decoded data, the model's length, and time moves.
      const playing = await video(page).evaluate(async (el) => {
        const v = el as HTMLVideoElement;
        if (v.readyState < 2) await new Promise((resolve) => v.addEventListener('loadeddata', resolve, { once: true }));
        const t0 = v.currentTime;
        await new Promise((resolve) => setTimeout(resolve, 600));
        return {
          readyState: v.readyState,
          duration: v.duration,
          loop: v.loop,
          muted: v.muted,
          advanced: v.currentTime !== t0,
          w: v.videoWidth,
          h: v.videoHeight,
          error: v.error?.message ?? null,
        };
      });
      expect(playing).toMatchObject({ loop: true, muted: true, advanced: true, w: 128, h: 128, error: null });
      expect(playing.readyState).toBeGreaterThanOrEqual(2);
      expect(playing.duration).toBeCloseTo(2, 1);
      await expect.poll(() => page.getByTestId('seed-used').textContent()).toBe('7');

      // Download: the anchor's name, and the bytes a person gets are a valid MP4 of the clip.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download' }).click()]);
      expect(download.suggestedFilename()).toBe('lantern-a-red-ball-bounces-on-a-meadow-seed7.mp4');
      const bytes = new Uint8Array(await readFile(await download.path()));
      expect(firstBoxType(bytes)).toBe('ftyp');
      expect(await readMp4(bytes)).toMatchObject({ codec: 'avc', width: 128, height: 128, packets: 16, fps: 8 });
      expect(await page.getByText(/Clip made in/).count()).toBe(1);
    });
  });

  test('Video format offers the codecs the model info lists; VP9 chosen gives a VP9 MP4 named so', async () => {
    await withPage(FAST, async (page) => {
      const codecs = await page.evaluate(async () => (await (window.lantern as NonNullable<Window['lantern']>).ready).codecs);
      expect(codecs).toEqual(['avc', 'vp9', 'av1']); // Chromium here encodes all three at 128x128
      const options = await page
        .getByLabel('Video format')
        .locator('option')
        .evaluateAll((all) => all.map((o) => ({ value: (o as HTMLOptionElement).value, disabled: (o as HTMLOptionElement).disabled, text: o.textContent })));
      expect(options).toEqual([
        { value: 'avc', disabled: false, text: 'H.264 (MP4)' },
        { value: 'vp9', disabled: false, text: 'VP9 (MP4)' },
        { value: 'av1', disabled: false, text: 'AV1 (MP4)' },
      ]);
      expect(await page.getByLabel('Video format').inputValue()).toBe('avc');

      await generateFromForm(page, { prompt: 'a red ball bounces on a meadow', seed: 7, steps: 1, codec: 'vp9' });
      await video(page).waitFor({ timeout: 240_000 });
      expect(await page.getByTestId('clip-facts').textContent()).toContain('VP9');
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download' }).click()]);
      expect(download.suggestedFilename()).toBe('lantern-a-red-ball-bounces-on-a-meadow-seed7-vp9.mp4');
      expect(await readMp4(new Uint8Array(await readFile(await download.path())))).toMatchObject({ codec: 'vp9', width: 128, height: 128, packets: 16 });
    });
  });

  test('Cancel mid-denoise ends in a named cancel, and Generate works again', async () => {
    await withPage(FAST, async (page) => {
      await recordProgress(page);
      await generateFromForm(page, { prompt: 'a blue cube slides left', seed: 3, steps: 40 });
      const panel = page.locator('section[aria-label="Progress"]');
      await expect.poll(() => panel.getAttribute('data-phase'), { timeout: 120_000 }).toBe('denoise');
      await page.getByRole('button', { name: 'Cancel', exact: true }).click();

      await expect.poll(() => alert(page).getAttribute('data-error-name'), { timeout: 30_000 }).toBe('GenerationCanceledError');
      const message = await alert(page).textContent();
      expect(message).toMatch(/Canceled/);
      // The engine must stop at a step boundary by itself; the client's fallback (terminating a
      // worker that ignores Cancel for 10 s, tested in engine-client.browser.test.ts) must not be needed.
      expect(message, 'the worker ignored Cancel and was restarted').not.toMatch(/restarted/);
      expect(await panel.getAttribute('data-status')).toBe('ready');
      expect(await video(page).count()).toBe(0);
      const { log } = await progressLog(page);
      expect(
        log.some((r) => r.phase === 'decode' || r.phase === 'encode'),
        'no decoding after cancel',
      ).toBe(false);

      await generateFromForm(page, { prompt: 'a blue cube slides left', seed: 3, steps: STEPS });
      await video(page).waitFor({ timeout: 240_000 });
      expect(await alert(page).count()).toBe(0);
      expect(await page.getByTestId('seed-used').textContent()).toBe('3');
    });
  });

  test('bad input gets named, readable errors and leaves the screen usable', async () => {
    await withPage(FAST, async (page) => {
      await generateFromForm(page, { prompt: '   ' });
      await expect.poll(() => alert(page).getAttribute('data-error-name'), { timeout: 60_000 }).toBe('EmptyPromptError');
      expect(await alert(page).textContent()).toMatch(/Type a prompt first/);
      expect(await page.getByRole('button', { name: 'Generate' }).isEnabled()).toBe(true);

      await generateFromForm(page, { prompt: 'a green star spins', steps: -3 });
      await expect.poll(() => alert(page).getAttribute('data-error-name'), { timeout: 60_000 }).toBe('InvalidSamplerSettingsError');
      expect(await alert(page).textContent()).toMatch(/-3/);

      // Past the model's token limit: it is cut, the screen says so, and a clip still comes.
      const long = Array.from({ length: 70 }, (_, i) => (i % 2 === 0 ? 'red' : 'ball')).join(' ');
      await generateFromForm(page, { prompt: long, seed: 1, steps: 1 });
      await expect.poll(() => page.getByText(/only the first \d+ are used/).count()).toBe(1);
      await video(page).waitFor({ timeout: 240_000 });
      expect(await page.getByTestId('truncated').textContent()).toMatch(/dropped the last \d+/);
    });
  });

  test('the backend says what runs and why; the override reloads the model on WASM and generates there', async () => {
    await withPage('auto', async (page) => {
      const status = page.getByTestId('backend-status');
      // These machines have no GPU: Chromium's WebGPU is SwiftShader, which 'auto' counts as none.
      expect(await status.textContent()).toBe('WASM — WebGPU here is a CPU implementation (SwiftShader); WASM is faster');
      await page.getByLabel('Backend').selectOption('wasm');
      await expect.poll(() => status.textContent(), { timeout: 120_000 }).toMatch(/^WASM — .*chosen/);
      expect(await page.evaluate(() => window.lantern?.backend())).toMatchObject({ backend: 'wasm' });
      await generateFromForm(page, { prompt: 'a yellow triangle falls', seed: 11, steps: STEPS });
      await video(page).waitFor({ timeout: 240_000 });
      expect(await page.getByTestId('clip-facts').textContent()).toMatch(/WASM/);
    });
  });

  // 100 s alone, 220 s measured inside `npm test` on 2 shared cores: SwiftShader runs on the CPU.
  test('WebGPU (with our attention kernels) makes a clip from the screen', { timeout: 540_000 }, async () => {
    await withPage('webgpu', async (page) => {
      expect(await page.getByTestId('backend-status').textContent()).toMatch(/^WebGPU/);
      expect(await page.getByTestId('backend-warning').textContent()).toBe(
        ' Warning: WebGPU here is a CPU implementation (SwiftShader), many times slower than WASM; choose Automatic or WASM.',
      );
      await generateFromForm(page, { prompt: 'a purple circle moves right', seed: 2, steps: 1 });
      await video(page).waitFor({ timeout: 500_000 });
      expect(await page.getByTestId('clip-facts').textContent()).toMatch(/WebGPU/);
      const readyState = await video(page).evaluate(async (el) => {
        const v = el as HTMLVideoElement;
        if (v.readyState < 2) await new Promise((resolve) => v.addEventListener('loadeddata', resolve, { once: true }));
        return v.readyState;
      });
      expect(readyState).toBeGreaterThanOrEqual(2);
    });
  });
});

describe('window.lantern', () => {
  test('the same seed gives the same frames; another seed does not', async () => {
    await withPage(FAST, async (page) => {
      const digests = await page.evaluate(async (steps) => {
        const lantern = window.lantern as NonNullable<Window['lantern']>;
        await lantern.ready;
        const digest = async (seed: number): Promise<string> => {
          const r = await lantern.generate({ prompt: 'a pink heart grows', seed, steps });
          const all = new Uint8Array(r.frames.reduce((n, f) => n + f.length, 0));
          let at = 0;
          for (const f of r.frames) {
            all.set(f, at);
            at += f.length;
          }
          const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
          return `${r.frames.length}:${Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('')}`;
        };
        return [await digest(5), await digest(5), await digest(6)];
      }, STEPS);
      expect(digests[0]).toMatch(/^16:/);
      // A generation started by a script shows on the page like one started by the button.
      expect(await page.getByTestId('seed-used').textContent()).toBe('6');
      expect(digests[1]).toBe(digests[0]);
      expect(digests[2]).not.toBe(digests[0]);
    });
  });
});
