// The engine end to end on the WASM backend in Chromium, with the real
// model, ORT, WebCodecs and mediabunny: the fixture's request gives the
// training code's frames, the same seed gives the same frames, progress is
// monotone by phase, cancel in every phase ends in GenerationCanceledError
// and leaves the engine working, bad requests and concurrent calls get their
// named errors. Then the real worker entry, through comlink.
import * as Comlink from 'comlink';
import { ALL_FORMATS, BufferSource, EncodedPacketSink, Input } from 'mediabunny';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import type { GenerateRequest, GenerateResult, Generator, Preview, Progress } from '../workers/contracts/generator';
import { createEngine } from '../workers/engine/engine';
import { codecsSupported } from '../workers/engine/video/encode';
import { clipFileName } from '../workers/engine/video/filename';
import { fetchManifest } from '../workers/model-files/load';
import type { Manifest } from '../workers/model-files/manifest';
import { type FixtureIndex, fixtureIndex, fixtureTensor, MANIFEST_URL } from './support/engine-fixtures';
import { rejection } from './support/rejection';

/** Phases in order, fractions never going backwards, and the last one at 1. */
function expectProgress(progress: Progress[], steps: number): void {
  const phases = progress.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1]);
  expect(phases).toEqual(['encodeText', 'denoise', 'decode', 'encode']);
  for (let i = 1; i < progress.length; i++) expect(progress[i]!.fraction).toBeGreaterThanOrEqual(progress[i - 1]!.fraction);
  expect(progress[0]!.fraction).toBe(0);
  expect(progress.at(-1)).toMatchObject({ phase: 'encode', fraction: 1 });
  const denoise = progress.flatMap((p) => (p.phase === 'denoise' ? [p.step] : []));
  expect(denoise).toEqual(Array.from({ length: steps + 1 }, (_, i) => i));
}

/** Frames as one byte array in the fixture's (T, 3, H, W) layout. */
function planar(frames: Uint8ClampedArray[], width: number, height: number): Uint8Array {
  const plane = width * height;
  const out = new Uint8Array(frames.length * 3 * plane);
  frames.forEach((rgba, t) => {
    for (let c = 0; c < 3; c++) for (let p = 0; p < plane; p++) out[(t * 3 + c) * plane + p] = rgba[4 * p + c]!;
  });
  return out;
}

// Sizes come from the manifest and the fixture's index.json, so the tests hold for a re-exported model.
let index: FixtureIndex;
let manifest: Manifest;
let engine: Generator;
let maxPromptWords: number;

beforeAll(async () => {
  index = await fixtureIndex();
  manifest = await fetchManifest(MANIFEST_URL);
  engine = createEngine();
});

