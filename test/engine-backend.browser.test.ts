// Backend choice on this browser's real WebGPU (SwiftShader, a CPU
// implementation: subgroups, no shader-f16). 'auto' treats it as no GPU and
// picks WASM, saying why; an explicit 'webgpu' runs on it with a warning. A
// model that needs what the adapter lacks falls back to WASM on 'auto',
// announced in the reason and with console.warn; on an explicit 'webgpu' it
// is a WebGpuUnavailableError.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { cpuImplementation, selectBackend } from '../workers/engine/backend';
import { type Manifest, parseManifest } from '../workers/model-files/manifest';
import { MANIFEST_URL } from './support/engine-fixtures';

async function manifestWith(change: (json: Record<string, any>) => void): Promise<Manifest> {
  const json = (await (await fetch(MANIFEST_URL)).json()) as Record<string, any>;
  change(json);
  return parseManifest(json);
}

const FEATURE = 'lantern-test-only-feature';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('selectBackend', () => {
  test("'auto' on SwiftShader picks WASM, says why and logs it, and makes no device", async () => {
    const adapter = (await navigator.gpu.requestAdapter())!;
    expect(adapter.info.isFallbackAdapter).toBe(true); // what this Chromium says of SwiftShader
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const requestDevice = vi.spyOn(GPUAdapter.prototype, 'requestDevice');
    const selection = await selectBackend('auto', await manifestWith(() => undefined));
    expect(selection).toEqual({ info: { backend: 'wasm', reason: 'WebGPU here is a CPU implementation (SwiftShader); WASM is faster' }, device: null });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('CPU implementation (SwiftShader)'));
    expect(requestDevice).not.toHaveBeenCalled();
  });

  test("'webgpu' runs on SwiftShader with a warning, the adapter in the reason and a device with subgroups and the adapter's limits", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const selection = await selectBackend('webgpu', await manifestWith(() => undefined));
    try {
      expect(selection.info.backend).toBe('webgpu');
      expect(selection.info.reason).toMatch(/^WebGPU chosen by the user: .*swiftshader/i);
      expect(selection.info.warning).toBe('WebGPU here is a CPU implementation (SwiftShader), many times slower than WASM; choose Automatic or WASM');
      expect(warn).toHaveBeenCalledWith(`Lantern: ${selection.info.warning}.`);
      const adapter = (await navigator.gpu.requestAdapter())!;
      expect(selection.device!.limits.maxStorageBufferBindingSize).toBe(adapter.limits.maxStorageBufferBindingSize);
      expect(selection.device!.features.has('subgroups')).toBe(adapter.features.has('subgroups'));
    } finally {
      selection.device?.destroy();
    }
  });

  test('cpuImplementation names the CPU WebGPUs by their adapter info, and passes GPUs', () => {
    const info = (fields: Partial<GPUAdapterInfo>) => ({ vendor: '', architecture: '', device: '', description: '', ...fields });
    expect(cpuImplementation(info({ vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true }))).toBe('SwiftShader');
    expect(cpuImplementation(info({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }))).toBe('llvmpipe');
    expect(cpuImplementation(info({ vendor: 'mesa', device: 'lavapipe' }))).toBe('lavapipe');
    expect(cpuImplementation(info({ vendor: 'microsoft', description: 'Microsoft Basic Render Driver' }))).toBe('WARP');
    expect(cpuImplementation(info({ vendor: 'example', isFallbackAdapter: true }))).toBe('a fallback adapter');
    expect(cpuImplementation(info({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' }))).toBeNull();
    expect(cpuImplementation(info({ vendor: 'apple', architecture: 'metal-3', isFallbackAdapter: false }))).toBeNull();
  });

  test("'wasm' is the user's choice", async () => {
    expect((await selectBackend('wasm', await manifestWith(() => undefined))).info).toEqual({ backend: 'wasm', reason: 'WASM chosen by the user' });
  });

  test('a feature the adapter lacks: auto falls back to WASM and says so; webgpu is WebGpuUnavailableError', async () => {
    const manifest = await manifestWith((json) => {
      // A name no adapter has, so the test does not depend on the GPU it runs on.
      json['requires'] = { webgpuFeatures: [FEATURE], maxStorageBufferBindingSize: 1024 };
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const auto = await selectBackend('auto', manifest);
    expect(auto.info.backend).toBe('wasm');
    expect(auto.info.reason).toMatch(
      new RegExp(`^WebGPU unavailable \\(.*lacks the feature\\(s\\) the model needs: ${FEATURE}\\); running on the CPU with WASM$`),
    );
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(FEATURE));
    await expect(selectBackend('webgpu', manifest)).rejects.toMatchObject({ name: 'WebGpuUnavailableError', message: expect.stringContaining(FEATURE) });
  });

  test('an attention head size our kernels lack falls back too', async () => {
    const manifest = await manifestWith((json) => {
      const step = json['denoiser'].plan.find((s: { op: string }) => s.op === 'attention');
      step.headDim = 40;
      step.rope = step.rope === null ? null : { ...step.rope, dims: [8, 16, 16] };
    });
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const auto = await selectBackend('auto', manifest);
    expect(auto.info.backend).toBe('wasm');
    expect(auto.info.reason).toContain('head size 40');
  });
});
