#!/usr/bin/env node
// npm run verify -- FILE [--summary]
//
// Reads the AI-made labels of any MP4, MOV or WebM, exactly as the app's
// "Check a video" tab does: starts the app's Vite server, opens the page in
// headless Chromium and calls window.lantern.verify (the media worker reads
// the XMP packet, the C2PA manifest with the C2PA library, and the invisible
// watermark). Prints one JSON object: { file, xmp, c2pa, watermark, meaning }
// (`meaning` words each finding; --summary prints those words instead).
// Exits 0 when the check ran (whatever it found), 1 when it could not, 2 on
// a bad command line, 69 when no Chromium can be found or installed.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser, openLanternPage, startAppServer } from './browser-session.mjs';
import { requireChromiumOrExit } from './chromium.mjs';

const USAGE = `Usage: npm run verify -- FILE [--summary]

  FILE        a video (MP4, MOV, WebM): from Lantern or anywhere else
  --summary   print what each finding means, in words, instead of JSON
  --timeout S give up after S seconds (default: 300)
  --help`;

async function main() {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: { summary: { type: 'boolean', default: false }, timeout: { type: 'string', default: '300' }, help: { type: 'boolean', default: false } },
    }));
  } catch (error) {
    console.error(`UsageError: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const timeout = Number(values.timeout);
  if (positionals.length !== 1 || !(timeout > 0)) {
    console.error(`UsageError: ${positionals.length !== 1 ? 'give exactly one video file' : '--timeout must be a positive number of seconds'}.\n\n${USAGE}`);
    return 2;
  }
  const path = positionals[0];
  let bytes;
  try {
    bytes = await readFile(path);
  } catch (error) {
    console.error(`UsageError: cannot read ${path} (${error.code ?? error.message}).`);
    return 2;
  }
  requireChromiumOrExit();
  let server;
  let browser;
  let timer;
  try {
    const work = (async () => {
      server = await startAppServer({ logLevel: 'error' });
      browser = await launchBrowser();
      const page = await openLanternPage(browser, server.url, 'wasm');
      return page.evaluate(
        async ({ name, base64 }) => {
          try {
            const file = new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name);
            return { report: await window.lantern.verify(file) };
          } catch (e) {
            return { error: { name: e?.name ?? 'Error', message: e?.message ?? String(e) } };
          }
        },
        { name: basename(path), base64: bytes.toString('base64') },
      );
    })();
    const timedOut = new Promise((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`No answer after ${timeout} s; raise --timeout.`), { name: 'TimeoutError' })), timeout * 1000);
    });
    const outcome = await Promise.race([work, timedOut]);
    if ('error' in outcome) {
      console.error(`${outcome.error.name}: ${outcome.error.message}`);
      return 1;
    }
    const { report } = outcome;
    if (values.summary) {
      const { meaning } = report;
      console.log(`${report.file.name}: ${meaning.headline}\n\nXMP: ${meaning.xmp}\n\nC2PA: ${meaning.c2pa}\n\nWatermark: ${meaning.watermark}`);
    } else {
      console.log(JSON.stringify(report, null, 2));
    }
    return 0;
  } catch (error) {
    console.error(`${error.name}: ${error.message}`);
    return 1;
  } finally {
    clearTimeout(timer);
    await browser?.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
  }
}

process.exitCode = await main();
