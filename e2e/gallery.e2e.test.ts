// The studio around a clip, as a person uses it in headless Chromium against
// the real engine and model (WASM; few steps: these check the plumbing, not
// the pictures): edit by instruction, the gallery (and its survival of a
// reload, a delete and a damaged record), recipe links that make the same
// frames in a fresh browser, and variations. A full quota is tested on the
// gallery's store in a storage bucket (test/gallery-state.browser.test.ts):
// this Chromium cannot lower the page's own origin quota from a test.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser } from '../scripts/browser-session.mjs';
import { generateFromForm, openApp } from './support';

const appUrl = inject('appUrl');
const STEPS = 2;
const TIMEOUT = 300_000;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function withPage(run: (page: Page) => Promise<void>, url = appUrl): Promise<void> {
  const { page, errors } = await openApp(browser, url, 'wasm');
  try {
    await page.getByLabel('Steps').fill(String(STEPS));
    await run(page);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  } finally {
    await page.close();
  }
}

const fingerprint = (page: Page) => page.getByTestId('clip-fingerprint').textContent();
const storedClips = (page: Page) => page.evaluate(async () => (await window.lantern!.gallery()).clips.map((c) => ({ id: c.id, recipe: c.recipe })));

/** Waits until the clip on screen is stored in the gallery and fingerprinted; returns its fingerprint. */
async function clipDone(page: Page, storedBefore: number): Promise<string> {
  await expect.poll(async () => (await storedClips(page)).length, { timeout: TIMEOUT }).toBe(storedBefore + 1);
  await expect.poll(() => fingerprint(page), { timeout: 30_000 }).toMatch(/^[0-9a-f]{64}$/);
  await expect.poll(() => page.getByTestId('clip-facts').textContent()).toMatch(/in the gallery/);
  return (await fingerprint(page))!;
}

async function openGallery(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Gallery' }).click();
  await page.getByTestId('gallery-usage').filter({ hasText: /clip/ }).waitFor();
}

