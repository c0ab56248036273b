// Media files for the end-to-end tests, made and checked outside the browser:
// a PNG writer (so an upload is a real file), and ffprobe/ffmpeg (Debian's
// ffmpeg, installed by scripts/media-tools.sh) as an independent reader of the
// MP4s Lantern writes: every frame must demux and decode.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { ROOT } from '../scripts/browser-session.mjs';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** An 8-bit RGBA PNG of `rgba` (width x height x 4 bytes). */
export function pngBytes(rgba: Uint8Array, width: number, height: number): Buffer {
  const rows = Buffer.alloc(height * (width * 4 + 1));
  for (let y = 0; y < height; y++) rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  const chunk = (type: string, data: Uint8Array) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** The rendered Shapes World frame of the image-to-video fixture (training/lantern/fixtures.py), 128x128 RGBA. */
export function fixtureImage(): Uint8Array {
  return new Uint8Array(readFileSync(`${ROOT}/test/fixtures/conditioning/image/given_rgba.bin`));
}

/** ffprobe's count of decoded video frames, the codec and the size; throws on any error ffprobe reports. */
export function ffprobe(path: string): { codec: string; width: number; height: number; frames: number } {
  const out = execFileSync(
    'ffprobe',
    ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', path],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const s = (JSON.parse(out) as { streams: { codec_name: string; width: number; height: number; nb_read_frames: string }[] }).streams[0]!;
  return { codec: s.codec_name, width: s.width, height: s.height, frames: Number(s.nb_read_frames) };
}

/** Every frame of a video decoded by ffmpeg as RGB bytes (ffmpeg's stderr must stay empty). */
export function ffmpegFrames(path: string, width: number, height: number): Uint8Array[] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const size = width * height * 3;
  return Array.from({ length: raw.length / size }, (_, i) => new Uint8Array(raw.buffer, raw.byteOffset + i * size, size));
}

/** PSNR in dB of an RGB frame against the RGB of an RGBA image. */
export function psnrRgb(rgb: Uint8Array, rgba: Uint8Array): number {
  let sum = 0;
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    for (let c = 0; c < 3; c++) sum += (rgb[i + c]! - rgba[j + c]!) ** 2;
  }
  return 10 * Math.log10(255 ** 2 / (sum / rgb.length));
}

/** An H.264 MP4 of ffmpeg's testsrc pattern at `path`: a video Lantern did not make. */
export function writeTestsrcMp4(path: string, { seconds, width, height }: { seconds: number; width: number; height: number }): void {
  const source = `testsrc=duration=${seconds}:size=${width}x${height}:rate=25`;
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-f', 'lavfi', '-i', source, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', path]);
}
