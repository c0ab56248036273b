// Starts the app's Vite dev server and Debian's headless Chromium, for the
// CLI (scripts/generate.mjs) and the end-to-end tests (e2e/). Plain ESM so
// Node 20 runs it without a TypeScript step; types in browser-session.d.mts.
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { requireChromium } from './chromium.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The same flags as vitest.config.ts: WebGPU on (SwiftShader where there is no GPU). */
export const CHROMIUM_ARGS = ['--enable-unsafe-webgpu'];

/**
 * The app's dev server on a free port of 127.0.0.1, without file watching or
 * hot reload (nothing edits files during a run). Returns its URL and close().
 */
export async function startAppServer({ logLevel = 'warn' } = {}) {
  const server = await createServer({
    root: ROOT,
    configFile: `${ROOT}vite.config.ts`,
    logLevel,
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false, watch: null, hmr: false },
  });
  try {
    await server.listen();
  } catch (error) {
    await server.close();
    throw error;
  }
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) {
    await server.close();
    throw new Error('The Vite server started but reported no local URL.');
  }
  return { url, close: () => server.close() };
}

/** Headless Chromium (scripts/chromium.mjs finds it, or says how to install it) with WebGPU on, and any `extraArgs`. */
export async function launchBrowser(extraArgs = []) {
  const executablePath = requireChromium();
  try {
    return await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...extraArgs], headless: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(
      `Could not start Chromium at ${executablePath} (${message}). Reinstall it with 'apt-get install --reinstall chromium' or set CHROMIUM_PATH.`,
    );
  }
}

/**
 * A new page of the app at `url` with `?backend=`, once `window.lantern` is
 * there; page errors go to stderr. `prepare(page)` runs before the page loads
 * (Playwright's exposeFunction must).
 */
export async function openLanternPage(browser, url, backend, prepare = async () => undefined) {
  const page = await browser.newPage();
  page.on('pageerror', (error) => process.stderr.write(`page error: ${error.message}\n`));
  await prepare(page);
  await page.goto(`${url}?backend=${backend}`);
  await page.waitForFunction(() => window.lantern !== undefined);
  return page;
}
