// The TypeScript watermark (workers/provenance/watermark/) against its Python
// reference. test/fixtures/watermark/ is written by
// `cd training && ../.venv/bin/python -m lantern.watermark_fixtures --out ../test/fixtures/watermark`:
// Shapes World clips and Python's embed of them (the port must give the same
// bytes), a marked clip after half size + H.264 CRF 28, an unmarked testsrc
// clip, and Python's detect result on each. The detector is statistical: its
// score must be within SCORE_TOLERANCE of Python's, with the same found and payload.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  describePayload,
  detectWatermark,
  embedWatermark,
  embedWatermarkInPlace,
  InvalidWatermarkInputError,
  LANTERN_MARKER,
  lanternPayload,
  MIN_SIDE,
  modelForTag,
  modelTag,
  THRESHOLD,
} from '../workers/provenance/watermark';
import { GROUPS, PERM, SIGN } from '../workers/provenance/watermark/keyed';
import { crc, decodeSymbols, encodeSymbols, toBits } from '../workers/provenance/watermark/symbols';

/** Largest |TS score - Python score| allowed: the detectors share every step but float rounding. */
const SCORE_TOLERANCE = 0.5;

type Clip = { file: string; frames: number; height: number; width: number };
type Detection = { found: boolean; payload: number | null; score: number; period: number };
type Index = { model_id: string; payload: number; clips: Record<string, Clip>; detect: Record<string, Detection> };

const DIR = new URL('./fixtures/watermark/', import.meta.url);
const index = JSON.parse(readFileSync(new URL('index.json', DIR), 'utf8')) as Index;

type Frames = { rgba: Uint8ClampedArray[]; width: number; height: number };

/** Alpha of pixel p in the fixtures' RGBA frames: varied, so a write to it shows. */
const alphaAt = (p: number): number => (p * 37 + 11) & 255;

function rgbToRgba(rgb: Uint8Array, frames: number, width: number, height: number): Uint8ClampedArray[] {
  return Array.from({ length: frames }, (_, t) => {
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let p = 0; p < width * height; p++) {
      rgba.set(rgb.subarray((t * width * height + p) * 3, (t * width * height + p) * 3 + 3), p * 4);
      rgba[p * 4 + 3] = alphaAt(p);
    }
    return rgba;
  });
}

function load(name: string): Frames {
  const clip = index.clips[name];
  if (clip === undefined) throw new Error(`No clip '${name}' in test/fixtures/watermark/index.json.`);
  const rgb = new Uint8Array(readFileSync(new URL(clip.file, DIR)));
  expect(rgb.length).toBe(clip.frames * clip.height * clip.width * 3);
  return { rgba: rgbToRgba(rgb, clip.frames, clip.width, clip.height), width: clip.width, height: clip.height };
}

/** Byte-level comparison of RGB channels, with the numbers a failure needs. */
function rgbDiff(a: readonly Uint8ClampedArray[], b: readonly Uint8ClampedArray[]): { differing: number; maxAbs: number; alphaChanged: number } {
  let differing = 0;
  let maxAbs = 0;
  let alphaChanged = 0;
  a.forEach((frame, t) => {
    const other = b[t]!;
    for (let i = 0; i < frame.length; i++) {
      if (i % 4 === 3) {
        if (frame[i] !== other[i]) alphaChanged++;
        continue;
      }
      const d = Math.abs(frame[i]! - other[i]!);
      if (d > 0) differing++;
      maxAbs = Math.max(maxAbs, d);
    }
  });
  return { differing, maxAbs, alphaChanged };
}

describe('the format: keyed tables, symbols, CRC (values from training/tests/test_watermark.py)', () => {
  test('permutation, signs and groups', () => {
    expect([...PERM.slice(0, 8)]).toEqual([178, 36, 57, 133, 44, 29, 158, 124]);
    expect([...SIGN.slice(0, 8)]).toEqual([-1, -1, -1, 1, -1, -1, 1, 1]);
    expect(new Set(PERM).size).toBe(256);
    expect(GROUPS.flat()).toEqual(Array.from({ length: 224 }, (_, i) => i + 1));
  });

  test('symbols and CRC of 0x4C4E0001', () => {
    expect(encodeSymbols(0x4c4e0001)).toEqual([19, 4, 56, 0, 0, 20, 31]);
    expect(crc(toBits(0x4c4e0001, 32))).toBe(287);
  });

  test('list decoding corrects a runner-up symbol and rejects three lost ones', () => {
    const ideal = (): Float64Array => {
      const coef = Float64Array.from({ length: 256 }, (_, i) => 0.3 * Math.sin(i * 12.9898)); // small, fixed "noise"
      coef[0] = 8;
      encodeSymbols(0xdeadbeef).forEach((sym, k) => {
        coef[GROUPS[k]![sym & 31]!] = sym & 32 ? -5 : 5;
      });
      return coef;
    };
    const oneWrong = ideal();
    oneWrong[GROUPS[3]![(encodeSymbols(0xdeadbeef)[3]! + 7) & 31]!] = 5.5;
    expect(decodeSymbols(oneWrong)).toEqual({ payload: 0xdeadbeef, bits: toBits(0xdeadbeef, 32) });
    const lost = ideal();
    for (const k of [1, 4, 5]) lost[GROUPS[k]![encodeSymbols(0xdeadbeef)[k]! & 31]!] = 0;
    expect(decodeSymbols(lost).payload).toBeNull();
  });
});

