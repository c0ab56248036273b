// workers/engine/video in headless Chromium with the real WebCodecs encoders: a
// synthetic 16-frame 128x128 clip (a red square moving right over a dark blue
// background) at 8 fps is encoded with every codec, demuxed with mediabunny
// and decoded back; cancellation, bad input and missing WebCodecs get their
// named errors.
import { ALL_FORMATS, BufferSource, EncodedPacketSink, Input, type InputVideoTrack, VideoSampleSink } from 'mediabunny';
import { beforeAll, describe, expect, test } from 'vitest';
import { VIDEO_CODECS, type VideoCodecName } from '../workers/engine/video/codecs';
import { codecsSupported, type EncodedClip, encodeFloatClip, encodeRgbaClip, PROVENANCE_COMMENT, type VideoProgress } from '../workers/engine/video/encode';
import { visibleMarkBox } from '../workers/provenance/visible-mark';
import { findXmpPacket, parseXmpFields, TRAINED_ALGORITHMIC_MEDIA } from '../workers/provenance/xmp';

const T = 16;
const W = 128;
const H = 128;
const FPS = 8;
const SQUARE = 32;
const BACKGROUND = [0.1, 0.15, 0.4] as const;
const RED = [1, 0, 0] as const;
const PROMPT = 'a red square slides right';

/** Left edge of the square in frame t; its top edge is fixed. */
const squareX = (t: number): number => 8 + 4 * t;
const SQUARE_Y = 48;

/** The clip in the model decoder's layout, (T, 3, H, W) in [0, 1]. */
function syntheticClip(): Float32Array {
  const plane = W * H;
  const data = new Float32Array(T * 3 * plane);
  for (let t = 0; t < T; t++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inside = x >= squareX(t) && x < squareX(t) + SQUARE && y >= SQUARE_Y && y < SQUARE_Y + SQUARE;
        const colour = inside ? RED : BACKGROUND;
        for (let c = 0; c < 3; c++) data[t * 3 * plane + c * plane + y * W + x] = colour[c] as number;
      }
    }
  }
  return data;
}

/** The same clip as RGBA byte frames. */
function toRgba(clip: Float32Array): Uint8Array[] {
  const plane = W * H;
  return Array.from({ length: T }, (_, t) => {
    const rgba = new Uint8Array(plane * 4);
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) rgba[p * 4 + c] = Math.round((clip[t * 3 * plane + c * plane + p] as number) * 255);
      rgba[p * 4 + 3] = 255;
    }
    return rgba;
  });
}

/** Progress must start at 0, never go backwards and end at total. */
function expectProgress(events: VideoProgress[], total: number): void {
  expect(events.length).toBeGreaterThan(1);
  expect(events[0]).toEqual({ phase: 'encode', done: 0, total });
  expect(events[events.length - 1]).toEqual({ phase: 'encode', done: total, total });
  for (let i = 1; i < events.length; i++) {
    expect(events[i]?.phase).toBe('encode');
    expect(events[i]?.done).toBeGreaterThanOrEqual(events[i - 1]?.done ?? 0);
  }
}

async function openVideo(clip: EncodedClip): Promise<{ input: Input; track: InputVideoTrack }> {
  const input = new Input({ source: new BufferSource(clip.data), formats: ALL_FORMATS });
  const track = await input.getPrimaryVideoTrack();
  if (track === null) throw new Error('The MP4 has no video track.');
  return { input, track };
}

/** RGBA of frame t, decoded from the file by mediabunny (WebCodecs VideoDecoder underneath). */
async function decodeFrame(track: InputVideoTrack, t: number): Promise<Uint8ClampedArray> {
  const sample = await new VideoSampleSink(track).getSample((t + 0.5) / FPS);
  if (sample === null) throw new Error(`No decoded sample at frame ${t}.`);
  try {
    expect(sample.timestamp).toBeCloseTo(t / FPS, 3);
    const canvas = new OffscreenCanvas(W, H);
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('No 2D context on OffscreenCanvas.');
    sample.draw(context, 0, 0);
    return context.getImageData(0, 0, W, H).data;
  } finally {
    sample.close();
  }
}

