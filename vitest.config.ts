import { playwright } from '@vitest/browser-playwright';
import { defineConfig, mergeConfig } from 'vitest/config';
import { chromiumPath } from './scripts/chromium.mjs';
import { modelTestServer } from './test/support/model-server.ts';
import viteConfig from './vite.config.ts';

// Debian's Chromium, or CHROMIUM_PATH (Playwright cannot download its own browsers here;
// `npm test` and `npm run bench` install or name it first: scripts/chromium.mjs); the
// flag turns on WebGPU, which headless Chromium serves with SwiftShader.
// LANTERN_BROWSER_PROFILE=<dir> runs in a persistent, disk-backed profile there. Playwright's
// default context is off the record: IndexedDB and its Blobs stay in memory, and Chromium
// refused more than about 1.3 GB of them (a QuotaExceededError), so the 2.5 GB model store run
// (test/store-scale.browser.test.ts) needs this. Vitest ignores it when files run in parallel.
const profile = process.env['LANTERN_BROWSER_PROFILE'];
const chromium = playwright({
  launchOptions: {
    executablePath: chromiumPath(),
    args: ['--enable-unsafe-webgpu'],
  },
  ...(profile === undefined || profile === '' ? {} : { persistentContext: profile }),
});

const browser = {
  enabled: true,
  headless: true,
  screenshotFailures: false,
  provider: chromium,
  instances: [{ browser: 'chromium' as const }],
};

export default mergeConfig(
  viteConfig,
  defineConfig({
    // Synthetic models over HTTP for the model store's tests and benchmarks (/__lantern-test/...).
    plugins: [modelTestServer()],
    // Pre-bundled up front: discovered mid-run, Vite re-optimises and reloads the browser test page.
    optimizeDeps: { include: ['mediabunny', 'comlink', 'idb', '@contentauth/c2pa-wasm', '@peculiar/x509', 'cbor2', 'reflect-metadata'] },
    test: {
      // vite-plugin-solid would default the environment to jsdom; nothing here needs a fake DOM.
      environment: 'node',
      projects: [
        {
          extends: true,
          test: { name: 'node', environment: 'node', include: ['test/**/*.node.test.ts'] },
        },
        {
          extends: true,
          test: { name: 'browser', include: ['test/**/*.browser.test.ts'], browser, testTimeout: 120_000 },
        },
        {
          // The app end to end: playwright-core drives Debian's Chromium against the Vite dev
          // server that e2e/global-setup.ts starts (the same one `npm run generate` uses). Run
          // on its own after the other projects (scripts/test.sh); one file at a time.
          extends: true,
          test: {
            name: 'e2e',
            environment: 'node',
            include: ['e2e/**/*.e2e.test.ts'],
            globalSetup: ['e2e/global-setup.ts'],
            fileParallelism: false,
            testTimeout: 300_000,
            hookTimeout: 120_000,
          },
        },
        {
          // Not part of `npm test`: `npm run bench` prints timing tables.
          extends: true,
          test: { name: 'bench', include: ['bench/**/*.bench.ts'], browser, testTimeout: 600_000 },
        },
      ],
    },
  }),
);