describe('embed: byte-exact parity with Python', () => {
  test('the fixed grey case of test_values_a_port_must_match', () => {
    const [w, h] = [48, 32];
    const grey = [0, 1].map(() => new Uint8ClampedArray(w * h * 4).fill(128));
    const marked = embedWatermark(grey, w, h, 0x4c4e0001);
    const green = (y: number): number[] => Array.from({ length: 6 }, (_, x) => marked[0]![(y * w + x) * 4 + 1]!);
    expect([green(0), green(1)]).toEqual([
      [131, 120, 123, 125, 125, 127],
      [133, 129, 129, 127, 127, 125],
    ]);
    const rgb = Buffer.from(marked.flatMap((f) => [...f].filter((_, i) => i % 4 !== 3)));
    expect(createHash('sha256').update(rgb).digest('hex').slice(0, 16)).toBe('df6c6a313cb0e7c7');
  });

  for (const [source, expected] of [
    ['square_source', 'square_marked'],
    ['wide_source', 'wide_marked'],
  ] as const) {
    test(`${source} (${index.clips[source]?.frames} frames, ${index.clips[source]?.height} x ${index.clips[source]?.width}) marks to ${expected}`, () => {
      const src = load(source);
      const want = load(expected);
      const got = embedWatermark(src.rgba, src.width, src.height, index.payload);
      const d = rgbDiff(got, want.rgba);
      expect(
        d,
        `TS embed vs Python: ${d.differing} of ${got.length * src.width * src.height * 3} RGB bytes differ, max |diff| ${d.maxAbs}; ${d.alphaChanged} alpha bytes changed`,
      ).toEqual({ differing: 0, maxAbs: 0, alphaChanged: 0 });
      expect(rgbDiff(src.rgba, load(source).rgba).differing, 'embedWatermark changed its input').toBe(0);
      const inPlace = embedWatermarkInPlace(src.rgba, src.width, src.height, index.payload);
      expect(inPlace).toBe(src.rgba);
      expect(rgbDiff(inPlace, want.rgba).differing).toBe(0);
    });
  }

  test('Uint8Array frames give the same bytes as Uint8ClampedArray ones', () => {
    const src = load('wide_source');
    const plain = src.rgba.map((f) => new Uint8Array(f));
    expect(rgbDiff(embedWatermark(plain, src.width, src.height, 7), embedWatermark(src.rgba, src.width, src.height, 7)).differing).toBe(0);
  });
});

describe(`detect: Python's found and payload, score within ${SCORE_TOLERANCE}`, () => {
  for (const name of ['square_marked', 'wide_marked', 'attacked', 'square_source', 'unmarked']) {
    const py = index.detect[name]!;
    test(`${name}: Python found ${py.found}, score ${py.score.toFixed(2)}`, () => {
      const clip = load(name);
      const ts = detectWatermark(clip.rgba, clip.width, clip.height);
      const line = `${name}: TS score ${ts.score.toFixed(3)} period ${ts.period.toFixed(2)}, Python ${py.score.toFixed(3)} period ${py.period.toFixed(2)}, |diff| ${Math.abs(ts.score - py.score).toExponential(1)}`;
      console.log(line);
      expect(ts.found, line).toBe(py.found);
      expect(ts.payload, line).toBe(py.payload);
      expect(Math.abs(ts.score - py.score), line).toBeLessThanOrEqual(SCORE_TOLERANCE);
      if (py.found) {
        expect(ts.payload).toBe(index.payload);
        expect(ts.bits).toEqual(toBits(index.payload, 32));
      } else {
        expect(ts.score).toBeLessThan(THRESHOLD);
      }
    });
  }

  test('round trip: TS embed, then TS detect, uncropped and with 10% cropped off each side', () => {
    const src = load('square_source');
    const payload = lanternPayload('lantern-small');
    const marked = embedWatermark(src.rgba, src.width, src.height, payload);
    const found = detectWatermark(marked, src.width, src.height);
    expect(found).toMatchObject({ found: true, payload });
    expect(found.score).toBeGreaterThan(2 * THRESHOLD);
    const [x0, size] = [13, 102]; // rows and columns 13..114
    const cropped = marked.map((frame) => {
      const out = new Uint8ClampedArray(size * size * 4);
      for (let y = 0; y < size; y++) out.set(frame.subarray(((y + x0) * src.width + x0) * 4, ((y + x0) * src.width + x0 + size) * 4), y * size * 4);
      return out;
    });
    expect(detectWatermark(cropped, size, size)).toMatchObject({ found: true, payload });
    expect(detectWatermark(src.rgba, src.width, src.height)).toMatchObject({ found: false, payload: null });
  });
});

