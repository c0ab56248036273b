// The marks that need no browser: the XMP packet and its box (written after
// muxing, read back by Lantern's own reader; exiftool reads them in the CLI's
// end-to-end test), and the visible badge.
import { describe, expect, test } from 'vitest';
import { drawVisibleMark, visibleMarkBox } from '../workers/provenance/visible-mark';
import { appendXmp, findXmpPacket, parseXmpFields, TRAINED_ALGORITHMIC_MEDIA, topLevelBoxes, XMP_UUID, xmpPacket } from '../workers/provenance/xmp';

function box(type: string, body: Uint8Array = new Uint8Array(4)): Uint8Array {
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setUint32(0, out.length);
  out.set(
    [...type].map((c) => c.charCodeAt(0)),
    4,
  );
  out.set(body, 8);
  return out;
}
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
/** ftyp, moov, mdat: the top level of a fast-start MP4. */
const MP4 = concat(box('ftyp', new TextEncoder().encode('isom\0\0\0\0isom')), box('moov', new Uint8Array(40)), box('mdat', new Uint8Array(100).fill(7)));

const FIELDS = {
  digitalSourceType: TRAINED_ALGORITHMIC_MEDIA,
  creatorTool: 'Lantern 0.1.0',
  createDate: '2026-12-05T14:00:00.000Z',
  aiSystem: 'lantern-tiny',
  aiSystemVersion: '2026-12-01',
};

describe('XMP in the MP4', () => {
  test('appended as a top-level uuid box after the media, which stay byte for byte where they were', () => {
    const out = appendXmp(MP4, xmpPacket(FIELDS));
    expect(out.subarray(0, MP4.length)).toEqual(MP4);
    const boxes = topLevelBoxes(out);
    expect(boxes.map((b) => b.type)).toEqual(['ftyp', 'moov', 'mdat', 'uuid']);
    expect(out.subarray(boxes[3]!.start + 8, boxes[3]!.start + 24)).toEqual(XMP_UUID);
  });

  test('reads back: the digital source type, tool, date and model; no recipe unless it was given', () => {
    const fields = parseXmpFields(findXmpPacket(appendXmp(MP4, xmpPacket(FIELDS)))!);
    expect(fields).toEqual(FIELDS);
    expect(fields).not.toHaveProperty('prompt');
    expect(fields).not.toHaveProperty('seed');
  });

  test('the opted-in recipe survives XML special characters and non-Latin text', () => {
    const recipe = { prompt: `a "red" ball <bounces> & 'spins' — 赤いボール`, negativePrompt: 'blur & noise', seed: 4294967295 };
    expect(parseXmpFields(findXmpPacket(appendXmp(MP4, xmpPacket({ ...FIELDS, ...recipe })))!)).toEqual({ ...FIELDS, ...recipe });
  });

  test('fields written as attributes by other tools read the same', () => {
    const packet = `<rdf:Description rdf:about="" Iptc4xmpExt:DigitalSourceType="${TRAINED_ALGORITHMIC_MEDIA}" lantern:Seed="7"/>`;
    expect(parseXmpFields(packet)).toEqual({ digitalSourceType: TRAINED_ALGORITHMIC_MEDIA, seed: 7 });
  });

  test('a file without XMP, a WebM and a cut-short file read as no XMP', () => {
    expect(findXmpPacket(MP4)).toBeNull();
    expect(findXmpPacket(Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81))).toBeNull(); // EBML header
    expect(findXmpPacket(appendXmp(MP4, xmpPacket(FIELDS)).subarray(0, MP4.length + 20))).toBeNull();
  });

  test('a file that is not an MP4 cannot be stamped: XmpFormatError says so', () => {
    expect(() => appendXmp(concat(box('ftyp'), box('mdat')), 'x')).toThrow(
      expect.objectContaining({ name: 'XmpFormatError', message: expect.stringContaining("no 'moov'") }),
    );
    expect(() => appendXmp(MP4.subarray(0, MP4.length - 1), 'x')).toThrow(
      expect.objectContaining({ name: 'XmpFormatError', message: expect.stringContaining('past the end') }),
    );
  });
});

describe('the visible badge', () => {
  const grey = (w: number, h: number) => new Uint8ClampedArray(w * h * 4).fill(128);
  const pixel = (f: Uint8ClampedArray, w: number, x: number, y: number) => [...f.subarray((y * w + x) * 4, (y * w + x) * 4 + 4)];

  test('a small badge in the bottom-right corner: dark backdrop, light letters, alpha untouched, the rest unchanged', () => {
    const [w, h] = [128, 128];
    const frame = grey(w, h);
    expect(drawVisibleMark(frame, w, h)).toBe(true);
    const b = visibleMarkBox(w, h);
    expect(b).toEqual({ x: 112, y: 114, width: 13, height: 11 });
    expect(b.width * b.height).toBeLessThan(0.01 * w * h);
    expect(pixel(frame, w, b.x, b.y)).toEqual([58, 58, 58, 128]); // backdrop: 128 * 0.45
    expect(pixel(frame, w, b.x + 2, b.y + 4)).toEqual([242, 242, 242, 128]); // the A's left stroke: 128 * 0.1 + 255 * 0.9
    let changed = 0;
    for (let i = 0; i < w * h; i++) if (frame[i * 4] !== 128) changed++;
    expect(changed).toBe(b.width * b.height);
  });

  test('scales in whole pixels with the frame; a frame too small is left as it is', () => {
    expect(visibleMarkBox(512, 288)).toMatchObject({ width: 26, height: 22 });
    const tiny = grey(12, 12);
    expect(drawVisibleMark(tiny, 12, 12)).toBe(false);
    expect(tiny.every((v) => v === 128)).toBe(true);
  });
});
