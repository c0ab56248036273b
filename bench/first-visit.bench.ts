// `npm run bench`: the built-in model's first visit, the way the page does
// it (src/state/models-state.ts firstLoad, the model store's worker, the
// engine through its EngineClient, real IndexedDB), old against new: 'whole
// model first' (the store downloads every file, then the engine loads:
// Lantern before issue 16) and 'backend first' (the engine's load fetches
// and stores what its backend runs; the other backend's graphs follow in
// the background once the engine is idle: here after the first clip, which
// starts as soon as the model is ready). WASM, 2 denoising steps to keep a
// clip short. Each run is a model never stored before (a fresh test-server
// token, so a fresh record in the store): bytes are model-file body bytes the server sent (manifests
// left out, about 20 KB each) when the model was ready, when the first clip
// was done, and once the model was complete; times from the start. Without a
// rate the server is localhost; with one, its files share one link of that
// many bytes a second (test/support/model-server.ts `rate`). One warm-up
// run first (the engine worker's script and ORT's .wasm compile); then the
// two modes alternate, median of ROUNDS. Printed, not asserted.
import { test } from 'vitest';
import { EngineClient } from '../src/engine-client';
import { whenEngineIdle } from '../src/engine-idle';
import { connectModelStore } from '../src/model-store-client';
import { createModelsStore } from '../src/state/models-state';
import { testServer } from '../test/support/model-server-client';

const STEPS = 2;
const ROUNDS = 3;
/** Link rates in bytes a second: localhost, 5 MB/s (40 Mbit/s, a good home connection) and 1.25 MB/s (10 Mbit/s, a slow one). */
const RATES = [null, 5e6, 1.25e6] as const;
const MODES = ['whole model first (before)', 'backend first (now)'] as const;
type Mode = (typeof MODES)[number];

type Run = { readyMs: number; clipMs: number; completeMs: number; readyBytes: number; clipBytes: number; completeBytes: number };

async function firstVisit(mode: Mode, rate: number | null): Promise<Run> {
  const server = testServer();
  const url = server.tiny();
  if (rate !== null) await server.control(`rate=${rate}`);
  const store = connectModelStore();
  const models = createModelsStore(store);
  const engine = new EngineClient();
  const bytes = async () => (await server.traffic()).bytes;
  try {
    const t0 = performance.now();
    // As src/index.tsx does it: the background download starts once the engine is idle.
    await models.actions.firstLoad(url, () => engine.load({ manifestUrl: url, backend: 'wasm' }), {
      whole: mode === MODES[0],
      idle: () => whenEngineIdle(engine),
    });
    const readyMs = performance.now() - t0;
    // The clip is asked for at once (as the CLI does, or a person who typed the prompt while the model downloaded), before
    // anything else is awaited: asked later, the engine is idle meanwhile and the background download starts first.
    const clip = engine.generate({ prompt: 'a red ball bounces on a meadow', seed: 7, steps: STEPS, previewEvery: 0 });
    const readyBytes = await bytes();
    await clip;
    const clipMs = performance.now() - t0;
    const clipBytes = await bytes();
    const complete = () => models.state.models.find((m) => m.manifestUrl === url)?.state === 'complete' && models.state.tasks[url] === undefined;
    while (!complete()) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (models.state.outcomes[url]?.kind === 'failed') throw new Error(`the background download failed: ${JSON.stringify(models.state.outcomes[url])}`);
    }
    return { readyMs, clipMs, completeMs: performance.now() - t0, readyBytes, clipBytes, completeBytes: await bytes() };
  } finally {
    engine.dispose();
    await store.remove(url);
    store.terminate();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
const s = (ms: number) => (ms / 1000).toFixed(1);

function table(header: readonly string[], lines: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

test('first visit: bytes and time to the first clip, whole model first against backend first', async () => {
  await firstVisit(MODES[1], null); // warm-up, not counted
  const lines: string[][] = [];
  for (const rate of RATES) {
    const runs = new Map<Mode, Run[]>(MODES.map((m) => [m, []]));
    for (let round = 0; round < ROUNDS; round++) for (const mode of MODES) runs.get(mode)!.push(await firstVisit(mode, rate));
    const before = median(runs.get(MODES[0])!.map((r) => r.clipMs));
    for (const mode of MODES) {
      const rs = runs.get(mode)!;
      const m = (key: keyof Run) => median(rs.map((r) => r[key]));
      lines.push([
        rate === null ? 'localhost' : `${mb(rate)} MB/s`,
        mode,
        mb(m('readyBytes')),
        mb(m('clipBytes')),
        mb(m('completeBytes')),
        s(m('readyMs')),
        `${s(m('clipMs'))} (${s(Math.min(...rs.map((r) => r.clipMs)))}-${s(Math.max(...rs.map((r) => r.clipMs)))})`,
        (m('clipMs') / before).toFixed(2),
        s(m('completeMs')),
      ]);
    }
  }
  console.log(
    `\nfirst visit of lantern-tiny on WASM, ${STEPS} denoising steps; median of ${ROUNDS} runs each, the modes alternating; bytes = model-file bytes sent (MB),\n` +
      'times from the page starting the model (s); "x before" = time to the first clip over the whole-model-first time at the same rate.\n' +
      table(
        ['link', 'first visit', 'MB at ready', 'MB at first clip', 'MB when complete', 'ready s', 'first clip s (min-max)', 'x before', 'complete s'],
        lines,
      ) +
      '\n',
  );
}, 900_000);
