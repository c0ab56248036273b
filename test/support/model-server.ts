// A model server for the model store's tests and benchmarks, as Vite
// middleware on the dev server Vitest's browser page already talks to, so
// the store's real fetch, streaming and hashing run against real HTTP.
// Every URL starts with /__lantern-test/<token>/, a token per test, which
// keeps each test's request log and faults apart:
//   syn/<seed>/<shards>/<shardBytes>/model.json   tokenizer + graph 'weights' in <shards> shards of random bytes
//   onnx/<seed>/<MiB>/<layout>/<shardMiB>/model.json
//        a real ONNX model (Gather from float32 weights, synthetic-model.ts): layout 'inline' is one
//        .onnx of about <MiB> split into shards; 'external' keeps the weights in external-data files
//        of two shards each (the graph of more than 2 GiB path)
//   tiny/model.json                                the built-in model (models-manifest/lantern-tiny.json and public/models/lantern-tiny/), counted;
//                                                  its files take the faults below like the synthetic ones
//   huge/<shards>/model.json                       a manifest naming <shards> shards of 128 MiB that are never served (quota checks)
//   config                                         JSON: the scale test's size and layout (LANTERN_SCALE_MIB, LANTERN_SCALE_LAYOUT)
//   requests                                       JSON: path -> number of requests for it
//   traffic                                        JSON: { bytes }: body bytes sent for this token's model files (manifests not counted)
//   control?failAfter=N                            file requests after the first N break off midway (the server "dies"); N=off: back
//   control?corrupt=<file name>                    that file is served with one byte flipped
//   control?hold=<file name>                       requests for that file wait until control?release=1 (model.json: every manifest)
//   control?down=1                                 every request (manifests too) is cut off unanswered, as with the network off; down=0: back
//   control?rate=N                                 model files share one link of N bytes a second (a slow network, for benchmarks); rate=off: back
//   control?reset=1                                clears the log and the faults
// Responses say Cache-Control: no-store, so every fetch reaches the server
// and the request counts are what the store asked for.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'vite';
import { fillWeights, onnxModel } from './synthetic-model.ts';
import { validManifest } from './valid-manifest.ts';

const PREFIX = '/__lantern-test/';
const MiB = 2 ** 20;

type ServedFile = { name: string; bytes: number; read(offset: number, out: Uint8Array): void };
type Model = { manifest: string; files: Map<string, ServedFile> };
type Token = {
  requests: Map<string, number>;
  failAfter: number | null;
  served: number;
  corrupt: Set<string>;
  hold: Set<string>;
  down: boolean;
  sentBytes: number;
  /** Bytes a second of the token's one link, or null for as fast as it goes; and when that link is next free. */
  rate: number | null;
  linkFreeAt: number;
  release: () => void;
  released: Promise<void>;
};

const models = new Map<string, Model>();
const tokens = new Map<string, Token>();

function token(name: string): Token {
  let t = tokens.get(name);
  if (t === undefined) {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    t = {
      requests: new Map(),
      failAfter: null,
      served: 0,
      corrupt: new Set(),
      hold: new Set(),
      down: false,
      sentBytes: 0,
      rate: null,
      linkFreeAt: 0,
      release,
      released,
    };
    tokens.set(name, t);
  }
  return t;
}

/** Bytes from a counter hash: any range computable alone (tokenizer and syn shards need not be floats, but this is fast enough). */
function randomFile(name: string, bytes: number, seed: number, tensor: number): ServedFile {
  return { name, bytes, read: (offset, out) => fillWeights(seed, tensor, offset, out) };
}

/** A JSON file of exactly `bytes` bytes (the engine's loader parses tokenizer.json). */
function jsonFile(name: string, bytes: number, seed: number): ServedFile {
  const head = `{"synthetic":${seed},"padding":"`;
  const body = new TextEncoder().encode(`${head}${'x'.repeat(bytes - head.length - 2)}"}`);
  return { name, bytes, read: (offset, out) => out.set(body.subarray(offset, offset + out.length)) };
}

function integrity(file: ServedFile): string {
  const hash = createHash('sha256');
  const chunk = new Uint8Array(Math.min(file.bytes, 8 * MiB));
  for (let at = 0; at < file.bytes; at += chunk.length) {
    const part = chunk.subarray(0, Math.min(chunk.length, file.bytes - at));
    file.read(at, part);
    hash.update(part);
  }
  return `sha256-${hash.digest('base64')}`;
}

