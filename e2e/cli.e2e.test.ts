// `npm run generate`: the CLI drives the app in headless Chromium through
// window.lantern and writes the MP4 a person would download.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROOT } from '../scripts/browser-session.mjs';
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
});

test('fails with the engine error name and message, and a usage error before starting anything', async () => {
  const empty = await generate(['--prompt', '', '--seed', '1', '--backend', 'wasm', '--out', join(dir, 'none.mp4')]);
  expect(empty.code).toBe(1);
  expect(empty.stderr).toMatch(/^EmptyPromptError: /m);

  const usage = await generate(['--prompt', 'x', '--backend', 'cuda']);
  expect(usage.code).toBe(2);
  expect(usage.stderr).toMatch(/Unknown backend 'cuda'\. Must be one of: auto, webgpu, wasm\./);
});