describe('payload', () => {
  test("lanternPayload('lantern-tiny') is Python's lantern_payload (the fixtures' payload)", () => {
    expect(index.model_id).toBe('lantern-tiny');
    expect(lanternPayload('lantern-tiny')).toBe(index.payload);
    expect(lanternPayload('lantern-tiny')).toBe(0x4c4ed1b9);
  });

  test('marker and FNV-1a tag (UTF-8 bytes), as in test_lantern_payload_is_the_marker_and_the_model_tag', () => {
    expect(lanternPayload('a')).toBe(((0x4c4e << 16) | (0xe40c292c >>> 16)) >>> 0);
    expect(lanternPayload('')).toBe(0x4c4e811c);
    expect(lanternPayload('café-modèle')).toBe(0x4c4e3578); // Python: lantern_payload('café-modèle')
    expect(lanternPayload('café')).not.toBe(lanternPayload('cafe'));
  });

  test('describePayload and modelForTag', () => {
    const ids = ['lantern-small', 'lantern-tiny'];
    const described = describePayload(lanternPayload('lantern-tiny'));
    expect(described).toEqual({ lantern: true, modelTag: 0xd1b9 });
    expect(modelForTag(described.modelTag, ids)).toBe('lantern-tiny');
    expect(modelForTag(modelTag('lantern-small'), ids)).toBe('lantern-small');
    expect(modelForTag(described.modelTag, ['other'])).toBeNull();
    expect(describePayload(0xdeadbeef)).toEqual({ lantern: false, modelTag: 0xbeef });
    expect(describePayload(LANTERN_MARKER * 0x10000).lantern).toBe(true);
  });
});

describe('InvalidWatermarkInputError', () => {
  const frame = (w: number, h: number): Uint8ClampedArray => new Uint8ClampedArray(w * h * 4);
  const cases: [string, () => unknown, string, RegExp][] = [
    ['a side under MIN_SIDE', () => embedWatermark([frame(31, 64)], 31, 64, 1), 'size', /width 31 .*at least 32 px/],
    ['a fractional height', () => detectWatermark([frame(64, 64)], 64, 40.5), 'size', /height 40\.5/],
    [
      'a frame of the wrong length',
      () => embedWatermark([frame(64, 64), frame(64, 63)], 64, 64, 1),
      'frames',
      /Frame 1 has 16128 bytes, but a 64 x 64 RGBA frame has 16384/,
    ],
    ['no frames', () => detectWatermark([], 64, 64), 'frames', /no frames/],
    ['a negative payload', () => embedWatermark([frame(64, 64)], 64, 64, -1), 'payload', /Payload -1 .*0 to 4294967295.*lanternPayload/],
    ['a payload of 2^32', () => embedWatermark([frame(64, 64)], 64, 64, 2 ** 32), 'payload', /Payload 4294967296/],
    ['a fractional payload', () => embedWatermarkInPlace([frame(64, 64)], 64, 64, 1.5), 'payload', /Payload 1\.5/],
    ['describePayload(NaN)', () => describePayload(Number.NaN), 'payload', /Payload NaN/],
  ];
  for (const [what, call, field, message] of cases) {
    test(what, () => {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidWatermarkInputError);
      expect(error).toMatchObject({ name: 'InvalidWatermarkInputError', field });
      expect((error as Error).message).toMatch(message);
    });
  }

  test('MIN_SIDE itself is accepted', () => {
    expect(embedWatermark([frame(MIN_SIDE, MIN_SIDE)], MIN_SIDE, MIN_SIDE, 1)).toHaveLength(1);
  });
});
