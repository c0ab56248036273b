// One app server for every e2e test file: the Vite dev server the CLI also
// uses (scripts/browser-session.mjs), on a free port of 127.0.0.1.
import type { TestProject } from 'vitest/node';
import { startAppServer } from '../scripts/browser-session.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startAppServer();
  project.provide('appUrl', server.url);
  return () => server.close();
}
