// Everyday use without a mouse and on small screens: Ctrl+Enter generates
// and Escape cancels from anywhere on the page; every control has a name a
// screen reader reads; keyboard focus is visible; and the layout fits a
// 390x844 phone and a 1440x900 laptop without sideways scrolling.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser } from '../scripts/browser-session.mjs';
import { openApp } from './support';

const appUrl = inject('appUrl');
const TIMEOUT = 240_000;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const panel = (page: Page) => page.locator('section[aria-label="Progress"]');

/** Every visible control (button, link, field, tab) without an accessible name: what a screen reader would read as nothing. */
function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const controls = [...document.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea, [role="tab"]')];
    const visible = (el: HTMLElement) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const named = (el: HTMLElement): boolean => {
      if ((el.getAttribute('aria-label') ?? '').trim() !== '') return true;
      const by = el.getAttribute('aria-labelledby');
      if (by?.split(/\s+/).some((id) => (document.getElementById(id)?.textContent ?? '').trim() !== '')) return true;
      const labels = (el as HTMLInputElement).labels;
      if (labels !== undefined && labels !== null && [...labels].some((l) => (l.textContent ?? '').trim() !== '')) return true;
      if ((el.tagName === 'BUTTON' || el.tagName === 'A' || el.getAttribute('role') === 'tab') && (el.textContent ?? '').trim() !== '') return true;
      return (el.getAttribute('title') ?? '').trim() !== '';
    };
    return controls.filter((el) => visible(el) && !named(el)).map((el) => el.outerHTML.slice(0, 120));
  });
}

describe('everyday use', () => {
  test('Ctrl+Enter generates and Escape cancels, from the keyboard alone; Tab reaches the controls with a visible focus ring', async () => {
    const { page, errors } = await openApp(browser, appUrl, 'wasm');
    try {
      const prompt = page.getByLabel('Prompt', { exact: true });
      await prompt.focus();
      await page.keyboard.type('a blue cube slides left');
      await page.getByLabel('Steps').focus();
      await page.keyboard.press('Control+A');
      await page.keyboard.type('40');
      await page.keyboard.press('Control+Enter');
      await expect.poll(() => panel(page).getAttribute('data-phase'), { timeout: 120_000 }).toBe('denoise');
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByRole('alert').first().getAttribute('data-error-name'), { timeout: 30_000 }).toBe('GenerationCanceledError');
      expect(await panel(page).getAttribute('data-status')).toBe('ready');

      // Back to a quick clip, started with Cmd+Enter (Meta) from another field.
      await page.getByLabel('Steps').fill('2');
      await page.getByLabel('Negative prompt').focus();
      await page.keyboard.press('Meta+Enter');
      await page.getByLabel('Generated clip').waitFor({ timeout: TIMEOUT });

      // Tab moves through the page; each stop shows a focus ring (an outline).
      await prompt.focus();
      const rings: { tag: string; outline: string }[] = [];
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Tab');
        rings.push(
          await page.evaluate(() => {
            const el = document.activeElement as HTMLElement;
            const style = getComputedStyle(el);
            return { tag: `${el.tagName}#${el.id}`, outline: `${style.outlineStyle} ${style.outlineWidth}` };
          }),
        );
      }
      const without = rings.filter((r) => r.outline.startsWith('none') || r.outline.endsWith(' 0px'));
      expect(without, `focus without a visible ring: ${JSON.stringify(without)}`).toEqual([]);
      expect(await unnamedControls(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  test.each([
    ['a 390x844 phone', { width: 390, height: 844 }],
    ['a 1440x900 laptop', { width: 1440, height: 900 }],
  ])('on %s every screen fits the width and every control is named', async (_, viewport) => {
    const { page, errors } = await openApp(browser, appUrl, 'wasm');
    try {
      await page.setViewportSize(viewport);
      for (const tab of ['Generate', 'Gallery', 'Models']) {
        await page.getByRole('tab', { name: tab }).click();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${tab}: the page scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
        expect(await unnamedControls(page), `${tab}: controls without a name`).toEqual([]);
      }
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
