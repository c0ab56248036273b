#!/usr/bin/env node
// npm run generate -- --prompt "a red ball bounces" --seed 7 --out clip.mp4
// npm run generate -- --prompt "..." --image first.png --out clip.mp4
// npm run generate -- --prompt "now it moves left" --extend clip.mp4 --out longer.mp4
// npm run generate -- --storyboard shots.json --out film.mp4
// npm run generate -- --edit clip.mp4 --instruction "make it blue" --out blue.mp4
//
// Generates a clip from the terminal exactly as the app does: starts the
// app's Vite server, opens the page in headless Chromium and calls
// `window.lantern` (the page's own generator: generate, fitImage +
// generate, readVideoFrames + extend or rewrite + edit, renderStoryboard)
// through Playwright. An edit reads the clip's prompt and seed from the
// MP4's metadata where Lantern wrote them (--clip-prompt gives the prompt
// of a clip from elsewhere).
// Prints the seed, sampler, steps and shift, backend and timings; on failure
// prints the engine's error name and message and exits 1 (2 for a bad
// command line, 69 when no Chromium can be found or installed:
// scripts/chromium.mjs). The browser and the server are always closed.
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKEND_CHOICES, SAMPLERS, VIDEO_CODECS } from '../workers/contracts/choices.mjs';
import { launchBrowser, openLanternPage, startAppServer } from './browser-session.mjs';
import { requireChromiumOrExit } from './chromium.mjs';

