#!/usr/bin/env node
// `npm run bench:large`: a model 50x the built-in one in headless Chromium.
// Generates the synthetic large model (training/lantern/synthetic_large.py:
// Wan2.1-1.3B's shape, random int8 weights, about 1.3 GB in runs/, never
// committed) unless it is there, serves it from the Vite dev server, then in a
// disk-backed profile (Playwright's default one keeps IndexedDB in memory
// and refused more than about 1.3 GB) runs bench/large-model.html:
//   add    download + verify + store in IndexedDB (the model store's worker)
//   load   per backend: read the graphs back from the store (hashing each
//          shard) and create the onnxruntime-web sessions
//   step   one denoiser call on the guidance batch of 2: WASM the whole
//          graph; WebGPU (SwiftShader here) the first --gpu-blocks blocks of
//          the plan, timed block by block (a whole step there takes too long)
// and prints a table with each phase's time, the peak resident memory of
// this browser's processes (sampled from /proc every 250 ms) and the size of
// onnxruntime-web's WebAssembly memory. Not part of `npm test`.
//   node bench/large-model.mjs [--regenerate] [--gpu-blocks 1] [--backends wasm,webgpu] [--depth 30]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ROOT, startAppServer } from '../scripts/browser-session.mjs';
import { requireChromium, requireChromiumOrExit } from '../scripts/chromium.mjs';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: join(ROOT, 'runs', 'lantern-large') },
    regenerate: { type: 'boolean', default: false },
    depth: { type: 'string', default: '30' },
    'gpu-blocks': { type: 'string', default: '1' },
    backends: { type: 'string', default: 'wasm,webgpu' },
  },
});
const modelDir = resolve(values.model);
const manifestPath = `${modelDir}.json`;
const gpuBlocks = Number(values['gpu-blocks']);
const backends = values.backends.split(',');
if (relative(ROOT, modelDir).startsWith('..')) throw new Error(`--model ${modelDir} must be inside ${ROOT}: the Vite dev server serves it.`);

