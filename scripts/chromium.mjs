#!/usr/bin/env node
// The Chromium that the tests, the CLI, the benches and the screenshot script
// launch. Playwright cannot download its own browsers on these machines, so
// Lantern uses Debian's: `CHROMIUM_PATH` when set, else /usr/bin/chromium.
//
//   node scripts/chromium.mjs            find it; install Debian's when it is missing and this can
//   node scripts/chromium.mjs --no-install
//
// Where none is usable and it cannot be installed (not root, no apt-get, the
// install failed, or CHROMIUM_PATH names a browser that is not there), it
// prints one line naming what is missing and the command that installs it,
// and exits with CHROMIUM_MISSING_EXIT. Plain ESM with Node's own modules only,
// so it runs before `npm install`; types in chromium.d.mts.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Debian's `chromium` package installs this. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';
/** sysexits' EX_UNAVAILABLE: a required program is missing. */
export const CHROMIUM_MISSING_EXIT = 69;
const INSTALL_COMMAND = 'apt-get install chromium';

export class ChromiumMissingError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ChromiumMissingError';
  }
}

/** The browser Lantern launches: `CHROMIUM_PATH` when set, else Debian's. */
export function chromiumPath(env = process.env, debianPath = DEBIAN_CHROMIUM) {
  const chosen = env.CHROMIUM_PATH;
  return chosen === undefined || chosen === '' ? debianPath : chosen;
}

/** Why `path` cannot be launched, or null when it runs `--version`. */
function problemWith(path) {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return 'does not exist or is not executable';
  }
  try {
    execFileSync(path, ['--version'], { stdio: 'pipe', timeout: 30_000 });
    return null;
  } catch (error) {
    const detail = String(error.stderr ?? error.message)
      .trim()
      .split('\n')[0];
    return `does not run (${path} --version failed: ${detail})`;
  }
}

function canInstall() {
  return process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

function aptInstallChromium() {
  process.stderr.write(`Chromium is missing at ${DEBIAN_CHROMIUM}; installing Debian's chromium package (about a minute)...\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'chromium'],
  ]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (result.status !== 0) return `'apt-get ${args.join(' ')}' failed with status ${result.status ?? result.signal}`;
  }
  return null;
}

/**
 * The path of a Chromium that runs, installing Debian's when it is missing,
 * `install` allows it, and this process is root with apt-get. Otherwise a
 * ChromiumMissingError whose one-line message says what is missing and how
 * to install it. An explicit CHROMIUM_PATH is never replaced by another
 * browser. `debianPath` and `installer` are for the tests.
 */
export function requireChromium({ install = true, env = process.env, debianPath = DEBIAN_CHROMIUM, installer = aptInstallChromium } = {}) {
  const path = chromiumPath(env, debianPath);
  const problem = problemWith(path);
  if (problem === null) return path;
  if (path !== debianPath) {
    throw new ChromiumMissingError(
      `Chromium not found: CHROMIUM_PATH=${path} ${problem}. Point CHROMIUM_PATH at a Chromium binary, or unset it and install Debian's: ${INSTALL_COMMAND}`,
    );
  }
  if (install && canInstall()) {
    const failed = installer();
    const after = failed ?? problemWith(path);
    if (after === null) return path;
    throw new ChromiumMissingError(`Chromium not found: installing it failed (${after}). Install it by hand: ${INSTALL_COMMAND} (or set CHROMIUM_PATH)`);
  }
  const why = install ? ' (installing needs root and apt-get)' : '';
  throw new ChromiumMissingError(
    `Chromium not found: ${path} ${problem}${why}. Install it with: sudo ${INSTALL_COMMAND} (or set CHROMIUM_PATH to a Chromium binary)`,
  );
}

/** For scripts: the path, or the one line on stderr and exit CHROMIUM_MISSING_EXIT. */
export function requireChromiumOrExit(options) {
  try {
    return requireChromium(options);
  } catch (error) {
    if (!(error instanceof ChromiumMissingError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(CHROMIUM_MISSING_EXIT);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = requireChromiumOrExit({ install: !process.argv.includes('--no-install') });
  process.stderr.write(`Chromium: ${path}\n`);
}
