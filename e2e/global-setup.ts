// One app server for every e2e test file: the Vite dev server the CLI also
// uses (scripts/browser-session.mjs), on a free port of 127.0.0.1.
// LANTERN_E2E_BUILD=1 serves the built app instead (vite build + vite
// preview: service worker, strict Content-Security-Policy), to run the same
// tests against what is deployed.
import type { TestProject } from 'vitest/node';
import { startAppServer } from '../scripts/browser-session.mjs';
import { buildAndServe } from './built-app';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = process.env['LANTERN_E2E_BUILD'] === '1' ? await buildAndServe() : await startAppServer();
  project.provide('appUrl', server.url);
  return () => server.close();
}
