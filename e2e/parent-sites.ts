// Pages of other sites that embed Lantern, for e2e/embed.e2e.test.ts: each
// a tiny HTTP server on a free port of 127.0.0.1, reached by a hostname of
// its own (school-a.test, ...) that Chromium maps to 127.0.0.1, so each is
// its own site, as a school's web site is. Chromium treats them as secure
// contexts (a flag; http://127.0.0.1, where Lantern runs, is one anyway).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../scripts/browser-session.mjs';
import { requireChromium } from '../scripts/chromium.mjs';

export type ParentSite = { origin: string; close(): Promise<void> };

/** Serves `pages()` (path to HTML, read per request) at http://<host>:<free port>. */
export async function startParentSite(host: string, pages: () => Record<string, string>): Promise<ParentSite> {
  const server = createServer((req, res) => {
    const html = pages()[new URL(req.url ?? '/', 'http://x').pathname];
    if (html === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'Content-Type': 'text/html' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Chromium flags: every *.test host is 127.0.0.1, and these origins count as secure. */
export function parentSiteFlags(origins: readonly string[]): string[] {
  return ['--host-resolver-rules=MAP *.test 127.0.0.1', `--unsafely-treat-insecure-origin-as-secure=${origins.join(',')}`];
}

export const page = (body: string, head = ''): string => `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;

/**
 * A browser profile that lets sites inside other sites keep data (third-party cookies allowed: Chrome's
 * default outside private windows), so an embed keeps a model store and a service worker. Debian's Chromium blocks them by default, and then the embed keeps nothing. A persistent
 * profile, as Playwright's own contexts are off the record; close() deletes its folder.
 */
export async function launchProfileAllowingThirdPartyStorage(extraArgs: string[]): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'lantern-profile-'));
  await mkdir(join(dir, 'Default'));
  // 0 = allow third-party cookies (1 blocks them in private windows only, 2 everywhere).
  await writeFile(join(dir, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }));
  const context = await chromium.launchPersistentContext(dir, { executablePath: requireChromium(), args: [...CHROMIUM_ARGS, ...extraArgs], headless: true });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
