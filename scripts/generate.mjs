#!/usr/bin/env node
// npm run generate -- --prompt "a red ball bounces" --seed 7 --out clip.mp4
//
// Generates a clip from the terminal exactly as the app does: starts the
// app's Vite server, opens the page in headless Chromium and calls
// `window.lantern.generate` (the page's own generator) through Playwright.
// Prints the seed, backend and timings; on failure prints the engine's error
// name and message and exits 1 (2 for a bad command line, 69 when no
// Chromium can be found or installed: scripts/chromium.mjs). The browser and
// the server are always closed.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKEND_CHOICES, VIDEO_CODECS } from '../workers/contracts/choices.mjs';
import { launchBrowser, startAppServer } from './browser-session.mjs';
import { requireChromiumOrExit } from './chromium.mjs';

const USAGE = `Usage: npm run generate -- --prompt "..." [options]

  --prompt TEXT       what the clip shows (required)
  --negative TEXT     what to steer away from
  --seed N            0..4294967295 (default: random; printed)
  --steps N           denoising steps (default: the model's)
  --guidance G        classifier-free guidance scale (default: the model's)
  --backend B         ${BACKEND_CHOICES.join(' | ')} (default: auto)
  --codec C           ${VIDEO_CODECS.join(' | ')} (default: ${VIDEO_CODECS[0]})
  --out FILE          where to write the MP4 (default: the app's download name)
  --timeout S         give up after S seconds (default: 900)
  --help`;

class UsageError extends Error {
  constructor(message) {
    super(`${message}\n\n${USAGE}`);
    this.name = 'UsageError';
  }
}

