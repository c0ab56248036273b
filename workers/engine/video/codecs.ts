// Which codecs Lantern writes, and the WebCodecs codec string for a clip of a
// given size and frame rate. Pure functions (no WebCodecs calls), so the node
// tests check them; encode.ts asks the browser whether it can encode them.
import { InvalidVideoInputError, UnsupportedCodecError } from '../../contracts/errors';
import { DEFAULT_VIDEO_CODEC, isVideoCodec, VIDEO_CODECS, type VideoCodecName } from '../../contracts/generator';

export { DEFAULT_VIDEO_CODEC, isVideoCodec, VIDEO_CODECS, type VideoCodecName };

export const MAX_FPS = 120;

/** Checks a codec name from outside (UI, CLI, URL) against VIDEO_CODECS. */
export function parseVideoCodec(value: unknown): VideoCodecName {
  if (isVideoCodec(value)) return value;
  const shown = typeof value === 'string' ? `'${value}'` : String(value);
  throw new UnsupportedCodecError(String(value), `Unsupported codec ${shown}. Must be one of: ${VIDEO_CODECS.join(', ')}.`);
}

/**
 * A codec level: the largest picture (luma samples), luma sample rate and
 * width/height it allows. A clip gets the lowest level that holds it, so
 * small clips keep the widely decodable strings (avc1.42001f, vp09.00.10.08,
 * av01.0.04M.08) and larger ones still get a valid one.
 */
type Level = { tag: string; name: string; maxPicture: number; maxRate: number; maxWidth: number; maxHeight: number };

function avcLevel(idc: number, name: string, maxFrameMbs: number, maxMbps: number): Level {
  // H.264 Table A-1 counts 16x16 macroblocks; each side is limited to sqrt(8 * MaxFS) macroblocks.
  const maxSide = Math.floor(Math.sqrt(8 * maxFrameMbs)) * 16;
  return { tag: idc.toString(16).padStart(2, '0'), name, maxPicture: maxFrameMbs * 256, maxRate: maxMbps * 256, maxWidth: maxSide, maxHeight: maxSide };
}

function vp9Level(level: number, maxPicture: number, maxRate: number, maxBreadth: number): Level {
  const name = `${Math.floor(level / 10)}.${level % 10}`;
  return { tag: String(level), name, maxPicture, maxRate, maxWidth: maxBreadth, maxHeight: maxBreadth };
}

function av1Level(idx: number, name: string, maxPicture: number, maxRate: number, maxWidth: number, maxHeight: number): Level {
  return { tag: String(idx).padStart(2, '0'), name, maxPicture, maxRate, maxWidth, maxHeight };
}

// H.264 Table A-1 from level 3.1 up (Constrained Baseline needs nothing lower to be playable everywhere).
const AVC_LEVELS: readonly Level[] = [
  avcLevel(31, '3.1', 3600, 108000),
  avcLevel(32, '3.2', 5120, 216000),
  avcLevel(40, '4.0', 8192, 245760),
  avcLevel(42, '4.2', 8704, 522240),
  avcLevel(50, '5.0', 22080, 589824),
  avcLevel(51, '5.1', 36864, 983040),
  avcLevel(52, '5.2', 36864, 2073600),
];

// VP9 levels (libvpx vp9_level_defs: sample rate, picture size, breadth).
const VP9_LEVELS: readonly Level[] = [
  vp9Level(10, 36864, 829440, 512),
  vp9Level(11, 73728, 2764800, 768),
  vp9Level(20, 122880, 4608000, 960),
  vp9Level(21, 245760, 9216000, 1344),
  vp9Level(30, 552960, 20736000, 2048),
  vp9Level(31, 983040, 36864000, 2752),
  vp9Level(40, 2228224, 83558400, 4160),
  vp9Level(41, 2228224, 160432128, 4160),
  vp9Level(50, 8912896, 311951360, 8384),
  vp9Level(51, 8912896, 588251136, 8384),
  vp9Level(52, 8912896, 1176502272, 8384),
];