/** The parts of one file served as shards `<name>` (one shard) or `<name>.part<i>`. */
function split(file: ServedFile, shardBytes: number): ServedFile[] {
  if (file.bytes <= shardBytes) return [file];
  const parts: ServedFile[] = [];
  for (let at = 0, i = 0; at < file.bytes; at += shardBytes, i++) {
    const start = at;
    parts.push({ name: `${file.name}.part${i}`, bytes: Math.min(shardBytes, file.bytes - at), read: (offset, out) => file.read(start + offset, out) });
  }
  return parts;
}

function manifestFor(
  id: string,
  files: Map<string, ServedFile>,
  tokenizer: ServedFile,
  graph: { file: ServedFile; inputs: string[]; outputs: string[]; external: ServedFile[] },
  shardBytes: number,
): string {
  const entry = (f: ServedFile) => {
    const shards = split(f, shardBytes);
    for (const s of shards) files.set(s.name, s);
    return {
      bytes: f.bytes,
      sha256: shards.length === 1 ? integrity(shards[0]!) : integrity(f),
      shards: shards.map((s) => ({ url: s.name, bytes: s.bytes, sha256: integrity(s) })),
    };
  };
  files.set(tokenizer.name, tokenizer);
  const m = validManifest();
  m['id'] = id;
  m['name'] = `Synthetic ${id}`;
  m['tokenizer'] = { ...m['tokenizer'], url: tokenizer.name, bytes: tokenizer.bytes, sha256: integrity(tokenizer) };
  const outputs: Record<string, string> = {};
  for (const [i, o] of graph.outputs.entries()) outputs[o] = i === 0 ? 'v_out' : o;
  m['denoiser'].wholeGraph = 'weights';
  m['denoiser'].plan = [{ op: 'run', graph: 'weights', inputs: Object.fromEntries(graph.inputs.map((name, i) => [name, ['x_in', 't', 'text'][i]!])), outputs }];
  delete m['conditioning']; // it would need an encoder graph these synthetic models do not have
  m['graphs'] = {
    weights: {
      inputs: graph.inputs,
      outputs: graph.outputs,
      weights: 'float32',
      ...entry(graph.file),
      ...(graph.external.length > 0 ? { externalData: graph.external.map((f) => ({ path: f.name, ...entry(f) })) } : {}),
    },
  };
  return JSON.stringify(m);
}

/** Builds (once) the model a path names, or null. */
function model(path: string): { model: Model; dir: string } | null {
  const syn = /^syn\/(\d+)\/(\d+)\/(\d+)\//.exec(path);
  const onnx = /^onnx\/(\d+)\/(\d+)\/(inline|external)\/(\d+)\//.exec(path);
  const dir = syn?.[0] ?? onnx?.[0];
  if (dir === undefined) return null;
  let m = models.get(dir);
  if (m === undefined) {
    const files = new Map<string, ServedFile>();
    if (syn !== null) {
      const [seed, shards, shardBytes] = [Number(syn[1]), Number(syn[2]), Number(syn[3])];
      const weights = randomFile('weights.bin', shards * shardBytes, seed, 1);
      const manifest = manifestFor(
        `syn-${seed}-${shards}`,
        files,
        jsonFile('tokenizer.json', 1000, seed),
        { file: weights, inputs: ['x_in', 't', 'text'], outputs: ['v_out'], external: [] },
        shardBytes,
      );
      m = { manifest, files };
    } else {
      const [seed, mib, layout, shardMiB] = [Number(onnx![1]), Number(onnx![2]), onnx![3]!, Number(onnx![4])];
      const shardBytes = shardMiB * MiB;
      const tokenizer = jsonFile('tokenizer.json', 1000, seed);
      let graph: { file: ServedFile; inputs: string[]; outputs: string[]; external: ServedFile[] };
      if (layout === 'inline') {
        const { prefix, inlineBytes } = onnxModel([{ words: (mib * MiB) / 4 }]);
        const file: ServedFile = {
          name: 'model.onnx',
          bytes: prefix.length + inlineBytes,
          read(offset, out) {
            const head = Math.max(0, Math.min(out.length, prefix.length - offset));
            if (head > 0) out.set(prefix.subarray(offset, offset + head));
            if (head < out.length) fillWeights(seed, 0, offset + head - prefix.length, out.subarray(head));
          },
        };
        graph = { file, inputs: ['idx'], outputs: ['y0'], external: [] };
      } else {
        // External-data files of two shards each (the last may be smaller).
        const fileBytes = 2 * shardBytes;
        const count = Math.ceil((mib * MiB) / fileBytes);
        const sizes = Array.from({ length: count }, (_, j) => Math.min(fileBytes, mib * MiB - j * fileBytes));
        const external = sizes.map((bytes, j) => randomFile(`w-${String(j).padStart(3, '0')}.bin`, bytes, seed, j));
        const { prefix } = onnxModel(sizes.map((bytes, j) => ({ words: bytes / 4, external: external[j]!.name })));
        const file: ServedFile = { name: 'model.onnx', bytes: prefix.length, read: (offset, out) => out.set(prefix.subarray(offset, offset + out.length)) };
        graph = { file, inputs: ['idx'], outputs: sizes.map((_, j) => `y${j}`), external };
      }
      m = { manifest: manifestFor(`onnx-${seed}-${mib}-${layout}`, files, tokenizer, graph, shardBytes), files };
    }
    models.set(dir, m);
  }
  return { model: m, dir };
}