const USAGE = `Usage: npm run generate -- --prompt "..." [options]
       npm run generate -- --storyboard shots.json [options]

  --prompt TEXT       what the clip shows (required, except with --storyboard)
  --image FILE        start the clip from this image (PNG, JPEG, GIF, WebP, BMP, AVIF;
                      cover-cropped to the model's frame)
  --extend FILE       continue this video (MP4, WebM, MOV, from Lantern or any tool):
                      the output holds its frames, then the continuation
  --edit FILE         edit this clip (one clip of the model's length, e.g. a Lantern MP4):
                      re-noised and denoised under the edited prompt with its seed
  --instruction TEXT  with --edit: what to change ("make it blue", "add rain"); the
                      edited prompt is printed. Or give the edited prompt as --prompt
  --clip-prompt TEXT  with --edit --instruction: the clip's prompt, for a clip whose
                      MP4 does not carry it (Lantern's MP4s do)
  --strength S        with --edit: how much may change, (0, 1] (default: the model's)
  --storyboard FILE   render shots into one clip: a JSON array of
                      { "prompt": ..., "seed"?: ..., "image"?: "path relative to the file" }
                      (--seed is then the first shot's seed)
  --negative TEXT     what to steer away from
  --seed N            0..4294967295 (default: random; printed)
  --steps N           denoising steps (default: the model's)
  --sampler S         ${SAMPLERS.join(' | ')} (default: the model's; lantern-tiny's is
                      its Fast preset, bench/samplers.md): how each step is taken
  --shift X           how the steps spread over the noise levels, > 0 (default: the
                      model's); above 1 spends more of them at high noise
  --guidance G        classifier-free guidance scale (default: the model's)
  --backend B         ${BACKEND_CHOICES.join(' | ')} (default: auto)
  --codec C           ${VIDEO_CODECS.join(' | ')} (default: ${VIDEO_CODECS[0]})
  --include-recipe    write the prompt, negative prompt and seed into the MP4's metadata
                      (off by default: the file then says only that Lantern made it, with
                      which model, and when; --edit reads them back from such a file)
  --no-visible-mark   leave out the small "AI" badge (refused in strict mode; the XMP,
                      C2PA and invisible watermark labels are always written)
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
        sampler: { type: 'string' },
        shift: { type: 'string' },
        guidance: { type: 'string' },
        backend: { type: 'string', default: 'auto' },
        codec: { type: 'string' },
        out: { type: 'string' },
        timeout: { type: 'string', default: '900' },
        image: { type: 'string' },
        extend: { type: 'string' },
        storyboard: { type: 'string' },
        edit: { type: 'string' },
        instruction: { type: 'string' },
        'clip-prompt': { type: 'string' },
        strength: { type: 'string' },
        'include-recipe': { type: 'boolean', default: false },
        'no-visible-mark': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error.message);
  }
  if (values.help) return null;
  const modes = ['image', 'extend', 'storyboard', 'edit'].filter((name) => values[name] !== undefined);
  if (modes.length > 1) throw new UsageError(`--${modes.join(' and --')} cannot be combined; give one.`);
  const mode = modes[0] ?? 'text';
  for (const name of ['instruction', 'clip-prompt', 'strength']) {
    if (values[name] !== undefined && mode !== 'edit') throw new UsageError(`--${name} is only used with --edit.`);
  }
  if (mode === 'edit' && (values.instruction === undefined) === (values.prompt === undefined)) {
    throw new UsageError('--edit needs either --instruction (what to change) or --prompt (the edited prompt), not both.');
  }
  if (values.prompt === undefined && mode !== 'storyboard' && mode !== 'edit') throw new UsageError('--prompt is required.');
  if (values.prompt !== undefined && mode === 'storyboard') throw new UsageError('--prompt is not used with --storyboard: each shot has its own prompt.');
  if (!BACKEND_CHOICES.includes(values.backend)) throw new UsageError(`Unknown backend '${values.backend}'. Must be one of: ${BACKEND_CHOICES.join(', ')}.`);
  if (values.codec !== undefined && !VIDEO_CODECS.includes(values.codec))
    throw new UsageError(`Unknown codec '${values.codec}'. Must be one of: ${VIDEO_CODECS.join(', ')}.`);
  if (values.sampler !== undefined && !SAMPLERS.includes(values.sampler))
    throw new UsageError(`Unknown sampler '${values.sampler}'. Must be one of: ${SAMPLERS.join(', ')}.`);
  const number = (name) => {
    const text = values[name];
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number; got '${text}'.`);
    return n;
  };
  const timeout = number('timeout');
  if (timeout === undefined || timeout <= 0) throw new UsageError('--timeout must be a positive number of seconds.');
  const seed = number('seed');
  const request = {
    ...(values.prompt === undefined ? {} : { prompt: values.prompt }),
    ...(seed === undefined && mode === 'edit' ? {} : { seed: seed ?? Math.floor(Math.random() * 2 ** 32) }),
  };
  const strength = number('strength');
  const edit = mode === 'edit' ? { instruction: values.instruction ?? null, clipPrompt: values['clip-prompt'] ?? null, strength: strength ?? null } : null;
  if (values.negative !== undefined) request.negativePrompt = values.negative;
  for (const name of ['steps', 'shift', 'guidance']) {
    const n = number(name);
    if (n !== undefined) request[name] = n;
  }
  if (values.sampler !== undefined) request.sampler = values.sampler;
  if (values.codec !== undefined) request.codec = values.codec;
  request.provenance = { includeRecipe: values['include-recipe'], visibleMark: !values['no-visible-mark'] };
  return { request, mode, edit, file: values[mode], backend: values.backend, out: values.out, timeoutMs: timeout * 1000 };
}

/** The prompt and seed Lantern wrote into an MP4's metadata (title; "seed N" in the description), where present. */
async function clipProvenance(bytes) {
  const { ALL_FORMATS, BufferSource, Input } = await import('mediabunny');
  try {
    const tags = await new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS }).getMetadataTags();
    const seed = /\bseed (\d+)/.exec(tags.description ?? '')?.[1];
    const fromLantern = (tags.description ?? '').includes('by Lantern');
    return { prompt: fromLantern && typeof tags.title === 'string' ? tags.title : null, seed: seed === undefined ? null : Number(seed) };
  } catch {
    return { prompt: null, seed: null }; // not a container mediabunny reads: the page names the problem
  }
}