/** Mean RGB over a 12x12 block centred on (cx, cy): away from edges, where 4:2:0 chroma and lossy coding blur colour. */
function meanColour(rgba: Uint8ClampedArray, cx: number, cy: number): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = cy - 6; y < cy + 6; y++) {
    for (let x = cx - 6; x < cx + 6; x++) {
      for (let c = 0; c < 3; c++) sum[c] = (sum[c] as number) + (rgba[(y * W + x) * 4 + c] as number);
      n++;
    }
  }
  return sum.map((s) => s / n) as [number, number, number];
}

/** Within 40 of 255 levels per channel: generous for lossy 4:2:0 coding and RGB/YUV round trips, far below red vs blue. */
const COLOUR_TOLERANCE = 40;
function expectColour(actual: [number, number, number], expected: readonly [number, number, number]): void {
  for (let c = 0; c < 3; c++)
    expect(Math.abs(actual[c]! - expected[c]! * 255), `channel ${c} of [${actual.map(Math.round).join(', ')}]`).toBeLessThanOrEqual(COLOUR_TOLERANCE);
}

let clip: Float32Array;
let supported: VideoCodecName[];

beforeAll(async () => {
  clip = syntheticClip();
  supported = await codecsSupported();
});

describe('encode and demux', () => {
  test('codecsSupported lists supported codecs in VIDEO_CODECS order, H.264 first', () => {
    expect(supported.length).toBeGreaterThan(0);
    expect(supported).toEqual(VIDEO_CODECS.filter((c) => supported.includes(c)));
    // Debian's Chromium encodes all three (../shared/ENVIRONMENT.md); H.264 is the default.
    expect(supported[0]).toBe('avc');
  });

  test.each(VIDEO_CODECS)('%s: float frames -> MP4 with the requested codec, size, frame count and rate', async (codec) => {
    if (!supported.includes(codec)) {
      await expect(encodeFloatClip(clip, { frames: T, height: H, width: W }, { fps: FPS, codec })).rejects.toMatchObject({
        name: 'UnsupportedCodecError',
        message: expect.stringContaining(`Codec '${codec}'`),
      });
      return;
    }
    const progress: VideoProgress[] = [];
    const encoded = await encodeFloatClip(
      clip,
      { frames: T, height: H, width: W },
      {
        fps: FPS,
        codec,
        onProgress: (p) => progress.push(p),
        provenance: { model: { id: 'test-model', version: '1' }, visibleMark: false, recipe: { prompt: PROMPT, seed: 7 } },
      },
    );
    expectProgress(progress, T);
    expect(encoded).toMatchObject({ mimeType: 'video/mp4', codec, width: W, height: H, frameCount: T, fps: FPS, duration: T / FPS });

    const { input, track } = await openVideo(encoded);
    try {
      expect(await input.getMimeType()).toMatch(/^video\/mp4/);
      expect(track.codec).toBe(codec);
      expect(await track.getCodecParameterString()).toMatch({ avc: /^avc1\./, vp9: /^vp09\./, av1: /^av01\./ }[codec]);
      expect([track.codedWidth, track.codedHeight]).toEqual([W, H]);
      const stats = await track.computePacketStats();
      expect(stats.packetCount).toBe(T);
      expect(stats.averagePacketRate).toBeCloseTo(FPS, 3);
      expect(await track.computeDuration()).toBeCloseTo(T / FPS, 3);
      const first = await new EncodedPacketSink(track).getFirstPacket();
      expect(first?.type).toBe('key');

      const tags = await input.getMetadataTags();
      expect(tags.comment).toBe(PROVENANCE_COMMENT);
      expect(tags.title).toBe(PROMPT);
      expect(tags.description).toContain('AI-generated');
      expect(tags.description).toContain('seed 7');

      // Frame 5: the square's centre is red, where it started (frame 0) is background again.
      const frame = await decodeFrame(track, 5);
      expectColour(meanColour(frame, squareX(5) + SQUARE / 2, SQUARE_Y + SQUARE / 2), RED);
      expectColour(meanColour(frame, squareX(0) + 8, SQUARE_Y + SQUARE / 2), BACKGROUND);
      expectColour(meanColour(frame, 100, 16), BACKGROUND);
    } finally {
      input.dispose();
    }
  });

  test('RGBA frames give the same clip as float frames', async () => {
    const progress: VideoProgress[] = [];
    const encoded = await encodeRgbaClip(toRgba(clip), { width: W, height: H }, { fps: FPS, onProgress: (p) => progress.push(p) });
    expectProgress(progress, T);
    expect(encoded.codec).toBe('avc');
    const { input, track } = await openVideo(encoded);
    try {
      expect((await track.computePacketStats()).packetCount).toBe(T);
      const frame = await decodeFrame(track, 12);
      expectColour(meanColour(frame, squareX(12) + SQUARE / 2, SQUARE_Y + SQUARE / 2), RED);
      expectColour(meanColour(frame, squareX(0) + SQUARE / 2, SQUARE_Y + SQUARE / 2), BACKGROUND);
    } finally {
      input.dispose();
    }
  });
});

