// src/engine-client.ts against a real module worker running a scripted
// engine (test/support/scripted-engine.worker.ts): the queue and state
// machine, named errors across comlink, and Cancel, hangs, crashes and lost
// devices ending in a fresh worker that works.
import { afterEach, describe, expect, test } from 'vitest';
import { EngineClient, type EngineEvent, type EngineState } from '../src/engine-client';
import type { GenerateRequest, Progress } from '../workers/contracts/generator';
import { rejection } from './support/rejection';

const STALL_MS = 600;
const GRACE_MS = 400;
const LOAD = { manifestUrl: '/scripted.json', backend: 'wasm' as const };

let clients: EngineClient[] = [];
afterEach(() => {
  for (const client of clients) client.dispose();
  clients = [];
});

function makeClient(): { client: EngineClient; events: EngineEvent[]; states: () => string[] } {
  const client = new EngineClient({
    createWorker: () => new Worker(new URL('./support/scripted-engine.worker.ts', import.meta.url), { type: 'module' }),
    stallTimeoutMs: STALL_MS,
    cancelGraceMs: GRACE_MS,
  });
  clients.push(client);
  const events: EngineEvent[] = [];
  client.subscribe((event) => events.push(event));
  const label = (s: EngineState): string => (s.status === 'ready' && s.outcome !== undefined ? `ready:${s.outcome.kind}` : s.status);
  const states = () => events.flatMap((e) => (e.type === 'state' ? [label(e.state)] : []));
  return { client, events, states };
}

const request = (prompt: string, seed = 1): GenerateRequest => ({ prompt, seed });

describe('EngineClient', () => {
  test('load then generate: states in order, monotone progress, previews and the result', async () => {
    const { client, events, states } = makeClient();
    const model = await client.load(LOAD);
    expect(model.backend.backend).toBe('wasm');
    const progress: Progress[] = [];
    const previews: number[] = [];
    const result = await client.generate(request('ok', 42), { onProgress: (p) => progress.push(p), onPreview: (p) => previews.push(p.step) });
    expect(result.seed).toBe(42);
    expect(result.mp4).toBeInstanceOf(Uint8Array);
    expect(states()).toEqual(['loading', 'ready', 'generating', 'ready:done']);
    expect(progress.map((p) => p.phase)).toEqual(['encodeText', 'denoise', 'denoise', 'denoise', 'encode']);
    for (let i = 1; i < progress.length; i++) expect(progress[i]?.fraction).toBeGreaterThanOrEqual(progress[i - 1]?.fraction ?? 0);
    expect(previews).toEqual([1, 2, 3]);
    expect(events.filter((e) => e.type === 'result')).toHaveLength(1);
    expect(await client.backend()).toMatchObject({ backend: 'wasm' });
  });

  test('generate before any load is a ModelNotLoadedError', async () => {
    const { client } = makeClient();
    expect(await rejection(client.generate(request('ok')))).toMatchObject({ name: 'ModelNotLoadedError' });
  });

  test("the engine's errors keep their names; the state says failed and the client stays usable", async () => {
    const { client, states } = makeClient();
    await client.load(LOAD);
    const error = await rejection(client.generate(request('fail:EmptyPromptError')));
    expect(error).toMatchObject({ name: 'EmptyPromptError', message: 'scripted failure EmptyPromptError' });
    expect(client.state).toMatchObject({ status: 'ready', outcome: { kind: 'failed', error: { name: 'EmptyPromptError' } } });
    expect((await client.generate(request('ok', 2))).seed).toBe(2);
    expect(states()).toEqual(['loading', 'ready', 'generating', 'ready:failed', 'generating', 'ready:done']);
  });

  test('calls run one at a time in call order', async () => {
    const { client, states } = makeClient();
    client.load(LOAD).catch(() => undefined);
    const seeds = await Promise.all([client.generate(request('ok', 1)), client.generate(request('ok', 2)), client.generate(request('ok', 3))]);
    expect(seeds.map((r) => r.seed)).toEqual([1, 2, 3]);
    expect(states()).toEqual(['loading', 'ready', 'generating', 'ready:done', 'generating', 'ready:done', 'generating', 'ready:done']);
  });

  test('Cancel mid-denoise: a named cancel for the running call and the queued one, then Generate works in the same worker', async () => {
    const { client, events } = makeClient();
    await client.load(LOAD);
    let denoising!: () => void;
    const started = new Promise<void>((resolve) => (denoising = resolve));
    const running = client.generate(request('slow'), { onProgress: (p) => p.phase === 'denoise' && denoising() });
    const queued = client.generate(request('ok', 9));
    await started;
    await client.cancel();
    expect(await rejection(running)).toMatchObject({ name: 'GenerationCanceledError' });
    expect(await rejection(queued)).toMatchObject({ name: 'GenerationCanceledError' });
    expect(client.state).toMatchObject({ status: 'ready', outcome: { kind: 'canceled' } });
    expect((await client.generate(request('ok', 5))).seed).toBe(5);
    expect(events.filter((e) => e.type === 'restart')).toEqual([]);
  });

  test('Cancel that the worker ignores: the worker is replaced, the call ends canceled, the model reloads', async () => {
    const { client, events } = makeClient();
    await client.load(LOAD);
    const running = client.generate(request('deaf'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await client.cancel();
    expect(await rejection(running)).toMatchObject({ name: 'GenerationCanceledError' });
    expect(events.filter((e) => e.type === 'restart').map((e) => e.type === 'restart' && e.cause)).toEqual(['cancel']);
    expect((await client.generate(request('ok', 6))).seed).toBe(6);
    expect(client.state.status).toBe('ready');
  });

  test('a worker that sends nothing is declared unresponsive and replaced', async () => {
    const { client, events } = makeClient();
    await client.load(LOAD);
    expect(await rejection(client.generate(request('hang')))).toMatchObject({ name: 'EngineUnresponsiveError' });
    expect(events.some((e) => e.type === 'restart' && e.cause === 'stall')).toBe(true);
    expect((await client.generate(request('ok', 7))).seed).toBe(7);
  });

  test('a worker that crashes is replaced', async () => {
    const { client, events } = makeClient();
    await client.load(LOAD);
    const error = await rejection(client.generate(request('crash')));
    expect(error.name).toBe('EngineCrashedError');
    expect(error.message).toMatch(/scripted crash/);
    expect(events.some((e) => e.type === 'restart' && e.cause === 'crash')).toBe(true);
    expect((await client.generate(request('ok', 8))).seed).toBe(8);
  });

  test('a lost GPU device replaces the worker and reloads the model with the same backend', async () => {
    const { client, events } = makeClient();
    await client.load({ ...LOAD, backend: 'webgpu' });
    expect(await rejection(client.generate(request('fail:GpuDeviceLostError')))).toMatchObject({ name: 'GpuDeviceLostError' });
    expect(events.some((e) => e.type === 'restart' && e.cause === 'deviceLost')).toBe(true);
    expect((await client.generate(request('ok', 4))).seed).toBe(4);
    expect(await client.backend()).toMatchObject({ backend: 'webgpu' });
  });

  test('Cancel during a load that never finishes ends it, and a later load works', async () => {
    const { client } = makeClient();
    const loading = client.load({ manifestUrl: 'hang' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client.cancel();
    expect(await rejection(loading)).toMatchObject({ name: 'GenerationCanceledError' });
    expect(client.state.status).toBe('idle');
    expect((await client.load(LOAD)).id).toBe('scripted');
  });
});