/** Generated shards kept in memory (up to 1 GiB in all), so serving measures the browser's side, not the generator. */
const cache = new Map<ServedFile, Uint8Array>();
let cachedBytes = 0;

function cached(file: ServedFile): ServedFile {
  let bytes = cache.get(file);
  if (bytes === undefined) {
    if (file.bytes > 128 * MiB || cachedBytes + file.bytes > 1024 * MiB) return file;
    bytes = new Uint8Array(file.bytes);
    file.read(0, bytes);
    cache.set(file, bytes);
    cachedBytes += file.bytes;
  }
  const data = bytes;
  return { name: file.name, bytes: file.bytes, read: (offset, out) => out.set(data.subarray(offset, offset + out.length)) };
}

/** How a file is sent: the bytes counted as they go, and (on a slow link) paced in small chunks. */
type Link = { sent: (bytes: number) => void; pace: ((bytes: number) => Promise<void>) | null };

async function serveFile(res: ServerResponse, file: ServedFile, corrupt: boolean, breakAt: number | null, link: Link): Promise<void> {
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Length', String(file.bytes));
  res.setHeader('Cache-Control', 'no-store');
  const chunk = new Uint8Array(Math.min(file.bytes, link.pace === null ? 4 * MiB : 64 * 1024));
  for (let at = 0; at < file.bytes; at += chunk.length) {
    const part = chunk.subarray(0, Math.min(chunk.length, file.bytes - at));
    file.read(at, part);
    if (corrupt && at === 0) part[Math.floor(part.length / 2)]! ^= 0xff;
    await link.pace?.(part.length);
    if (breakAt !== null && at + part.length > breakAt) {
      res.write(Buffer.from(part.subarray(0, breakAt - at)));
      link.sent(breakAt - at);
      // The server dies mid-file: the browser sees the body end early (a network error).
      await new Promise((resolve) => setTimeout(resolve, 50));
      res.destroy();
      return;
    }
    const drained = res.write(Buffer.from(part));
    link.sent(part.length);
    if (!drained) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (!url.pathname.startsWith(PREFIX)) return false;
  const [name, ...rest] = url.pathname.slice(PREFIX.length).split('/');
  const path = rest.join('/');
  const t = token(name!);
  if (path === 'requests') {
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(Object.fromEntries(t.requests)));
    return true;
  }
  if (path === 'control') {
    if (url.searchParams.has('reset')) tokens.delete(name!);
    const now = token(name!);
    if (url.searchParams.has('failAfter')) {
      const n = Number(url.searchParams.get('failAfter'));
      now.failAfter = Number.isInteger(n) ? n : null; // failAfter=off: the server is back
      now.served = 0;
    }
    if (url.searchParams.has('down')) now.down = url.searchParams.get('down') === '1';
    if (url.searchParams.has('rate')) {
      const rate = Number(url.searchParams.get('rate'));
      now.rate = rate > 0 ? rate : null; // rate=off: as fast as it goes
    }
    for (const c of url.searchParams.getAll('corrupt')) now.corrupt.add(c);
    for (const h of url.searchParams.getAll('hold')) now.hold.add(h);
    if (url.searchParams.has('release')) {
      now.hold.clear();
      now.release();
    }
    res.setHeader('Cache-Control', 'no-store');
    res.end('ok');
    return true;
  }
  if (path === 'traffic') {
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify({ bytes: t.sentBytes }));
    return true;
  }
  if (path === 'config') {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ mib: Number(process.env['LANTERN_SCALE_MIB'] ?? 300), layout: process.env['LANTERN_SCALE_LAYOUT'] ?? 'inline' }));
    return true;
  }
  t.requests.set(path, (t.requests.get(path) ?? 0) + 1);
  if (t.down) {
    // No answer at all: the browser's fetch rejects with a TypeError, as it does offline.
    res.destroy();
    return true;
  }
  if (path.endsWith('/model.json') && t.hold.has('model.json')) await t.released;
  if (path === 'tiny/model.json') {
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-store');
    res.end(readFileSync(new URL('../../models-manifest/lantern-tiny.json', import.meta.url)));
    return true;
  }
  if (path.startsWith('tiny/lantern-tiny/')) {
    const fileName = path.slice('tiny/lantern-tiny/'.length);
    if (fileName.includes('..')) return false;
    const data = readFileSync(new URL(`../../public/models/lantern-tiny/${fileName}`, import.meta.url));
    const file: ServedFile = { name: fileName, bytes: data.length, read: (offset, out) => out.set(data.subarray(offset, offset + out.length)) };
    await serveWithFaults(res, t, file);
    return true;
  }
  const huge = /^huge\/(\d+)\/model\.json$/.exec(path);
  if (huge !== null) {
    const m = validManifest();
    const shards = Array.from({ length: Number(huge[1]) }, (_, i) => ({ url: `never-${i}.bin`, bytes: 128 * MiB, sha256: `sha256-${'A'.repeat(43)}=` }));
    m['id'] = `huge-${huge[1]}`;
    m['denoiser'].wholeGraph = 'weights';
    m['denoiser'].plan = [{ op: 'run', graph: 'weights', inputs: { x_in: 'x_in', t: 't', text: 'text' }, outputs: { v_out: 'v_out' } }];
    // Graphs of at most 15 shards (under 2 GiB each).
    const graphs: Record<string, unknown> = {};
    for (let g = 0; g * 15 < shards.length; g++) {
      const part = shards.slice(g * 15, g * 15 + 15);
      graphs[g === 0 ? 'weights' : `weights_${g}`] = {
        inputs: ['x_in', 't', 'text'],
        outputs: ['v_out'],
        bytes: part.length * 128 * MiB,
        sha256: part[0]!.sha256,
        shards: part,
      };
    }
    m['graphs'] = graphs;
    delete m['conditioning']; // it would need an encoder graph these synthetic models do not have
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(m));
    return true;
  }
  const found = model(path);
  const fileName = found === null ? '' : path.slice(found.dir.length);
  if (found !== null && fileName === 'model.json') {
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-store');
    res.end(found.model.manifest);
    return true;
  }
  const file = found?.model.files.get(fileName);
  if (file === undefined) {
    res.statusCode = 404;
    res.end('not found');
    return true;
  }
  await serveWithFaults(res, t, cached(file));
  return true;
}

/** Serves a model file, held, cut off midway or corrupted as the token's faults say, counting the bytes sent. */
async function serveWithFaults(res: ServerResponse, t: Token, file: ServedFile): Promise<void> {
  if (t.hold.has(file.name)) await t.released;
  const dies = t.failAfter !== null && t.served >= t.failAfter;
  t.served++;
  await serveFile(res, file, t.corrupt.has(file.name), dies ? Math.floor(file.bytes / 2) : null, {
    sent: (bytes) => {
      t.sentBytes += bytes;
    },
    // One link for all of the token's responses: each chunk waits until the link has carried the ones before it.
    pace:
      t.rate === null
        ? null
        : async (bytes) => {
            const now = performance.now();
            t.linkFreeAt = Math.max(now, t.linkFreeAt) + (1000 * bytes) / t.rate!;
            await new Promise((resolve) => setTimeout(resolve, t.linkFreeAt - now));
          },
  });
}

export function modelTestServer(): Plugin {
  return {
    name: 'lantern:model-test-server',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        handle(req, res).then(
          (handled) => {
            if (!handled) next();
          },
          (error: unknown) => {
            res.statusCode = 500;
            res.end(String(error));
          },
        );
      });
    },
  };
}
