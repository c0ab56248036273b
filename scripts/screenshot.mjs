#!/usr/bin/env node
// Makes docs/screenshot.png (the README's): the first screen after a
// generation on WASM with the model's default steps, the clip playing.
// Usage: npm run screenshot -- [--backend wasm|webgpu|auto] [--out docs/screenshot.png]
import { parseArgs } from 'node:util';
import { launchBrowser, ROOT, startAppServer } from './browser-session.mjs';
import { requireChromiumOrExit } from './chromium.mjs';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' }, out: { type: 'string', default: `${ROOT}docs/screenshot.png` } } });
requireChromiumOrExit();
const server = await startAppServer({ logLevel: 'error' });
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1040, height: 560 }, colorScheme: 'light' });
  await page.goto(`${server.url}?backend=${values.backend}`);
  await page.waitForFunction(() => window.lantern !== undefined);
  await page.evaluate(() => window.lantern.ready);
  await page.getByLabel('Prompt', { exact: true }).fill('a red ball bounces on a green meadow');
  await page.getByLabel('Seed', { exact: true }).fill('7');
  await page.getByRole('button', { name: 'Generate' }).click();
  const video = page.getByLabel('Generated clip');
  await video.waitFor({ timeout: 600_000 });
  await video.evaluate(async (el) => {
    if (el.readyState < 2) await new Promise((resolve) => el.addEventListener('loadeddata', resolve, { once: true }));
    el.pause();
    el.controls = false;
    el.currentTime = 1.2;
    await new Promise((resolve) => el.addEventListener('seeked', resolve, { once: true }));
  });
  await page.screenshot({ path: values.out, fullPage: true });
  console.log(`wrote ${values.out}`);
} finally {
  await browser.close();
  await server.close();
}
