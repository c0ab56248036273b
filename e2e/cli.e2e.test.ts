// `npm run generate`: the CLI drives the app in headless Chromium through
// window.lantern and writes the MP4 a person would download.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT } from '../scripts/browser-session.mjs';
import { ffmpegFrames, ffprobe, fixtureImage, pngBytes, psnrRgb, writeTestsrcMp4 } from './media-files';
import { firstBoxType, readMp4 } from './support';

type Run = { code: number; stdout: string; stderr: string };

function generate(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['scripts/generate.mjs', ...args], { cwd: ROOT, timeout: 280_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lantern-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// No --backend: 'auto' on these machines (no GPU; Chromium's WebGPU is SwiftShader) must pick WASM and say why.
test('writes a valid MP4 and prints the seed, codec, backend and why, and timings', async () => {
  const out = join(dir, 'clip.mp4');
  const run = await generate(['--prompt', 'a red ball bounces', '--seed', '7', '--steps', '2', '--out', out]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/^wrote .*clip\.mp4 \(\d+ bytes; avc, 16 frames, 128x128 at 8 fps\)$/m);
  expect(run.stdout).toMatch(/^seed 7$/m);
  expect(run.stdout).toMatch(/^backend wasm: WebGPU here is a CPU implementation \(SwiftShader\); WASM is faster$/m);
  expect(run.stdout).toMatch(/denoise \d+\.\d+ s/);
  const bytes = new Uint8Array(await readFile(out));
  expect(firstBoxType(bytes)).toBe('ftyp');
  expect(await readMp4(bytes)).toMatchObject({ codec: 'avc', width: 128, height: 128, packets: 16, fps: 8 });

  // The XMP labels, read by exiftool (Debian's libimage-exiftool-perl); privacy by default: no prompt, no seed.
  const [xmp] = JSON.parse(execFileSync('exiftool', ['-j', '-XMP:all', out], { encoding: 'utf8' })) as Record<string, unknown>[];
  expect(xmp).toMatchObject({
    DigitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
    AISystemUsed: 'lantern-tiny',
    CreatorTool: expect.stringMatching(/^Lantern \d+\.\d+\.\d+/),
    CreateDate: expect.stringMatching(/^\d{4}:\d\d:\d\d \d\d:\d\d:\d\d/),
  });
  expect(typeof xmp!['AISystemVersionUsed']).toBe('string');
  expect(JSON.stringify(xmp)).not.toContain('red ball');
  expect(xmp).not.toHaveProperty('Seed');
});

test('--include-recipe writes the prompt and seed into the XMP, where exiftool reads them', async () => {
  const out = join(dir, 'recipe.mp4');
  const run = await generate(['--prompt', 'a red ball bounces', '--seed', '7', '--steps', '2', '--backend', 'wasm', '--include-recipe', '--out', out]);
  expect(run.code, run.stderr).toBe(0);
  const [xmp] = JSON.parse(execFileSync('exiftool', ['-j', '-XMP:all', out], { encoding: 'utf8' })) as Record<string, unknown>[];
  expect(xmp).toMatchObject({ Prompt: 'a red ball bounces', Seed: 7, AISystemUsed: 'lantern-tiny' });
});

test('fails with the engine error name and message, and a usage error before starting anything', async () => {
  const empty = await generate(['--prompt', '', '--seed', '1', '--backend', 'wasm', '--out', join(dir, 'none.mp4')]);
  expect(empty.code).toBe(1);
  expect(empty.stderr).toMatch(/^EmptyPromptError: /m);

  const refused = await generate(['--prompt', 'a n@ked person on a beach', '--seed', '1', '--backend', 'wasm', '--out', join(dir, 'none.mp4')]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/^PolicyRefusalError: Lantern does not make clips involving sexual content/m);
  expect(refused.stderr).not.toMatch(/n@ked/);

  const usage = await generate(['--prompt', 'x', '--backend', 'cuda']);
  expect(usage.code).toBe(2);
  expect(usage.stderr).toMatch(/Unknown backend 'cuda'\. Must be one of: auto, webgpu, wasm\./);
});

// Image-to-video, extend and storyboard: the frame counts the README documents (16; the input's
// frames + 12 per extend; 16 for the first shot + 12 per continued shot + 16 per cut), every
// file read frame by frame by ffprobe and ffmpeg, not only by our own demuxer.
describe('image-to-video, extend and storyboard from the CLI', () => {
  let i2v: string;

  test('--image: 16 frames, the first one the given PNG', async () => {
    const png = join(dir, 'first.png');
    await writeFile(png, pngBytes(fixtureImage(), 128, 128));
    i2v = join(dir, 'i2v.mp4');
    const run = await generate(['--prompt', 'a red ball moves left', '--image', png, '--seed', '3', '--steps', '2', '--backend', 'wasm', '--out', i2v]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/encode frames \d+\.\d+ s/);
    expect(ffprobe(i2v)).toEqual({ codec: 'h264', width: 128, height: 128, frames: 16 });
    const frames = ffmpegFrames(i2v, 128, 128);
    // The autoencoder's round trip and H.264 cost some detail: measured 27.2 dB at 4 steps; another clip's frame scores under 5.
    expect(psnrRgb(frames[0]!, fixtureImage())).toBeGreaterThan(20);
  });

  test('--extend: the input frames, then 12 new ones', async () => {
    const longer = join(dir, 'longer.mp4');
    const run = await generate(['--prompt', 'now the ball moves left', '--extend', i2v, '--seed', '4', '--steps', '2', '--backend', 'wasm', '--out', longer]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^extended: 16 frames from the input, then 12 new$/m);
    expect(ffprobe(longer)).toEqual({ codec: 'h264', width: 128, height: 128, frames: 28 });
    // The input's frames come first: decoded, re-encoded, still the same picture.
    const [before, after] = [ffmpegFrames(i2v, 128, 128), ffmpegFrames(longer, 128, 128)];
    const rgba = (rgb: Uint8Array) => Uint8Array.from({ length: (rgb.length / 3) * 4 }, (_, i) => (i % 4 === 3 ? 255 : rgb[Math.floor(i / 4) * 3 + (i % 4)]!));
    expect(psnrRgb(after[15]!, rgba(before[15]!))).toBeGreaterThan(30);
  });

  test("--edit --instruction: the clip's prompt and seed come from its MP4 (made with --include-recipe); the edited prompt is printed; 16 frames", async () => {
    const source = join(dir, 'to-edit.mp4');
    const first = await generate([
      '--prompt',
      'a red ball moves left on a plain yellow background',
      '--seed',
      '6',
      '--include-recipe',
      '--steps',
      '2',
      '--backend',
      'wasm',
      '--out',
      source,
    ]);
    expect(first.code, first.stderr).toBe(0);
    const blue = join(dir, 'blue.mp4');
    const run = await generate(['--edit', source, '--instruction', 'make it blue', '--steps', '2', '--backend', 'wasm', '--out', blue]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^edited prompt: a blue ball moves left on a plain yellow background$/m);
    expect(run.stdout).toMatch(/^seed 6$/m);
    expect(ffprobe(blue)).toEqual({ codec: 'h264', width: 128, height: 128, frames: 16 });

    // An instruction it cannot map, and a clip that is not one clip long, are named errors.
    const refused = await generate(['--edit', source, '--instruction', 'make it sing', '--backend', 'wasm', '--out', join(dir, 'x.mp4')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^InstructionNotUnderstoodError: /m);
    const long = await generate([
      '--edit',
      join(dir, 'longer.mp4'),
      '--prompt',
      'a blue ball',
      '--backend',
      'wasm',
      '--seed',
      '1',
      '--out',
      join(dir, 'y.mp4'),
    ]);
    expect(long.code).toBe(1);
    expect(long.stderr).toMatch(/^InvalidRequestError: An edit takes one clip of exactly 16 frames .*got 28\. An extended clip is several clips/m);
    const usage = await generate(['--edit', source, '--prompt', 'a', '--instruction', 'b']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--edit needs either --instruction .* or --prompt .*, not both/);
  });

  test('--storyboard: shots in order in one MP4, an image shot is a cut', async () => {
    await writeFile(join(dir, 'cut.png'), pngBytes(fixtureImage(), 128, 128));
    const shots = join(dir, 'shots.json');
    await writeFile(
      shots,
      JSON.stringify([
        { prompt: 'a red ball moves right on a meadow', seed: 1 },
        { prompt: 'the ball keeps moving right' },
        { prompt: 'a blue star', image: 'cut.png' },
      ]),
    );
    const film = join(dir, 'film.mp4');
    const run = await generate(['--storyboard', shots, '--seed', '9', '--steps', '2', '--backend', 'wasm', '--out', film]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^shot 1: frames 0-15, seed 1: a red ball moves right on a meadow$/m);
    expect(run.stdout).toMatch(/^shot 2: frames 16-27, seed 10: the ball keeps moving right$/m);
    expect(run.stdout).toMatch(/^shot 3: frames 28-43, seed 11: a blue star$/m);
    expect(ffprobe(film)).toEqual({ codec: 'h264', width: 128, height: 128, frames: 44 });
    expect(psnrRgb(ffmpegFrames(film, 128, 128)[28]!, fixtureImage())).toBeGreaterThan(20);
  });

  test("--extend takes other tools' files: ffmpeg's H.264 MP4 (30 fps, 320x240) and VP9 WebM (25 fps, 200x300)", async () => {
    for (const [name, args, frames] of [
      ['x264.mp4', ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', '-t', '2', '-pix_fmt', 'yuv420p', '-c:v', 'libx264'], 16],
      ['vp9.webm', ['-f', 'lavfi', '-i', 'testsrc=size=200x300:rate=25', '-t', '1', '-c:v', 'libvpx-vp9'], 8],
    ] as const) {
      const input = join(dir, name);
      execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, input]);
      const out = join(dir, `extended-${name}.mp4`);
      const run = await generate(['--prompt', 'a red ball moves left', '--extend', input, '--seed', '6', '--steps', '1', '--backend', 'wasm', '--out', out]);
      expect(run.code, run.stderr).toBe(0);
      // Resampled to the model's 8 fps from the file's timestamps: 2 s are 16 frames, 1 s is 8.
      expect(run.stdout).toContain(`extended: ${frames} frames from the input, then 12 new`);
      expect(ffprobe(out)).toEqual({ codec: 'h264', width: 128, height: 128, frames: frames + 12 });
    }
  });

  test('a storyboard that is not JSON, a video this browser cannot decode, and a missing image file are named errors', async () => {
    const mpeg4 = join(dir, 'mpeg4.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', '-t', '1', '-c:v', 'mpeg4', mpeg4]);
    const undecodable = await generate(['--prompt', 'x', '--extend', mpeg4, '--backend', 'wasm', '--out', join(dir, 'none.mp4')]);
    expect(undecodable.code).toBe(1);
    expect(undecodable.stderr).toMatch(/^VideoInputError: mpeg4.mp4 (holds .* video, which this browser cannot decode|has video frames that do not decode)/m);

    const bad = join(dir, 'bad.json');
    await writeFile(bad, '[{"prompt": "x",');
    const run = await generate(['--storyboard', bad, '--backend', 'wasm', '--out', join(dir, 'none.mp4')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^StoryboardError: The storyboard is not valid JSON/m);
    const missing = await generate(['--prompt', 'x', '--image', join(dir, 'nope.png')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read .*nope\.png: no such file/);
  });
});

function verify(file: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['scripts/verify.mjs', file], { cwd: ROOT, timeout: 280_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

test('npm run verify: a generated clip shows its XMP, a valid (untrusted) C2PA manifest and its watermark; the watermark still after half size and H.264 CRF 28; an ffmpeg testsrc clip shows none', async () => {
  const clip = join(dir, 'to-verify.mp4');
  const made = await generate(['--prompt', 'a red ball bounces on a plain blue background', '--seed', '7', '--steps', '8', '--backend', 'wasm', '--out', clip]);
  expect(made.code, made.stderr).toBe(0);
  const half = join(dir, 'half-crf28.mp4');
  execFileSync('ffmpeg', ['-y', '-loglevel', 'error', '-i', clip, '-vf', 'scale=iw/2:ih/2', '-c:v', 'libx264', '-crf', '28', half]);
  const testsrc = join(dir, 'testsrc.mp4');
  writeTestsrcMp4(testsrc, { seconds: 2, width: 320, height: 240 });

  const report = async (file: string) => {
    const run = await verify(file);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as {
      xmp: { present: boolean };
      c2pa: { checked: boolean; present: boolean; valid: boolean; trusted: boolean; model: { id: string } | null };
      watermark: { found: boolean; model: string | null; score: number };
    };
  };
  const original = await report(clip);
  expect(original.xmp).toMatchObject({ present: true, aiGenerated: true });
  expect(original.watermark).toMatchObject({ found: true, lantern: true, model: 'lantern-tiny' });
  expect(made.stdout).toMatch(/^content credentials: C2PA manifest signed/m);
  expect(original.c2pa).toMatchObject({ checked: true, present: true, valid: true, trusted: false, model: { id: 'lantern-tiny' } });
  const attacked = await report(half);
  expect(attacked.xmp.present).toBe(false); // ffmpeg drops the metadata; the watermark is what survives
  expect(attacked.watermark).toMatchObject({ found: true, model: 'lantern-tiny' });
  const other = await report(testsrc);
  expect(other.watermark.found).toBe(false);
  expect(other.watermark.score).toBeLessThan(9);
});
