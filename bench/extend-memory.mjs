#!/usr/bin/env node
// `npm run bench:extend`: how long and how much memory extending a clip to
// 30 seconds and more takes, in the real app (page + engine worker) in
// headless Chromium on WASM. One clip, then Extend until it holds
// --seconds of video, each extend continuing the whole clip so far. Prints
// a table per extend: frames, seconds of video, the extend's wall time, the
// MP4's size, the page's JS heap (CDP Performance.getMetrics) and the
// resident memory of all Chromium processes together (the peak sampled
// every 100 ms from /proc during that extend). Not part of `npm test`.
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { launchBrowser, startAppServer } from '../scripts/browser-session.mjs';
import { requireChromiumOrExit } from '../scripts/chromium.mjs';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '30' }, steps: { type: 'string', default: '2' } } });
const targetSeconds = Number(values.seconds);
const steps = Number(values.steps);

/** Resident bytes of every process whose command line names a Chromium binary. */
function chromiumRss() {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (!/chrom/i.test(cmd.split('\0')[0] ?? '')) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
      if (rss) total += Number(rss[1]) * 1024;
    } catch {
      // the process ended while we read it
    }
  }
  return total;
}

requireChromiumOrExit();
const server = await startAppServer({ logLevel: 'error' });
const browser = await launchBrowser();
const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);
try {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const heap = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'JSHeapUsedSize').value;
  await page.goto(`${server.url}?backend=wasm`);
  await page.waitForFunction(() => window.lantern !== undefined);
  const model = await page.evaluate(() => window.lantern.ready);
  const rows = [];
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, chromiumRss());
  }, 100);
  for (let i = 0; ; i++) {
    peak = chromiumRss();
    const t0 = performance.now();
    const r = await page.evaluate(
      async ({ i, steps }) => {
        const w = window;
        const request = { prompt: 'a red ball moves right on a meadow', seed: 100 + i, steps, previewEvery: 0 };
        w.benchClip = i === 0 ? await w.lantern.generate(request) : await w.lantern.extend(w.benchClip, request);
        return { frames: w.benchClip.frames.length, mp4: w.benchClip.mp4.length };
      },
      { i, steps },
    );
    const ms = performance.now() - t0;
    rows.push([
      i === 0 ? 'generate' : `extend ${i}`,
      r.frames,
      (r.frames / model.fps).toFixed(1),
      ms.toFixed(0),
      (r.mp4 / 1024).toFixed(0),
      mb(await heap()),
      mb(peak),
    ]);
    console.error(rows.at(-1).join('  '));
    if (r.frames / model.fps >= targetSeconds) break;
  }
  clearInterval(sampler);
  const header = ['run', 'frames', 'video s', 'wall ms', 'MP4 KiB', 'page JS heap MiB', 'Chromium RSS peak MiB'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => String(row[c]).length)));
  const line = (cells) => `| ${cells.map((x, c) => String(x).padEnd(widths[c])).join(' | ')} |`;
  console.log(
    `\nExtend to ${targetSeconds} s on WASM, ${steps} steps, ${model.width}x${model.height} at ${model.fps} fps (${new Date().toISOString().slice(0, 10)})`,
  );
  console.log([line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n'));
} finally {
  await browser.close();
  await server.close();
}