describe('provenance', () => {
  test('every clip says it is AI-made (XMP after the media), the badge is in its pixels, the recipe only when chosen, the caller keeps clean frames', async () => {
    const frames = toRgba(clip);
    const before = frames.map((f) => f.slice());
    const provenance = { model: { id: 'test-model', version: '7' }, visibleMark: true };
    const encoded = await encodeRgbaClip(frames, { width: W, height: H }, { fps: FPS, provenance });
    expect(frames).toEqual(before); // marks go into copies: extend and edit get the clean frames
    const fields = parseXmpFields(findXmpPacket(new Uint8Array(encoded.data))!);
    expect(fields).toMatchObject({ digitalSourceType: TRAINED_ALGORITHMIC_MEDIA, aiSystem: 'test-model', aiSystemVersion: '7' });
    expect(fields.creatorTool).toMatch(/^Lantern \d+\.\d+\.\d+/);
    expect(Date.now() - Date.parse(fields.createDate!)).toBeLessThan(60_000);
    expect(fields).not.toHaveProperty('prompt');
    // A page cannot sign (C2PA needs a worker's FileReaderSync): the clip says it has no manifest, and why.
    expect(encoded.contentCredentials).toMatchObject({ written: false, reason: expect.stringContaining('no C2PA signer') });
    const { input, track } = await openVideo(encoded);
    try {
      const tags = await input.getMetadataTags();
      expect(tags.title).toBe('Lantern clip');
      expect(tags.description).not.toContain(PROMPT);
      expect((await track.computePacketStats()).packetCount).toBe(T); // the appended box does not disturb the demuxer
      const frame = await decodeFrame(track, 3);
      const box = visibleMarkBox(W, H);
      const background = BACKGROUND.reduce((a, b) => a + b * 255, 0) / 3;
      // The badge's left two columns: backdrop only (the letters start 2 px in), 45% of the background's level.
      let sum = 0;
      for (let y = box.y + 1; y < box.y + box.height - 1; y++)
        for (let x = box.x; x < box.x + 2; x++) sum += (frame[(y * W + x) * 4]! + frame[(y * W + x) * 4 + 1]! + frame[(y * W + x) * 4 + 2]!) / 3;
      expect(sum / (2 * (box.height - 2))).toBeLessThan(background * 0.75);
      const luma = (x: number, y: number) => meanColour(frame, x, y).reduce((a, b) => a + b) / 3;
      expect(luma(100, 16)).toBeGreaterThan(background * 0.9);
    } finally {
      input.dispose();
    }
  });
});