describe('engine on WASM', () => {
  test('generate before load is ModelNotLoadedError; a bad load request is InvalidRequestError', async () => {
    expect((await rejection(engine.generate({ prompt: 'a red ball', seed: 1 }))).name).toBe('ModelNotLoadedError');
    expect(await engine.backend()).toBeNull();
    const bad = await rejection(engine.load({ manifestUrl: MANIFEST_URL, backend: 'cuda' as 'wasm' }));
    expect(bad.name).toBe('InvalidRequestError');
    expect(bad.message).toContain('Must be one of: webgpu, wasm, auto');
  });

  test('load reports byte progress to the total and describes the model', async () => {
    const progress: Progress[] = [];
    const info = await engine.load({ manifestUrl: MANIFEST_URL, backend: 'wasm' }, (p) => progress.push(p));
    const { width, height, frames, fps } = manifest.video;
    expect(info).toMatchObject({
      id: index.model,
      width,
      height,
      frames,
      fps,
      defaultSteps: manifest.sampler.defaultSteps,
      defaultGuidance: manifest.sampler.defaultGuidance,
    });
    // The template's specials ([BOS], [EOS]) take two of the text encoder's positions.
    expect(info.maxPromptWords).toBe(manifest.tokenizer.maxTokens - 2);
    maxPromptWords = info.maxPromptWords;
    expect(info.backend).toEqual({ backend: 'wasm', reason: 'WASM chosen by the user' });
    expect(await engine.backend()).toEqual(info.backend);
    // The codecs this browser encodes at the model's clip size: Chromium here has all three.
    expect(info.codecs).toEqual(await codecsSupported({ width, height, fps }));
    expect(info.codecs).toEqual(['avc', 'vp9', 'av1']);
    expect(progress.length).toBeGreaterThan(2);
    for (const [i, p] of progress.entries()) {
      expect(p.phase).toBe('load');
      if (i > 0) expect(p.fraction).toBeGreaterThanOrEqual(progress[i - 1]!.fraction);
    }
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ fraction: 1 });
    if (last.phase === 'load') expect(last.loadedBytes).toBe(last.totalBytes);
  });

  let first: GenerateResult;
  test("the fixture's request gives the training code's frames, a valid MP4 and previews", async () => {
    const progress: Progress[] = [];
    const previews: Preview[] = [];
    // The fixture's settings: the training code's Euler on the model's own schedule shift, not today's default preset.
    const request: GenerateRequest = {
      prompt: index.prompt,
      negativePrompt: index.negative,
      seed: index.seed,
      sampler: 'euler',
      steps: index.steps,
      shift: manifest.sampler.shift,
      guidance: index.guidance,
    };
    first = await engine.generate(request, { onProgress: (p) => progress.push(p), onPreview: (p) => previews.push(p) });
    expectProgress(progress, index.steps);
    const { latent, video } = manifest;
    expect(previews.map((p) => p.step)).toEqual(Array.from({ length: index.steps }, (_, i) => i + 1));
    expect(previews[0]).toMatchObject({ steps: index.steps, width: latent.width, height: latent.height });
    expect(previews[0]!.frames).toHaveLength(latent.frames);
    expect(previews[0]!.frames[0]).toHaveLength(latent.width * latent.height * 4);

    expect(first).toMatchObject({
      width: video.width,
      height: video.height,
      fps: video.fps,
      seed: index.seed,
      backend: 'wasm',
      codec: 'avc',
      mimeType: 'video/mp4',
    });
    expect(first.fileName).toBe(clipFileName(index.prompt, index.seed));
    expect(first.truncatedWords).toBeUndefined();
    expect(first.frames).toHaveLength(video.frames);
    expect(first.frames[0]).toHaveLength(video.width * video.height * 4);
    for (const phase of ['encodeText', 'denoise', 'decode', 'encode'] as const) expect(first.timings[phase]).toBeGreaterThan(0);
    // frames_uint8 = round(255 * frames): a float difference of 2e-3 (the fixture's tolerance) moves a byte by at most 1.
    const expected = (await fixtureTensor(index, 'frames_uint8')).data;
    const actual = planar(first.frames, video.width, video.height);
    let maxDiff = 0;
    let differing = 0;
    for (let i = 0; i < expected.length; i++) {
      const d = Math.abs(actual[i]! - expected[i]!);
      maxDiff = Math.max(maxDiff, d);
      if (d > 0) differing++;
    }
    console.log(`WASM frames vs frames_uint8: max |diff| ${maxDiff} levels, ${differing} of ${expected.length} bytes differ`);
    expect(maxDiff).toBeLessThanOrEqual(1);

    const input = new Input({ source: new BufferSource(first.mp4), formats: ALL_FORMATS });
    const track = await input.getPrimaryVideoTrack();
    expect(track?.codec).toBe('avc');
    expect([track?.displayWidth, track?.displayHeight]).toEqual([video.width, video.height]);
    const sink = new EncodedPacketSink(track!);
    let packets = 0;
    for await (const packet of sink.packets()) {
      expect(packet.timestamp).toBeCloseTo(packets / video.fps, 5);
      packets++;
    }
    expect(packets).toBe(video.frames);
  });

  test('the same seed gives the same frames; another seed does not', async () => {
    const request = {
      prompt: index.prompt,
      seed: index.seed,
      sampler: 'euler' as const,
      steps: index.steps,
      shift: manifest.sampler.shift,
      guidance: index.guidance,
    };
    const again = await engine.generate(request);
    expect(again.frames.length).toBe(first.frames.length);
    for (const [t, frame] of again.frames.entries()) expect(frame, `frame ${t}`).toEqual(first.frames[t]);
    const other = await engine.generate({ ...request, seed: index.seed + 1 });
    expect(other.frames[0]).not.toEqual(first.frames[0]);
  });

  test('a prompt past the token limit is truncated and says so', async () => {
    const words = Array.from({ length: maxPromptWords + 14 }, () => 'ball').join(' ');
    const progress: Progress[] = [];
    const result = await engine.generate({ prompt: words, seed: 1, steps: 1, previewEvery: 0 }, { onProgress: (p) => progress.push(p) });
    expect(result.truncatedWords).toBe(14);
    expect(progress.find((p) => p.phase === 'encodeText' && p.truncatedWords === 14)).toBeDefined();
  });

  test('bad requests are named errors and leave the engine usable', async () => {
    const cases: [GenerateRequest, string][] = [
      [{ prompt: '', seed: 1 }, 'EmptyPromptError'],
      [{ prompt: 'a ball', seed: 1, steps: 0 }, 'InvalidSamplerSettingsError'],
      [{ prompt: 'a ball', seed: 1, steps: 1.5 }, 'InvalidSamplerSettingsError'],
      [{ prompt: 'a ball', seed: 1, guidance: Number.POSITIVE_INFINITY }, 'InvalidSamplerSettingsError'],
      [{ prompt: 'a ball', seed: 1, frames: manifest.video.frames + 1 }, 'InvalidRequestError'],
      [{ prompt: 'a ball', seed: -1 }, 'InvalidSeedError'],
      [{ prompt: 'a ball', seed: 2 ** 32 }, 'InvalidSeedError'],
    ];
    for (const [request, name] of cases) expect((await rejection(engine.generate(request))).name, JSON.stringify(request)).toBe(name);
  });

  test('progress and preview callbacks that throw are logged and do not stop the generation', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const fail = () => {
      throw new Error('a broken page callback');
    };
    try {
      const result = await engine.generate({ prompt: 'a red ball', seed: 2, steps: 1 }, { onProgress: fail, onPreview: fail });
      expect(result.frames).toHaveLength(manifest.video.frames);
      expect(warn).toHaveBeenCalledWith('Lantern: a progress or preview callback failed:', expect.objectContaining({ message: 'a broken page callback' }));
    } finally {
      warn.mockRestore();
    }
  });

  test('a second call while one runs is EngineBusyError', async () => {
    const running = engine.generate({ prompt: 'a blue cube', seed: 3, steps: 1 });
    const settled = running.then(
      (result) => result,
      (error: unknown) => error,
    );
    const busy = await rejection(engine.generate({ prompt: 'a blue cube', seed: 4, steps: 1 }));
    expect(busy.name).toBe('EngineBusyError');
    expect((await rejection(engine.load({ manifestUrl: MANIFEST_URL }))).name).toBe('EngineBusyError');
    expect(await settled).toMatchObject({ frames: expect.any(Array) });
    expect(((await settled) as GenerateResult).frames).toHaveLength(manifest.video.frames);
  });

  test.each(['encodeText', 'denoise', 'decode', 'encode'] as const)(
    'cancel during %s ends in GenerationCanceledError, then a generation works',
    async (phase) => {
      let canceled: Promise<void> | null = null;
      const seen: string[] = [];
      const run = engine.generate(
        { prompt: 'a green star spins', seed: 5, steps: 2 },
        {
          onProgress: (p) => {
            seen.push(p.phase);
            if (p.phase === phase && canceled === null) canceled = engine.cancel();
          },
        },
      );
      const error = await rejection(run);
      await canceled;
      expect(error.name).toBe('GenerationCanceledError');
      expect(error).toMatchObject({ phase });
      expect(seen.at(-1)).toBe(phase);
      const after = await engine.generate({ prompt: 'a green star spins', seed: 5, steps: 1, previewEvery: 0 });
      expect(after.frames).toHaveLength(manifest.video.frames);
    },
  );

  test('cancel during load ends in GenerationCanceledError and keeps the loaded model', async () => {
    let canceled: Promise<void> | null = null;
    const loading = engine.load({ manifestUrl: MANIFEST_URL, backend: 'wasm' }, () => {
      canceled ??= engine.cancel();
    });
    const error = await rejection(loading);
    await canceled;
    expect(error).toMatchObject({ name: 'GenerationCanceledError', phase: 'load' });
    expect((await engine.generate({ prompt: 'a red ball', seed: 9, steps: 1 })).backend).toBe('wasm');
    await engine.cancel(); // idle: a no-op
  });
});