function generate() {
  const env = spawnSync('bash', [join(ROOT, 'scripts', 'python-env.sh')], { stdio: 'inherit' });
  if (env.status !== 0) process.exit(env.status ?? 1);
  console.error(`generating the synthetic large model in ${modelDir} (a few minutes)`);
  const args = ['-W', 'ignore', '-m', 'lantern.synthetic_large', '--out', modelDir, '--depth', values.depth];
  const run = spawnSync(join(ROOT, '.venv', 'bin', 'python'), args, {
    cwd: join(ROOT, 'training'),
    env: { ...process.env, PYTHONPATH: '.' },
    stdio: 'inherit',
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

/** Resident bytes of the processes of the Chromium that uses `profile`: its browser process and every descendant. */
function browserRss(profile) {
  const procs = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'latin1');
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      procs.push({
        pid,
        ppid: /PPid:\s+(\d+)/.exec(status)?.[1],
        rss: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024,
        ours: cmd.includes(`--user-data-dir=${profile}`),
        type: /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser',
      });
    } catch {
      // the process ended while we read it
    }
  }
  const tree = new Set(procs.filter((p) => p.ours).map((p) => p.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  const byType = {};
  for (const p of procs.filter((p) => tree.has(p.pid))) byType[p.type] = (byType[p.type] ?? 0) + p.rss;
  return { total: Object.values(byType).reduce((a, b) => a + b, 0), byType };
}

const MiB = 2 ** 20;
const mib = (bytes) => (bytes / MiB).toFixed(0);
const s = (ms) => (ms / 1000).toFixed(1);

function table(header, rows) {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => String(row[c]).length)));
  const line = (cells) => `| ${cells.map((x, c) => String(x).padEnd(widths[c])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

requireChromiumOrExit();
if (values.regenerate || !existsSync(manifestPath)) generate();
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const server = await startAppServer({ logLevel: 'error' });
const profile = mkdtempSync(join(tmpdir(), 'lantern-large-profile-'));
const context = await chromium.launchPersistentContext(profile, { executablePath: requireChromium(), args: CHROMIUM_ARGS, headless: true });
let peak = { total: 0, byType: {} };
const sampler = setInterval(() => {
  const now = browserRss(profile);
  if (now.total > peak.total) peak = now;
}, 250);
/** Runs `work`, returning its result with the peak RSS of the browser's processes meanwhile. */
async function measured(work) {
  peak = browserRss(profile);
  const result = await work();
  return { result, peak };
}

const rows = [];
const notes = [];
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning' || m.text().startsWith('large-model')) process.stderr.write(`page ${m.type()}: ${m.text()}\n`);
  });
  page.on('pageerror', (error) => process.stderr.write(`page error: ${error.message}\n`));
  await page.goto(`${server.url}bench/large-model.html`);
  await page.waitForFunction(() => window.largeBench !== undefined);
  const manifestUrl = `${server.url}${relative(ROOT, manifestPath)}`;
  const params = manifest.synthetic.parameters;
  console.error(`model: ${manifestUrl}, ${(params / 1e9).toFixed(3)}B parameters, ${mib(manifest.memory.weightsBytes)} MiB of files`);

  const added = await measured(() => page.evaluate((url) => window.largeBench.add(url), manifestUrl));
  rows.push([
    'add: download + verify + store',
    '-',
    s(added.result.ms),
    mib(added.peak.total),
    '-',
    `${added.result.files} files, ${mib(added.result.bytes)} MiB, ${added.result.state}`,
  ]);
  console.error(rows.at(-1).join('  '));

  for (const backend of backends) {
    const loaded = await measured(() => page.evaluate(({ url, backend }) => window.largeBench.load(url, backend), { url: manifestUrl, backend }));
    const l = loaded.result;
    rows.push([`load: read from store + hash`, backend, s(l.readMs), '-', '-', `${l.graphs} graphs, ${mib(l.graphBytes)} MiB`]);
    rows.push([`load: create sessions`, backend, s(l.sessionMs), mib(loaded.peak.total), mib(l.wasmMemoryBytes), l.adapter ?? `wasm threads ${l.wasmThreads}`]);
    if (l.limits !== null)
      notes.push(
        `${backend} device limits: maxBufferSize ${mib(l.limits.maxBufferSize)} MiB, maxStorageBufferBindingSize ${mib(l.limits.maxStorageBufferBindingSize)} MiB; the model asks ${mib(manifest.requires.maxStorageBufferBindingSize)} MiB`,
      );
    console.error(rows.at(-1).join('  '));
    const blocks = backend === 'webgpu' ? gpuBlocks : null;
    const stepped = await measured(() => page.evaluate((blocks) => window.largeBench.step(blocks), blocks));
    const r = stepped.result;
    const what = blocks === null ? `whole step, ${manifest.denoiser.depth} blocks` : `${blocks} of ${manifest.denoiser.depth} blocks + embed + head`;
    const perBlock = blocks === null ? r.ms / manifest.denoiser.depth : r.blockMs.reduce((a, b) => a + b, 0) / blocks;
    rows.push([
      `step: ${what}`,
      backend,
      s(r.ms),
      mib(stepped.peak.total),
      mib(r.wasmMemoryBytes),
      `${s(perBlock)} s a block; finite ${r.finite}, mean abs(v) ${r.meanAbs.toFixed(3)}`,
    ]);
    if (blocks !== null)
      notes.push(
        `${backend} block times (s, each plan step awaited alone): ${r.blockMs.map(s).join(', ')}; embed ${s(r.embedMs ?? 0)}; text keys/values ${s(r.textMs)}`,
      );
    notes.push(
      `${backend} peak RSS by process type (MiB): ${Object.entries(stepped.peak.byType)
        .map(([k, v]) => `${k} ${mib(v)}`)
        .join(', ')}`,
    );
    console.error(rows.at(-1).join('  '));
    await page.evaluate(() => window.largeBench.release());
  }
  console.log(
    `\nSynthetic large model (${(params / 1e9).toFixed(2)}B parameters, hidden ${manifest.denoiser.dim}, ${manifest.denoiser.depth} blocks, ${manifest.denoiser.heads} heads of ${manifest.denoiser.headDim}, int8), ` +
      `${manifest.denoiser.tokens} tokens, guidance batch 2, headless Chromium, ${new Date().toISOString().slice(0, 10)}:`,
  );
  console.log(table(['phase', 'backend', 'time s', 'Chromium RSS peak MiB', 'WASM memory MiB', 'notes'], rows));
  for (const note of notes) console.log(`- ${note}`);
} finally {
  clearInterval(sampler);
  await context.close();
  await server.close();
  rmSync(profile, { recursive: true, force: true });
}