/** What the page needs besides the request: a file's bytes (base64), or the storyboard's text with its images' bytes. */
async function readInput(options) {
  if (options.mode === 'text') return {};
  const read = async (path) => {
    try {
      return await readFile(path);
    } catch (error) {
      throw new UsageError(`Cannot read ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}.`);
    }
  };
  if (options.mode !== 'storyboard') {
    const bytes = await read(options.file);
    const file = { name: basename(options.file), base64: bytes.toString('base64') };
    if (options.mode !== 'edit') return { file };
    const made = await clipProvenance(bytes);
    const clipPrompt = options.edit.clipPrompt ?? made.prompt;
    if (options.edit.instruction !== null && clipPrompt === null) {
      throw new UsageError(`${options.file} does not say what prompt made it (it is not a Lantern MP4); give it with --clip-prompt.`);
    }
    if (options.request.seed === undefined) {
      if (made.seed === null) throw new UsageError(`${options.file} does not say its seed (it is not a Lantern MP4); give it with --seed.`);
      options.request.seed = made.seed;
    }
    return { file, clipPrompt };
  }
  const text = (await read(options.file)).toString('utf8');
  const images = {};
  let shots;
  try {
    shots = JSON.parse(text);
  } catch {
    return { storyboard: text, images }; // the page names the JSON error (StoryboardError)
  }
  if (Array.isArray(shots) && shots.length <= 64) {
    for (const shot of shots) {
      if (typeof shot?.image === 'string' && !(shot.image in images)) {
        const bytes = await read(resolve(dirname(options.file), shot.image));
        images[shot.image] = { name: basename(shot.image), base64: bytes.toString('base64') };
      }
    }
  }
  return { storyboard: text, images };
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** One line per phase change and per denoising step, on stderr (stdout carries the summary). */
function progressPrinter() {
  let last = '';
  return (p) => {
    let line;
    if (p.phase === 'rewrite') line = p.line;
    else if (p.phase === 'load') line = `load ${Math.round((100 * p.loadedBytes) / Math.max(1, p.totalBytes))}%`;
    else if (p.phase === 'denoise') line = `denoise step ${p.step}/${p.steps}`;
    else if (p.phase === 'encode') line = 'encode';
    else line = p.phase;
    if (p.shot !== undefined) line = `shot ${p.shot + 1}/${p.shots}: ${line}`;
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
  let input;
  try {
    input = await readInput(options);
  } catch (error) {
    console.error(`${error.name}: ${error.message}`);
    return 2;
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
      process.stderr.write(`Lantern at ${server.url} (backend ${options.backend})\n`);
      const page = await openLanternPage(browser, server.url, options.backend, (p) => p.exposeFunction('lanternCliProgress', progressPrinter()));
      const loadStart = performance.now();
      // Errors are returned as { name, message } so their names survive Playwright.
      const outcome = await page.evaluate(
        async ({ request, mode, input }) => {
          const asError = (e) => ({ error: { name: e?.name ?? 'Error', message: e?.message ?? String(e) } });
          const toFile = ({ name, base64 }) => new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name);
          let model;
          try {
            model = await window.lantern.ready;
          } catch (e) {
            return asError(e);
          }
          const loadedAt = performance.now();
          const onProgress = (p) => window.lanternCliProgress(p);
          try {
            let r;
            let storyboard = null;
            if (mode === 'image') {
              const image = await window.lantern.fitImage(toFile(input.file));
              r = await window.lantern.generate({ ...request, conditioning: { kind: 'image', frames: [image] } }, { onProgress });
            } else if (mode === 'edit') {
              const frames = await window.lantern.readVideoFrames(toFile(input.file));
              const edited = input.edit.instruction === null ? null : window.lantern.rewrite(input.clipPrompt, input.edit.instruction);
              if (edited !== null) window.lanternCliProgress({ phase: 'rewrite', line: `edited prompt: ${edited.prompt} (${edited.summary})` });
              const editRequest = { ...request, ...(edited === null ? {} : { prompt: edited.prompt, instruction: input.edit.instruction }) };
              if (input.edit.strength !== null) editRequest.strength = input.edit.strength;
              r = await window.lantern.edit({ frames }, editRequest, { onProgress });
              r = { ...r, editedPrompt: editRequest.prompt };
            } else if (mode === 'extend') {
              const frames = await window.lantern.readVideoFrames(toFile(input.file));
              r = await window.lantern.extend({ frames }, request, { onProgress });
            } else if (mode === 'storyboard') {
              let shots = input.storyboard;
              try {
                const parsed = JSON.parse(input.storyboard);
                if (Array.isArray(parsed)) {
                  shots = parsed.map((s) => (typeof s?.image === 'string' && input.images[s.image] ? { ...s, image: toFile(input.images[s.image]) } : s));
                }
              } catch {}
              const settings = { seed: request.seed };
              for (const key of ['negativePrompt', 'sampler', 'steps', 'shift', 'guidance', 'codec', 'provenance'])
                if (request[key] !== undefined) settings[key] = request[key];
              const b = await window.lantern.renderStoryboard(shots, settings, { onProgress });
              if (b.error !== null) return asError({ name: b.error.name, message: `shot ${b.error.shot + 1}: ${b.error.message}` });
              r = { ...b, seed: b.shots[0]?.seed, backend: model.backend.backend, timings: null };
              storyboard = b.shots;
            } else {
              r = await window.lantern.generate(request, { onProgress });
            }
            let binary = '';
            for (let i = 0; i < r.mp4.length; i += 0x8000) binary += String.fromCharCode(...r.mp4.subarray(i, i + 0x8000));
            return {
              model: {
                id: model.id,
                name: model.name,
                defaultSteps: model.defaultSteps,
                defaultSampler: model.defaultSampler,
                defaultShift: model.defaultShift,
              },
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
              givenFrames: r.givenFrames ?? 0,
              storyboard,
              timings: r.timings,
              truncatedWords: r.truncatedWords ?? 0,
              contentCredentials: r.contentCredentials ?? null,
              editedPrompt: r.editedPrompt ?? null,
            };
          } catch (e) {
            return asError(e);
          }
        },
        { request: options.request, mode: options.mode, input: { ...input, edit: options.edit } },
      );
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
    if (outcome.editedPrompt !== null) console.log(`edited prompt: ${outcome.editedPrompt}`);
    if (outcome.givenFrames > 0) console.log(`extended: ${outcome.givenFrames} frames from the input, then ${outcome.frames - outcome.givenFrames} new`);
    if (outcome.storyboard !== null) {
      for (const [i, s] of outcome.storyboard.entries())
        console.log(`shot ${i + 1}: frames ${s.firstFrame}-${s.firstFrame + s.frames - 1}, seed ${s.seed}: ${s.prompt}`);
    }
    console.log(`seed ${outcome.seed}`);
    console.log(
      `sampler ${options.request.sampler ?? outcome.model.defaultSampler}, ${options.request.steps ?? outcome.model.defaultSteps} steps, shift ${options.request.shift ?? outcome.model.defaultShift}`,
    );
    console.log(`backend ${outcome.backend}: ${outcome.backendInfo.reason}`);
    if (outcome.backendInfo.warning !== undefined) console.error(`warning: ${outcome.backendInfo.warning}`);
    console.log(`model ${outcome.model.id} (${outcome.model.name})`);
    if (outcome.truncatedWords > 0) console.log(`prompt truncated: the last ${outcome.truncatedWords} words were dropped`);
    const credentials = outcome.contentCredentials;
    if (credentials?.written) console.log('content credentials: C2PA manifest signed with a key made for this run (self-made, not on a trust list)');
    else if (credentials !== null) console.error(`warning: no Content Credentials (C2PA) in the clip: ${credentials.reason}`);
    if (credentials?.note !== undefined) console.error(`warning: ${credentials.note}`);
    if (t === null) {
      console.log(`total ${seconds(performance.now() - started)}`);
      return 0;
    }
    console.log(
      `timings: page and model load ${seconds(loadMs - outcome.generateMs)}, encode text ${seconds(t.encodeText)}, ${t.encodeFrames > 0 ? `encode frames ${seconds(t.encodeFrames)}, ` : ''}denoise ${seconds(t.denoise)}, ` +
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