describe('the worker', () => {
  test('workers/engine/engine.worker.ts serves the Generator over comlink, errors keep their names', async () => {
    const worker = new Worker(new URL('../workers/engine/engine.worker.ts', import.meta.url), { type: 'module' });
    try {
      const remote = Comlink.wrap<Generator>(worker);
      const info = await remote.load({ manifestUrl: MANIFEST_URL, backend: 'wasm' });
      expect(info.backend.backend).toBe('wasm');
      const phases = new Set<string>();
      const result = await remote.generate(
        { prompt: 'a yellow ball rolls', seed: 11, steps: 1 },
        Comlink.proxy({ onProgress: (p: Progress) => phases.add(p.phase), onPreview: () => undefined }),
      );
      expect(result.mp4).toBeInstanceOf(Uint8Array);
      expect(result.frames).toHaveLength(manifest.video.frames);
      expect([...phases]).toEqual(['encodeText', 'denoise', 'decode', 'encode']);
      const error = await rejection(remote.generate({ prompt: ' ', seed: 1 }));
      expect(error.name).toBe('EmptyPromptError');

      // Cancel is a message to the worker: the engine must yield to its event loop between
      // steps to see it, and stop at the next step boundary rather than after all of them.
      const steps = 40;
      let canceledAt = -1;
      let lastStep = -1;
      let canceled: Promise<void> | null = null;
      const run = remote.generate(
        { prompt: 'a yellow ball rolls', seed: 12, steps, previewEvery: 0 },
        Comlink.proxy({
          onProgress: (p: Progress) => {
            if (p.phase !== 'denoise') return;
            lastStep = p.step;
            if (p.step === 1 && canceled === null) {
              canceledAt = p.step;
              canceled = remote.cancel();
            }
          },
          onPreview: () => undefined,
        }),
      );
      // comlink carries name and message, not the class's other fields.
      expect(await rejection(run)).toMatchObject({ name: 'GenerationCanceledError', message: expect.stringContaining('during denoise') });
      await canceled;
      // The progress message and the cancel message each cross the worker boundary once, so a step may finish meanwhile.
      expect(lastStep - canceledAt).toBeLessThanOrEqual(2);
      expect((await remote.generate({ prompt: 'a yellow ball rolls', seed: 12, steps: 1 })).frames).toHaveLength(manifest.video.frames);
    } finally {
      worker.terminate();
    }
  });
});
