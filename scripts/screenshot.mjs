#!/usr/bin/env node
// Makes the README's screenshots: the first screen after a generation on
// WASM with the model's default steps, the clip playing and an edit
// rewritten ("make it blue"), on a 1440x900 laptop (docs/screenshot.png)
// and on a 390x844 phone (docs/screenshot-phone.png, the whole page).
// Usage: npm run screenshot -- [--backend wasm|webgpu|auto] [--out-dir docs]
import { parseArgs } from 'node:util';
import { launchBrowser, ROOT, startAppServer } from './browser-session.mjs';
import { requireChromiumOrExit } from './chromium.mjs';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' }, 'out-dir': { type: 'string', default: `${ROOT}docs` } } });
const LAYOUTS = [
  { name: 'screenshot.png', viewport: { width: 1440, height: 900 }, fullPage: false },
  { name: 'screenshot-phone.png', viewport: { width: 390, height: 844 }, fullPage: true },
];
requireChromiumOrExit();
const server = await startAppServer({ logLevel: 'error' });
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: LAYOUTS[0].viewport, colorScheme: 'light' });
  await page.goto(`${server.url}?backend=${values.backend}`);
  await page.waitForFunction(() => window.lantern !== undefined);
  await page.evaluate(() => window.lantern.ready);
  await page.getByLabel('Prompt', { exact: true }).fill('a red ball bounces on a green meadow');
  await page.getByLabel('Seed', { exact: true }).fill('7');
  await page.getByRole('button', { name: 'Generate' }).click();
  const video = page.getByLabel('Generated clip');
  await video.waitFor({ timeout: 600_000 });
  await page
    .getByTestId('clip-fingerprint')
    .filter({ hasText: /^[0-9a-f]{64}$/ })
    .waitFor();
  await page.getByLabel('Change', { exact: true }).fill('make it blue');
  await page.getByRole('button', { name: 'Rewrite prompt' }).click();
  await video.evaluate(async (el) => {
    if (el.readyState < 2) await new Promise((resolve) => el.addEventListener('loadeddata', resolve, { once: true }));
    el.pause();
    el.controls = false;
    el.currentTime = 1.2;
    await new Promise((resolve) => el.addEventListener('seeked', resolve, { once: true }));
  });
  for (const layout of LAYOUTS) {
    await page.setViewportSize(layout.viewport);
    await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
    const path = `${values['out-dir']}/${layout.name}`;
    await page.screenshot({ path, fullPage: layout.fullPage });
    console.log(`wrote ${path} (${layout.viewport.width}x${layout.viewport.height})`);
  }
} finally {
  await browser.close();
  await server.close();
}