function parseOptions(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        prompt: { type: 'string' },
        negative: { type: 'string' },
        seed: { type: 'string' },
        steps: { type: 'string' },
        guidance: { type: 'string' },
        backend: { type: 'string', default: 'auto' },
        codec: { type: 'string' },
        out: { type: 'string' },
        timeout: { type: 'string', default: '900' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error.message);
  }
  if (values.help) return null;
  if (values.prompt === undefined) throw new UsageError('--prompt is required.');
  if (!BACKEND_CHOICES.includes(values.backend)) throw new UsageError(`Unknown backend '${values.backend}'. Must be one of: ${BACKEND_CHOICES.join(', ')}.`);
  if (values.codec !== undefined && !VIDEO_CODECS.includes(values.codec))
    throw new UsageError(`Unknown codec '${values.codec}'. Must be one of: ${VIDEO_CODECS.join(', ')}.`);
  const number = (name) => {
    const text = values[name];
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number; got '${text}'.`);
    return n;
  };
  const timeout = number('timeout');
  if (timeout === undefined || timeout <= 0) throw new UsageError('--timeout must be a positive number of seconds.');
  const request = {
    prompt: values.prompt,
    seed: number('seed') ?? Math.floor(Math.random() * 2 ** 32),
  };
  if (values.negative !== undefined) request.negativePrompt = values.negative;
  for (const name of ['steps', 'guidance']) {
    const n = number(name);
    if (n !== undefined) request[name] = n;
  }
  if (values.codec !== undefined) request.codec = values.codec;
  return { request, backend: values.backend, out: values.out, timeoutMs: timeout * 1000 };
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** One line per phase change and per denoising step, on stderr (stdout carries the summary). */
function progressPrinter() {
  let last = '';
  return (p) => {
    let line;
    if (p.phase === 'load') line = `load ${Math.round((100 * p.loadedBytes) / Math.max(1, p.totalBytes))}%`;
    else if (p.phase === 'denoise') line = `denoise step ${p.step}/${p.steps}`;
    else if (p.phase === 'encode') line = 'encode';
    else line = p.phase;
    if (line === last) return;
    last = line;
    process.stderr.write(`  ${line}\n`);
  };
}

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${error.name}: ${error.message}`);
    return 2;
  }
  if (options === null) {
    console.log(USAGE);
    return 0;
  }
  requireChromiumOrExit(); // before the server starts: a missing browser is one line, not a stack
  const started = performance.now();
  let server;
  let browser;
  let timer;
  const cleanup = async () => {
    clearTimeout(timer);
    await browser?.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
  };
  const interrupted = () => {
    process.stderr.write('Interrupted; closing the browser and the server.\n');
    cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const work = (async () => {
      server = await startAppServer({ logLevel: 'error' });
      browser = await launchBrowser();
      const page = await browser.newPage();
      page.on('pageerror', (error) => process.stderr.write(`page error: ${error.message}\n`));
      await page.exposeFunction('lanternCliProgress', progressPrinter());
      process.stderr.write(`Lantern at ${server.url} (backend ${options.backend})\n`);
      await page.goto(`${server.url}?backend=${options.backend}`);
      await page.waitForFunction(() => window.lantern !== undefined);
      const loadStart = performance.now();
      // Errors are returned as { name, message } so their names survive Playwright.
      const outcome = await page.evaluate(async (request) => {
        const asError = (e) => ({ error: { name: e?.name ?? 'Error', message: e?.message ?? String(e) } });
        let model;
        try {
          model = await window.lantern.ready;
        } catch (e) {
          return asError(e);
        }
        const loadedAt = performance.now();
        try {
          const r = await window.lantern.generate(request, { onProgress: (p) => window.lanternCliProgress(p) });
          let binary = '';
          for (let i = 0; i < r.mp4.length; i += 0x8000) binary += String.fromCharCode(...r.mp4.subarray(i, i + 0x8000));
          return {
            model: { id: model.id, name: model.name },
            backendInfo: model.backend,
            generateMs: performance.now() - loadedAt,
            mp4: btoa(binary),
            fileName: r.fileName,
            seed: r.seed,
            backend: r.backend,
            codec: r.codec,
            width: r.width,
            height: r.height,
            fps: r.fps,
            frames: r.frames.length,
            timings: r.timings,
            truncatedWords: r.truncatedWords ?? 0,
          };
        } catch (e) {
          return asError(e);
        }
      }, options.request);
      return { outcome, loadMs: performance.now() - loadStart };
    })();
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`No clip after ${options.timeoutMs / 1000} s; raise --timeout or try --backend wasm.`);
        error.name = 'TimeoutError';
        reject(error);
      }, options.timeoutMs);
    });
    const { outcome, loadMs } = await Promise.race([work, timeout]);
    if ('error' in outcome) {
      console.error(`${outcome.error.name}: ${outcome.error.message}`);
      return 1;
    }
    const mp4 = Buffer.from(outcome.mp4, 'base64');
    const out = resolve(options.out ?? outcome.fileName);
    await writeFile(out, mp4);
    const t = outcome.timings;
    console.log(`wrote ${out} (${mp4.length} bytes; ${outcome.codec}, ${outcome.frames} frames, ${outcome.width}x${outcome.height} at ${outcome.fps} fps)`);
    console.log(`seed ${outcome.seed}`);
    console.log(`backend ${outcome.backend}: ${outcome.backendInfo.reason}`);
    if (outcome.backendInfo.warning !== undefined) console.error(`warning: ${outcome.backendInfo.warning}`);
    console.log(`model ${outcome.model.id} (${outcome.model.name})`);
    if (outcome.truncatedWords > 0) console.log(`prompt truncated: the last ${outcome.truncatedWords} words were dropped`);
    console.log(
      `timings: page and model load ${seconds(loadMs - outcome.generateMs)}, encode text ${seconds(t.encodeText)}, denoise ${seconds(t.denoise)}, ` +
        `decode ${seconds(t.decode)}, encode video ${seconds(t.encode)}; total ${seconds(performance.now() - started)}`,
    );
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    return 1;
  } finally {
    await cleanup();
  }
}

process.exitCode = await main();