// AV1 Annex A seq_level_idx from level 3.0 up (Main profile, Main tier).
const AV1_LEVELS: readonly Level[] = [
  av1Level(4, '3.0', 665856, 19975680, 4352, 2448),
  av1Level(5, '3.1', 1065024, 31950720, 5504, 3096),
  av1Level(8, '4.0', 2359296, 70778880, 6144, 3456),
  av1Level(9, '4.1', 2359296, 141557760, 6144, 3456),
  av1Level(12, '5.0', 8912896, 267386880, 8192, 4352),
  av1Level(13, '5.1', 8912896, 534773760, 8192, 4352),
  av1Level(14, '5.2', 8912896, 1069547520, 8192, 4352),
];

const LEVELS: Record<VideoCodecName, readonly Level[]> = { avc: AVC_LEVELS, vp9: VP9_LEVELS, av1: AV1_LEVELS };

function codecStringFor(codec: VideoCodecName, level: Level): string {
  switch (codec) {
    case 'avc':
      return `avc1.4200${level.tag}`; // Baseline profile, no constraint flags
    case 'vp9':
      return `vp09.00.${level.tag}.08`; // profile 0, 8-bit
    case 'av1':
      return `av01.0.${level.tag}M.08`; // Main profile, Main tier, 8-bit
  }
}

/**
 * Checks a clip's size and frame rate. Sizes must be even for every codec
 * (4:2:0 chroma covers 2x2 pixels; H.264 encoders reject odd sizes), so a
 * clip that encodes with one codec encodes with all.
 */
export function validateClipShape(shape: { width: number; height: number; fps: number; frames: number }): void {
  for (const side of ['width', 'height'] as const) {
    const value = shape[side];
    if (!Number.isInteger(value) || value <= 0) {
      throw new InvalidVideoInputError(`Frame ${side} ${value} is not allowed. It must be a positive even integer (e.g. 128).`);
    }
    if (value % 2 !== 0) {
      throw new InvalidVideoInputError(
        `Frame ${side} ${value} is odd. Video codecs with 4:2:0 chroma need even sizes; crop or pad the frames to ${value - 1} or ${value + 1}.`,
      );
    }
  }
  if (!Number.isFinite(shape.fps) || shape.fps <= 0 || shape.fps > MAX_FPS) {
    throw new InvalidVideoInputError(`Frame rate ${shape.fps} is not allowed. It must be a number in (0, ${MAX_FPS}] frames per second.`);
  }
  if (!Number.isInteger(shape.frames) || shape.frames < 1) {
    throw new InvalidVideoInputError(`Frame count ${shape.frames} is not allowed. A clip needs at least 1 frame.`);
  }
}

/** The WebCodecs codec string for `codec` at the lowest level that holds width x height at fps. */
export function videoCodecString(codec: VideoCodecName, width: number, height: number, fps: number): string {
  // H.264 counts whole macroblocks: 1080 lines are coded as 1088.
  const align = codec === 'avc' ? 16 : 1;
  const picture = Math.ceil(width / align) * align * Math.ceil(height / align) * align;
  const levels = LEVELS[codec];
  const level = levels.find((l) => picture <= l.maxPicture && picture * fps <= l.maxRate && width <= l.maxWidth && height <= l.maxHeight);
  if (level === undefined) {
    const top = levels[levels.length - 1];
    throw new InvalidVideoInputError(
      `A ${width}x${height} clip at ${fps} fps is beyond every ${codec} level Lantern writes` +
        (top === undefined ? '.' : ` (the highest, ${top.name}, allows ${top.maxWidth}x${top.maxHeight} and ${top.maxRate} samples/s).`) +
        ' Use a smaller size or frame rate.',
    );
  }
  return codecStringFor(codec, level);
}
