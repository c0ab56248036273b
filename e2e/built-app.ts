// The built app for the offline and privacy tests: `vite build` into a
// folder, and `vite preview` serving it on a free port of 127.0.0.1 (with
// the Content-Security-Policy header, pwa.config.ts), or a bare static
// server without that header. A service worker, the precache and the
// strict policy exist only in a build.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { preview } from 'vite';
import { ROOT } from '../scripts/browser-session.mjs';

/**
 * Runs `vite build` in a child process: Vitest sets NODE_ENV=test in its
 * own, and Vite would then build with `import.meta.env.PROD` false. A
 * `version` replaces package.json's in the page (__LANTERN_VERSION__), which
 * changes the bundle and so the service worker: a new version to deploy.
 */
export function buildApp(outDir: string, options: { version?: string } = {}): Promise<void> {
  const script = `
    const { build } = await import('vite');
    const version = process.env.LANTERN_TEST_VERSION;
    await build({
      root: ${JSON.stringify(ROOT)},
      configFile: ${JSON.stringify(`${ROOT}vite.config.ts`)},
      logLevel: 'warn',
      build: { outDir: ${JSON.stringify(outDir)}, emptyOutDir: true },
      ...(version ? { define: { __LANTERN_VERSION__: JSON.stringify(version) } } : {}),
    });`;
  const env: NodeJS.ProcessEnv = { ...process.env, LANTERN_TEST_VERSION: options.version ?? '' };
  delete env['NODE_ENV'];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env, timeout: 180_000 }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`vite build into ${outDir} failed: ${error.message}\n${stderr}`));
    });
  });
}

export type BuiltAppServer = { url: string; close(): Promise<void> };

/** `vite preview` of `outDir`. It reads files per request, so a new build into the same folder is served at once. */
export async function serveBuild(outDir: string): Promise<BuiltAppServer> {
  const server = await preview({
    root: ROOT,
    configFile: `${ROOT}vite.config.ts`,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) {
    await server.close();
    throw new Error('vite preview started but reported no local URL.');
  }
  return { url, close: () => server.close() };
}

/** A build in a temporary folder, served by `vite preview`; close() also deletes the folder. */
export async function buildAndServe(): Promise<BuiltAppServer> {
  const outDir = await mkdtemp(join(tmpdir(), 'lantern-build-'));
  try {
    await buildApp(outDir);
    const server = await serveBuild(outDir);
    return { url: server.url, close: () => server.close().finally(() => rm(outDir, { recursive: true, force: true })) };
  } catch (error) {
    await rm(outDir, { recursive: true, force: true });
    throw error;
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
};

/**
 * A bare static host for `outDir` (files, index.html for '/', 404 otherwise),
 * sending no Content-Security-Policy header: what many static hosts do.
 */
export async function serveStatic(outDir: string): Promise<BuiltAppServer> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://host').pathname));
    const file = join(outDir, path.endsWith('/') ? `${path}index.html` : path);
    readFile(file).then(
      (body) => res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Chromium keeps connections alive; close() alone would wait for them.
        server.closeAllConnections();
      }),
  };
}
