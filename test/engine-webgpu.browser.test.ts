// The engine on WebGPU (SwiftShader here, so one denoising step and few
// calls: a step takes about 20 s on this CPU): an explicit 'webgpu' runs on
// it, says why and warns that it is a CPU implementation, a GPU device lost mid-generation is a GpuDeviceLostError, the next
// generation makes a new device and sessions and gives the frames the WASM
// backend gives for the same request.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { GenerateRequest, GenerateResult, Generator } from '../workers/contracts/generator';
import { createEngine } from '../workers/engine/engine';
import { MANIFEST_URL } from './support/engine-fixtures';
import { rejection } from './support/rejection';

const REQUEST: GenerateRequest = { prompt: 'a red ball bounces on a meadow', seed: 7, steps: 1, guidance: 4, previewEvery: 0 };
const SLOW = 600_000;

// The engine's devices, captured as they are made, so the test can lose one
// for real (GPUDevice.destroy() resolves device.lost as a driver reset would).
const devices: GPUDevice[] = [];
const requestDevice = GPUAdapter.prototype.requestDevice;
beforeAll(() => {
  GPUAdapter.prototype.requestDevice = async function (this: GPUAdapter, descriptor?: GPUDeviceDescriptor) {
    const device = await requestDevice.call(this, descriptor);
    devices.push(device);
    return device;
  };
});
afterAll(() => {
  GPUAdapter.prototype.requestDevice = requestDevice;
});

describe('engine on WebGPU', () => {
  let engine: Generator;
  let recovered: GenerateResult;

  test("'webgpu' runs on SwiftShader with our subgroup attention, says why and warns that it is a CPU", { timeout: SLOW }, async () => {
    engine = createEngine();
    const info = await engine.load({ manifestUrl: MANIFEST_URL, backend: 'webgpu' });
    expect(info.backend.backend).toBe('webgpu');
    expect(info.backend.reason).toMatch(/^WebGPU chosen by the user: /);
    expect(info.backend.warning).toMatch(/CPU implementation \(SwiftShader\)/);
    expect(info.backend.attentionPath).toBe('subgroups');
    expect(devices).toHaveLength(1);
    expect(devices[0]!.features.has('subgroups')).toBe(true);
  });

  test('a device lost mid-generation is GpuDeviceLostError; the next generation makes a new device', { timeout: SLOW }, async () => {
    const error = await rejection(
      engine.generate(REQUEST, {
        onProgress: (p) => {
          if (p.phase === 'denoise' && p.step === 0) devices[0]!.destroy();
        },
      }),
    );
    expect(error.name).toBe('GpuDeviceLostError');
    expect(error.message).toContain('destroyed');
    recovered = await engine.generate(REQUEST);
    expect(recovered.backend).toBe('webgpu');
    expect(devices).toHaveLength(2);
    expect(await engine.backend()).toMatchObject({ backend: 'webgpu' });
  });

  test('its frames match the WASM backend for the same request', { timeout: SLOW }, async () => {
    const wasm = createEngine();
    await wasm.load({ manifestUrl: MANIFEST_URL, backend: 'wasm' });
    const reference = await wasm.generate(REQUEST);
    let maxDiff = 0;
    reference.frames.forEach((frame, t) => {
      const other = recovered.frames[t]!;
      for (let i = 0; i < frame.length; i++) maxDiff = Math.max(maxDiff, Math.abs(frame[i]! - other[i]!));
    });
    console.log(`WebGPU vs WASM frames (1 step): max |diff| ${maxDiff} levels of 255`);
    // v differs by about 1e-4 between the backends; through the decoder that is well under one level, so rounding moves a byte by at most 1.
    expect(maxDiff).toBeLessThanOrEqual(1);
  });
});
