// `npm run bench`: the model store. SHA-256 throughput (WebCrypto, the
// check every shard passes), then a synthetic ONNX model of about 300 MB
// (test/support/model-server.ts) in both layouts (one .onnx in 128 MiB
// shards; weights in external-data files): download-to-ready (the store's
// worker downloads, verifies and stores; then the graph is read back and a
// wasm session created) and warm start (the model already stored: read,
// check, session) with each check mode ('hash' re-hashes what it reads,
// 'stored' trusts the digest recorded at download). Printed, not asserted.
// LANTERN_SCALE_MIB sets the size.
import { expect, test } from 'vitest';
import { connectModelStore } from '../src/model-store-client';
import { testServer } from '../test/support/model-server-client';
import { readStoredGraph } from '../test/support/stored-graph';
import type { CheckMode } from '../workers/contracts/model-store';
import { createSession, ort } from '../workers/engine/ort';
import { sha256Integrity } from '../workers/model-files/integrity';

const MiB = 2 ** 20;

function table(header: string[], lines: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number) => (ms / 1000).toFixed(2);

test('store: SHA-256 throughput', async () => {
  const rows: string[][] = [];
  for (const mib of [16, 128]) {
    const data = new Uint8Array(mib * MiB);
    for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      await sha256Integrity(data);
      times.push(performance.now() - t0);
    }
    rows.push([`${mib} MiB`, median(times).toFixed(0), ((mib * MiB) / 1e6 / (median(times) / 1000)).toFixed(0)]);
  }
  console.log(`\nSHA-256 (crypto.subtle.digest), median of 5:\n${table(['buffer', 'ms', 'MB/s'], rows)}\n`);
});

async function ready(url: string, check: CheckMode): Promise<{ readMs: number; sessionMs: number }> {
  const t0 = performance.now();
  const graph = await readStoredGraph(url, 'weights', { check });
  const t1 = performance.now();
  const session = await createSession('weights', graph.model, { backend: 'wasm' }, { externalData: graph.externalData });
  const t2 = performance.now();
  const out = await session.run({ idx: new ort.Tensor('int64', BigInt64Array.from([0n]), [1]) });
  expect(out['y0']!.data.length).toBe(1);
  await session.release();
  return { readMs: t1 - t0, sessionMs: t2 - t1 };
}

test('store: download-to-ready and warm start of a ~300 MB model', async () => {
  const config = (await (await fetch('/__lantern-test/config/config')).json()) as { mib: number };
  const rows: string[][] = [];
  for (const layout of ['inline', 'external'] as const) {
    const server = testServer();
    const url = server.onnx(30, config.mib, layout, 128);
    // The server makes and hashes the model on its first request; keep that out of the timing.
    await fetch(url);
    const store = connectModelStore();
    try {
      const t0 = performance.now();
      const added = await store.add(url);
      const addMs = performance.now() - t0;
      const cold = await ready(url, 'hash');
      const mb = (added.model.totalBytes / 1e6).toFixed(0);
      rows.push([
        layout,
        mb,
        'download-to-ready',
        s(addMs),
        s(cold.readMs),
        s(cold.sessionMs),
        s(addMs + cold.readMs + cold.sessionMs),
        (added.model.totalBytes / 1e6 / (addMs / 1000)).toFixed(0),
      ]);
      for (const check of ['hash', 'stored'] as const) {
        const warm = await ready(url, check);
        rows.push([layout, mb, `warm start (${check})`, '-', s(warm.readMs), s(warm.sessionMs), s(warm.readMs + warm.sessionMs), '-']);
      }
      await store.remove(url);
    } finally {
      store.terminate();
    }
  }
  console.log(
    `\nmodel store, synthetic ONNX model, shards of 128 MiB, wasm session; seconds. download = fetch + SHA-256 + IndexedDB write (store worker);\n` +
      `read = IndexedDB read of the graph (+ SHA-256 in 'hash' mode); external = weights in external-data files of 256 MiB.\n` +
      table(['layout', 'MB', 'run', 'download s', 'read s', 'session s', 'total s', 'download MB/s'], rows) +
      '\n',
  );
}, 600_000);