describe('studio around a clip', () => {
  test('edit by instruction shows the edited prompt, makes the clip, and both clips stay in the gallery across a reload; delete removes one', async () => {
    await withPage(async (page) => {
      await generateFromForm(page, { prompt: 'a red ball moves left on a plain yellow background', seed: 7 });
      const original = await clipDone(page, 0);

      await page.getByLabel('Change', { exact: true }).fill('make it blue');
      await page.getByRole('button', { name: 'Rewrite prompt' }).click();
      expect(await page.getByLabel('Edited prompt').inputValue()).toBe('a blue ball moves left on a plain yellow background');
      expect(await page.getByTestId('edit-summary').textContent()).toMatch(/red → blue/);
      expect(await page.getByLabel(/How much may change/).inputValue()).toBe('0.9');
      await page.getByRole('button', { name: 'Apply edit' }).click();
      const edited = await clipDone(page, 1);
      expect(edited).not.toBe(original);
      expect(await page.getByTestId('seed-used').textContent()).toBe('7');

      // The edit's recipe names its parent (with the parent's recipe) and the instruction.
      const [edit, first] = await storedClips(page);
      expect(edit!.recipe).toMatchObject({ prompt: 'a blue ball moves left on a plain yellow background', seed: 7, steps: STEPS, backend: 'wasm' });
      expect(edit!.recipe.source).toMatchObject({ kind: 'edit', instruction: 'make it blue', strength: 0.9, parent: { galleryId: first!.id } });
      expect((edit!.recipe.source as { parent: { recipe: { prompt: string } } }).parent.recipe.prompt).toBe(first!.recipe.prompt);

      // An instruction the rewriter cannot map says so and what it can do.
      await page.getByLabel('Change', { exact: true }).fill('make it dance the tango');
      await page.getByRole('button', { name: 'Rewrite prompt' }).click();
      await expect.poll(() => page.locator('.edit [role="alert"]').getAttribute('data-error-name')).toBe('InstructionNotUnderstoodError');

      await page.reload();
      await page.evaluate(() => window.lantern?.ready);
      await openGallery(page);
      const cards = page.getByRole('list', { name: 'Stored clips' }).getByRole('article');
      await expect.poll(() => cards.count()).toBe(2);
      expect(await cards.nth(0).getAttribute('aria-label')).toMatch(/blue ball/);
      expect(await cards.nth(1).getAttribute('aria-label')).toMatch(/red ball/);

      // Play one, then delete the original: asked first, then only it goes.
      await cards.nth(0).getByRole('button', { name: 'Play', exact: true }).click();
      await page.getByLabel('Gallery clip').waitFor();
      await cards.nth(1).getByRole('button', { name: 'Delete', exact: true }).click();
      await cards.nth(1).getByRole('button', { name: 'Keep' }).click();
      expect(await cards.count()).toBe(2);
      await cards.nth(1).getByRole('button', { name: 'Delete', exact: true }).click();
      await cards.nth(1).getByRole('button', { name: 'Delete clip' }).click();
      await expect.poll(() => cards.count()).toBe(1);
      expect((await storedClips(page)).map((c) => c.id)).toEqual([edit!.id]);
      const video = await page.evaluate(async (id) => (await window.lantern!.gallery()).clips.find((c) => c.id === id)?.byteLength, edit!.id);
      expect(video).toBeGreaterThan(1000);

      // Remix puts the clip's settings back into the form.
      await cards.nth(0).getByRole('button', { name: 'Remix' }).click();
      expect(await page.getByLabel('Prompt', { exact: true }).inputValue()).toBe('a blue ball moves left on a plain yellow background');
      expect(await page.getByLabel('Seed', { exact: true }).inputValue()).toBe('7');
    });
  });

  test('a recipe link opened in a fresh browser makes the same frames on the same backend; a link for another model or a damaged one says so', async () => {
    let link = '';
    let made = '';
    await withPage(async (page) => {
      await generateFromForm(page, { prompt: 'a green star spins in the sky', seed: 11 });
      made = await clipDone(page, 0);
      await page.getByRole('button', { name: 'Copy link' }).click();
      link = await page.getByLabel('Recipe link').inputValue();
    });
    expect(link).toMatch(/#recipe=[A-Za-z0-9_-]+$/);

    const withBackend = (url: string) => {
      const u = new URL(url);
      u.search = '?backend=wasm';
      return u.href;
    };
    // A fresh browser context: no gallery, no stored model; the link carries the recipe only.
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(withBackend(link));
      await page.evaluate(() => window.lantern?.ready);
      expect(await page.getByLabel('Prompt', { exact: true }).inputValue()).toBe('a green star spins in the sky');
      expect(await page.getByLabel('Seed', { exact: true }).inputValue()).toBe('11');
      expect(await page.getByLabel('Steps').inputValue()).toBe(String(STEPS));
      await page.getByRole('button', { name: 'Make this clip' }).click();
      await expect.poll(() => fingerprint(page), { timeout: TIMEOUT }).toMatch(/^[0-9a-f]{64}$/);
      expect(await fingerprint(page)).toBe(made);

      // The same recipe for a model this browser does not have.
      const payload = link.split('#recipe=')[1]!;
      const recipe = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      recipe.model = { id: 'sora-xl', version: '2.0' };
      await page.goto(withBackend(`${link.split('#')[0]}#recipe=${Buffer.from(JSON.stringify(recipe)).toString('base64url')}`));
      await page.evaluate(() => window.lantern?.ready);
      const banner = page.getByRole('region', { name: 'Recipe link' });
      await expect.poll(() => banner.textContent()).toMatch(/needs the model 'sora-xl' at version '2.0'/);
      expect(await banner.getByRole('button', { name: 'Make this clip' }).isDisabled()).toBe(true);

      // A damaged link: a named error, and the page works as usual.
      await page.goto(withBackend(`${link.split('#')[0]}#recipe=%%%not-base64`));
      await page.evaluate(() => window.lantern?.ready);
      await expect.poll(() => banner.getByRole('alert').getAttribute('data-error-name')).toBe('RecipeLinkError');
      expect(await page.getByRole('button', { name: 'Generate' }).isEnabled()).toBe(true);
    } finally {
      await context.close();
    }
  });

  test('variations of 3 give 3 clips with 3 seeds side by side; one is picked to work on', async () => {
    await withPage(async (page) => {
      await page.getByLabel('Prompt', { exact: true }).fill('a blue square bounces on a meadow');
      await page.getByLabel('Seed', { exact: true }).fill('100');
      await page.getByLabel('Variations').selectOption('3');
      await page.getByRole('button', { name: 'Make variations' }).click();
      const variations = page.getByRole('region', { name: 'Variations' }).getByRole('listitem');
      await expect.poll(() => variations.locator('video').count(), { timeout: TIMEOUT }).toBe(3);
      expect(await variations.evaluateAll((items) => items.map((i) => i.getAttribute('data-seed')))).toEqual(['100', '101', '102']);
      await expect.poll(async () => (await storedClips(page)).map((c) => c.recipe.seed).sort(), { timeout: 30_000 }).toEqual([100, 101, 102]);

      await variations.nth(1).getByRole('button', { name: 'Keep working on this' }).click();
      expect(await page.getByTestId('seed-used').textContent()).toBe('101');
      expect(await page.getByLabel('Seed', { exact: true }).inputValue()).toBe('101');
    });
  });

  test('a damaged gallery record is reported and skipped; the rest of the gallery works', async () => {
    await withPage(async (page) => {
      await generateFromForm(page, { prompt: 'a yellow triangle moves up at night', seed: 3 });
      await clipDone(page, 0);
      await page.evaluate(async () => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open('lantern-gallery');
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        const tx = db.transaction(['clips', 'videos'], 'readwrite');
        tx.objectStore('clips').put({ id: 'broken-1', createdAt: 'yesterday', recipe: { v: 1, seed: 'seven' } });
        tx.objectStore('videos').put(new Blob(['not a video']), 'broken-1');
        await new Promise((resolve) => {
          tx.oncomplete = resolve;
        });
        db.close();
      });
      await page.reload();
      await page.evaluate(() => window.lantern?.ready);
      await openGallery(page);
      const damaged = page.getByTestId('gallery-damaged');
      await expect.poll(() => damaged.textContent()).toMatch(/1 gallery record could not be read.*broken-1/);
      expect(await page.getByRole('list', { name: 'Stored clips' }).getByRole('article').count()).toBe(1);
      await damaged.getByRole('button', { name: 'Remove it' }).click();
      await expect.poll(() => damaged.count()).toBe(0);
      expect((await page.evaluate(async () => (await window.lantern!.gallery()).damaged)).length).toBe(0);
    });
  });
});
