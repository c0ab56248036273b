// The check that guards every command launching Chromium (scripts/chromium.mjs):
// `npm test`, `npm run generate`, `npm run bench` and `npm run screenshot`
// stop at once, before any test or server starts, with one line naming what
// is missing and the command that installs it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../scripts/browser-session.mjs';
import { CHROMIUM_MISSING_EXIT, ChromiumMissingError, chromiumPath, requireChromium } from '../scripts/chromium.mjs';

const MISSING = '/nonexistent/lantern-test/chromium';
const MISSING_LINE = `Chromium not found: CHROMIUM_PATH=${MISSING} does not exist or is not executable. Point CHROMIUM_PATH at a Chromium binary, or unset it and install Debian's: apt-get install chromium`;

/** Runs a command of the project's with CHROMIUM_PATH pointing nowhere. */
function runWithoutChromium(command: string, args: string[]) {
  return spawnSync(command, args, {
    cwd: ROOT,
    env: { ...process.env, CHROMIUM_PATH: MISSING },
    encoding: 'utf8',
    timeout: 60_000, // a broken check would start the suite, the server or the bench: cut it off
  });
}

describe('the commands that launch Chromium, with no Chromium at CHROMIUM_PATH', () => {
  test.each([
    ['the check itself', 'node', ['scripts/chromium.mjs']],
    ['npm test (scripts/test.sh)', 'bash', ['scripts/test.sh']],
    ['npm run generate', 'node', ['scripts/generate.mjs', '--prompt', 'a red ball bounces on a meadow', '--seed', '7', '--out', join(tmpdir(), 'never.mp4')]],
    ['npm run screenshot', 'node', ['scripts/screenshot.mjs', '--out-dir', tmpdir()]],
  ])(`%s stops with the one line and exit ${CHROMIUM_MISSING_EXIT}`, (_name, command, args) => {
    const run = runWithoutChromium(command, args);
    expect(run.signal, 'killed by the timeout: the check did not stop it').toBeNull();
    expect(run.status).toBe(CHROMIUM_MISSING_EXIT);
    expect(run.stderr.trim()).toBe(MISSING_LINE);
    expect(run.stdout).not.toMatch(/== training|passed|Lantern at/);
  });

  test('npm run bench runs the check before Vitest', () => {
    const run = runWithoutChromium('npm', ['run', '--silent', 'bench']);
    expect(run.signal).toBeNull();
    expect(run.status).toBe(CHROMIUM_MISSING_EXIT);
    expect(run.stderr.trim()).toBe(MISSING_LINE);
  });
});

describe('requireChromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-chromium-'));

  test("takes CHROMIUM_PATH when set, else Debian's /usr/bin/chromium", () => {
    expect(chromiumPath({})).toBe('/usr/bin/chromium');
    expect(chromiumPath({ CHROMIUM_PATH: '' })).toBe('/usr/bin/chromium');
    expect(chromiumPath({ CHROMIUM_PATH: '/opt/chromium/chrome' })).toBe('/opt/chromium/chrome');
  });

  test('a missing Debian Chromium that may not be installed names the install command', () => {
    const debianPath = join(dir, 'absent');
    expect(() => requireChromium({ env: {}, debianPath, install: false })).toThrow(ChromiumMissingError);
    expect(() => requireChromium({ env: {}, debianPath, install: false })).toThrow(
      `Chromium not found: ${debianPath} does not exist or is not executable. Install it with: sudo apt-get install chromium (or set CHROMIUM_PATH to a Chromium binary)`,
    );
  });

  test('an explicit CHROMIUM_PATH is never swapped for an install', () => {
    let installs = 0;
    const installer = () => {
      installs += 1;
      return null;
    };
    expect(() => requireChromium({ env: { CHROMIUM_PATH: MISSING }, installer })).toThrow(MISSING_LINE);
    expect(installs).toBe(0);
  });

  test('a file that is there but does not run is not a usable Chromium', () => {
    const broken = join(dir, 'chromium-broken');
    writeFileSync(broken, '#!/bin/sh\necho "error while loading shared libraries: libnss3.so" >&2\nexit 127\n', { mode: 0o755 });
    expect(() => requireChromium({ env: { CHROMIUM_PATH: broken } })).toThrow(
      `CHROMIUM_PATH=${broken} does not run (${broken} --version failed: error while loading shared libraries: libnss3.so)`,
    );
  });

  test('a Chromium that runs is taken as it is', () => {
    const fake = join(dir, 'chromium-ok');
    writeFileSync(fake, '#!/bin/sh\necho "Chromium 156.0.0.0"\n', { mode: 0o755 });
    expect(requireChromium({ env: { CHROMIUM_PATH: fake } })).toBe(fake);
  });
});