describe('cancel', () => {
  test('aborting mid-clip ends in GenerationCanceledError, and the next encode works', async () => {
    const controller = new AbortController();
    const progress: VideoProgress[] = [];
    const canceled = encodeFloatClip(
      clip,
      { frames: T, height: H, width: W },
      {
        fps: FPS,
        signal: controller.signal,
        onProgress: (p) => {
          progress.push(p);
          if (p.done >= 3) controller.abort();
        },
      },
    );
    await expect(canceled).rejects.toMatchObject({ name: 'GenerationCanceledError', phase: 'encode' });
    expect(controller.signal.aborted).toBe(true);
    // The abort came from a progress event (done >= 3); none came after it.
    expect(progress.at(-1)?.done).toBeGreaterThanOrEqual(3);
    expect(progress.filter((p) => p.done >= 3)).toHaveLength(1);

    const again = await encodeFloatClip(clip, { frames: T, height: H, width: W }, { fps: FPS });
    const { input, track } = await openVideo(again);
    try {
      expect((await track.computePacketStats()).packetCount).toBe(T);
    } finally {
      input.dispose();
    }
  });

  test('an already aborted signal cancels before any frame', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(encodeFloatClip(clip, { frames: T, height: H, width: W }, { fps: FPS, signal: controller.signal })).rejects.toMatchObject({
      name: 'GenerationCanceledError',
      message: 'Generation was canceled during encode (before frame 0 of 16).',
    });
  });
});

describe('bad input', () => {
  const shape = { frames: T, height: H, width: W };

  test('an unknown codec name', async () => {
    await expect(encodeFloatClip(clip, shape, { fps: FPS, codec: 'h265' as VideoCodecName })).rejects.toMatchObject({
      name: 'UnsupportedCodecError',
      message: "Unsupported codec 'h265'. Must be one of: avc, vp9, av1.",
    });
  });

  test('odd, zero and mismatched sizes, bad frame rates, NaN', async () => {
    const odd = new Float32Array(T * 3 * 127 * 128);
    await expect(encodeFloatClip(odd, { frames: T, height: 128, width: 127 }, { fps: FPS })).rejects.toMatchObject({
      name: 'InvalidVideoInputError',
      message: expect.stringMatching(/^Frame width 127 is odd\. .*126 or 128\.$/),
    });
    await expect(encodeRgbaClip([], { width: 0, height: 128 }, { fps: FPS })).rejects.toMatchObject({
      name: 'InvalidVideoInputError',
      message: expect.stringContaining('Frame width 0 is not allowed'),
    });
    await expect(encodeRgbaClip([new Uint8Array(10)], { width: W, height: H }, { fps: FPS })).rejects.toMatchObject({
      name: 'InvalidVideoInputError',
      message: 'RGBA frame 0 holds 10 bytes; a 128x128 frame needs 65536 (width * height * 4).',
    });
    await expect(encodeFloatClip(clip.subarray(1), shape, { fps: FPS })).rejects.toMatchObject({
      name: 'InvalidVideoInputError',
      message: expect.stringContaining('(T, 3, H, W) = (16, 3, 128, 128) needs 786432'),
    });
    for (const fps of [0, -8, Number.NaN, 1000]) {
      await expect(encodeFloatClip(clip, shape, { fps })).rejects.toMatchObject({
        name: 'InvalidVideoInputError',
        message: expect.stringContaining(`Frame rate ${fps}`),
      });
    }
    const withNaN = clip.slice();
    withNaN[2 * 3 * W * H + W * H + 5 * W + 9] = Number.NaN; // frame 2, green, row 5, column 9
    await expect(encodeFloatClip(withNaN, shape, { fps: FPS })).rejects.toMatchObject({
      name: 'InvalidVideoInputError',
      message: expect.stringContaining('Frame 2 has NaN at channel 1, row 5, column 9'),
    });
  });

  test('a browser without WebCodecs gets WebCodecsUnavailableError', async () => {
    const global = globalThis as { VideoEncoder?: unknown };
    const saved = global.VideoEncoder;
    global.VideoEncoder = undefined;
    try {
      await expect(codecsSupported()).rejects.toMatchObject({ name: 'WebCodecsUnavailableError' });
      await expect(encodeFloatClip(clip, shape, { fps: FPS })).rejects.toMatchObject({
        name: 'WebCodecsUnavailableError',
        message: expect.stringContaining('no WebCodecs VideoEncoder'),
      });
    } finally {
      global.VideoEncoder = saved;
    }
  });
});
