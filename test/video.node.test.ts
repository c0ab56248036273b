// The pure parts of workers/engine/video: download file names, codec names and the
// codec string (level) chosen for a clip's size. Encoding itself needs
// WebCodecs and is tested in Chromium (video.browser.test.ts).
import { describe, expect, test } from 'vitest';
import { InvalidVideoInputError, UnsupportedCodecError } from '../workers/contracts/errors';
import { parseVideoCodec, VIDEO_CODECS, validateClipShape, videoCodecString } from '../workers/engine/video/codecs';
import { clipFileName, MAX_SLUG_LENGTH, slugify } from '../workers/engine/video/filename';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('clipFileName', () => {
  test('slugs the prompt and names the seed; the default codec is left out', () => {
    expect(clipFileName('A red ball bounces', 7, 'avc')).toBe('lantern-a-red-ball-bounces-seed7.mp4');
    expect(clipFileName('A red ball bounces', 7)).toBe('lantern-a-red-ball-bounces-seed7.mp4');
    expect(clipFileName('A red ball bounces', 7, 'vp9')).toBe('lantern-a-red-ball-bounces-seed7-vp9.mp4');
    expect(clipFileName('A red ball bounces', 4294967295, 'av1')).toBe('lantern-a-red-ball-bounces-seed4294967295-av1.mp4');
  });

  test('only lowercase ASCII letters, digits and single dashes survive', () => {
    expect(clipFileName('  Café: "big" <blue> square / circle?*|\\ \u0000 ', 1)).toBe('lantern-cafe-big-blue-square-circle-seed1.mp4');
    expect(clipFileName('../../etc/passwd', 3)).toBe('lantern-etc-passwd-seed3.mp4');
    expect(clipFileName('Ｆｕｌｌ ｗｉｄｔｈ — ümlaut', 2)).toBe('lantern-full-width-umlaut-seed2.mp4');
  });

  test('a prompt with nothing sluggable becomes "clip"', () => {
    expect(clipFileName('', 0)).toBe('lantern-clip-seed0.mp4');
    expect(clipFileName('赤いボール 🎈', 5)).toBe('lantern-clip-seed5.mp4');
  });

  test('long prompts are cut at a word boundary', () => {
    const prompt = 'a small green triangle moves slowly from the left edge to the right edge over a checkered background';
    const slug = slugify(prompt);
    expect(slug.length).toBeLessThanOrEqual(MAX_SLUG_LENGTH);
    expect(slug).toBe('a-small-green-triangle-moves-slowly-from-the');
    expect(slugify('x'.repeat(100))).toBe('x'.repeat(MAX_SLUG_LENGTH));
    const name = clipFileName(prompt.repeat(10), 123);
    expect(name).toMatch(/^lantern-[a-z0-9-]+-seed123\.mp4$/);
    expect(name.length).toBeLessThanOrEqual('lantern-'.length + MAX_SLUG_LENGTH + '-seed4294967295-vp9.mp4'.length);
  });
});

describe('codecs', () => {
  test('codec names are checked against VIDEO_CODECS', () => {
    expect(VIDEO_CODECS).toEqual(['avc', 'vp9', 'av1']);
    for (const codec of VIDEO_CODECS) expect(parseVideoCodec(codec)).toBe(codec);
    expect(() => parseVideoCodec('h265')).toThrow(new UnsupportedCodecError('h265', "Unsupported codec 'h265'. Must be one of: avc, vp9, av1."));
    const error = thrown(() => parseVideoCodec('AVC'));
    expect(error).toBeInstanceOf(UnsupportedCodecError);
    expect(error).toMatchObject({ name: 'UnsupportedCodecError', codec: 'AVC' });
  });

  test("the model's 128x128 clips get the widely decodable strings", () => {
    expect(videoCodecString('avc', 128, 128, 8)).toBe('avc1.42001f');
    expect(videoCodecString('vp9', 128, 128, 8)).toBe('vp09.00.10.08');
    expect(videoCodecString('av1', 128, 128, 8)).toBe('av01.0.04M.08');
  });

  test('larger clips get the lowest level that holds them', () => {
    expect(videoCodecString('avc', 1280, 720, 30)).toBe('avc1.42001f'); // 3600 macroblocks, 108000/s: exactly level 3.1
    expect(videoCodecString('avc', 1280, 720, 60)).toBe('avc1.420020');
    expect(videoCodecString('avc', 1920, 1080, 30)).toBe('avc1.420028');
    expect(videoCodecString('vp9', 256, 256, 8)).toBe('vp09.00.11.08');
    expect(videoCodecString('vp9', 1920, 1080, 30)).toBe('vp09.00.40.08');
    expect(videoCodecString('av1', 1920, 1080, 30)).toBe('av01.0.08M.08');
    expect(() => videoCodecString('avc', 16384, 16384, 30)).toThrow(InvalidVideoInputError);
    expect(() => videoCodecString('avc', 16384, 16384, 30)).toThrow(/beyond every avc level Lantern writes \(the highest, 5\.2/);
  });

  test('sizes must be positive and even, fps in (0, 120], frames at least 1', () => {
    expect(() => validateClipShape({ width: 128, height: 128, fps: 8, frames: 16 })).not.toThrow();
    expect(() => validateClipShape({ width: 127, height: 128, fps: 8, frames: 16 })).toThrow(
      'Frame width 127 is odd. Video codecs with 4:2:0 chroma need even sizes; crop or pad the frames to 126 or 128.',
    );
    expect(() => validateClipShape({ width: 128, height: 0, fps: 8, frames: 16 })).toThrow(
      'Frame height 0 is not allowed. It must be a positive even integer (e.g. 128).',
    );
    expect(() => validateClipShape({ width: 128, height: 12.5, fps: 8, frames: 16 })).toThrow('Frame height 12.5 is not allowed');
    expect(() => validateClipShape({ width: 128, height: 128, fps: 121, frames: 16 })).toThrow('Frame rate 121 is not allowed');
    expect(() => validateClipShape({ width: 128, height: 128, fps: 8, frames: 0 })).toThrow('Frame count 0 is not allowed');
    expect(thrown(() => validateClipShape({ width: -2, height: 128, fps: 8, frames: 1 }))).toMatchObject({ name: 'InvalidVideoInputError' });
  });
});
