// Which backend runs a model. 'auto' takes WebGPU where the browser gives a
// GPU adapter and a device with what the model and our attention kernels
// need, else WASM, and says why either way; a fallback is announced with a
// console.warn, never silent. An adapter that is a CPU implementation of
// WebGPU (SwiftShader, llvmpipe, lavapipe: what headless Chromium offers on a
// machine with no GPU) counts as no GPU for 'auto': WASM is faster there
// (bench/README.md: 679 ms against 16.8 s per denoising step). 'webgpu'
// chosen by the user runs on such an adapter, with the warning in its reason;
// chosen and unusable, it is a WebGpuUnavailableError, not a quiet switch.

import { WebGpuUnavailableError } from '../contracts/errors';
import type { BackendChoice, BackendInfo } from '../contracts/generator';
import type { Manifest } from '../model-files/manifest';
import { ATTENTION_HEAD_DIMS, deviceHasSubgroups, headDimFits } from './gpu/attention';

export type BackendSelection = { info: BackendInfo & { backend: 'webgpu' }; device: GPUDevice } | { info: BackendInfo & { backend: 'wasm' }; device: null };

/** Limits ORT's WebGPU kernels and ours use; the device asks for the adapter's maximum of each. */
const LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
] as const;

/** The limits the engine's device asks for: the adapter's maximum of each limit in LIMITS. */
export function engineDeviceLimits(adapter: GPUAdapter): Record<string, number> {
  return Object.fromEntries(LIMITS.map((limit) => [limit, adapter.limits[limit]]));
}

export function describeAdapter(info: GPUAdapterInfo): string {
  const name = [info.vendor, info.architecture, info.device, info.description].filter((s) => s !== '' && s !== undefined).join(' ');
  return name === '' ? 'unnamed adapter' : name;
}

/** Names in adapter info that mark a CPU implementation of WebGPU, with how the reason words them. */
const CPU_IMPLEMENTATIONS = [
  [/swiftshader/i, 'SwiftShader'],
  [/llvmpipe/i, 'llvmpipe'],
  [/lavapipe/i, 'lavapipe'],
  [/softpipe/i, 'softpipe'],
  [/microsoft basic render|\bwarp\b/i, 'WARP'],
] as const;

/**
 * The CPU implementation behind an adapter ('SwiftShader', 'llvmpipe', ...),
 * 'a fallback adapter' when the browser flags it as one without a known
 * name, or null for a GPU.
 */
export function cpuImplementation(
  info: Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'> & { isFallbackAdapter?: boolean },
): string | null {
  const name = [info.vendor, info.architecture, info.device, info.description].join(' ');
  const known = CPU_IMPLEMENTATIONS.find(([pattern]) => pattern.test(name));
  if (known !== undefined) return known[1];
  return info.isFallbackAdapter === true ? 'a fallback adapter' : null;
}

type WebGpuOutcome = { device: GPUDevice; adapter: string; cpu: string | null } | { problem: string } | { cpuAdapter: string };

/**
 * Why WebGPU cannot run this model here, or a device that can. An adapter
 * that can run it but is a CPU implementation is `cpuAdapter` (no device made)
 * unless `acceptCpu`.
 */
async function webgpuDevice(manifest: Manifest, acceptCpu: boolean): Promise<WebGpuOutcome> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (gpu === undefined) return { problem: 'this browser has no WebGPU (navigator.gpu is missing)' };
  const unsupported = manifest.denoiser.plan.find((s) => s.op === 'attention' && !(ATTENTION_HEAD_DIMS as readonly number[]).includes(s.headDim));
  if (unsupported !== undefined && unsupported.op === 'attention') {
    return {
      problem: `the model's attention head size ${unsupported.headDim} is not one Lantern's WebGPU kernels support (${ATTENTION_HEAD_DIMS.join(', ')})`,
    };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { problem: `requestAdapter failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (adapter === null) return { problem: 'the browser offers no WebGPU adapter (GPU blocklisted or WebGPU disabled)' };
  const name = describeAdapter(adapter.info);
  const needs = manifest.requires;
  const missing = needs.webgpuFeatures.filter((f) => !adapter.features.has(f));
  if (missing.length > 0) return { problem: `the adapter (${name}) lacks the feature(s) the model needs: ${missing.join(', ')}` };
  if (adapter.limits.maxStorageBufferBindingSize < needs.maxStorageBufferBindingSize) {
    return {
      problem: `the adapter (${name}) binds storage buffers of at most ${adapter.limits.maxStorageBufferBindingSize} bytes; the model needs ${needs.maxStorageBufferBindingSize}`,
    };
  }
  const cpu = cpuImplementation(adapter.info);
  if (cpu !== null && !acceptCpu) return { cpuAdapter: cpu };
  const features = [...needs.webgpuFeatures] as GPUFeatureName[];
  if (adapter.features.has('subgroups') && !features.includes('subgroups')) features.push('subgroups');
  try {
    const device = await adapter.requestDevice({
      label: 'lantern.engine.device',
      requiredFeatures: features,
      requiredLimits: engineDeviceLimits(adapter),
    });
    const widest = Math.max(...manifest.denoiser.plan.map((s) => (s.op === 'attention' ? s.headDim : 0)));
    if (!headDimFits(widest, deviceHasSubgroups(device) ? 'subgroups' : 'portable')) {
      device.destroy();
      return { problem: `the model's attention head size ${widest} needs the 'subgroups' feature, which the adapter (${name}) lacks` };
    }
    // Validation and out-of-memory errors nobody captured would otherwise only show as wrong numbers.
    device.addEventListener('uncapturederror', (event) =>
      console.error(`Lantern: WebGPU error on ${name}: ${(event as GPUUncapturedErrorEvent).error.message}`),
    );
    return { device, adapter: name, cpu };
  } catch (error) {
    return { problem: `the adapter (${name}) refused a device: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Announces a fallback to WASM; returns the reason BackendInfo carries. */
export function announceFallback(problem: string): string {
  const reason = `WebGPU unavailable (${problem}); running on the CPU with WASM`;
  console.warn(`Lantern: ${reason}.`);
  return reason;
}

export function wasmSelection(reason: string): BackendSelection {
  return { info: { backend: 'wasm', reason }, device: null };
}

export async function selectBackend(choice: BackendChoice, manifest: Manifest): Promise<BackendSelection> {
  if (choice === 'wasm') return wasmSelection('WASM chosen by the user');
  const found = await webgpuDevice(manifest, choice === 'webgpu');
  if ('problem' in found) {
    if (choice === 'webgpu') throw new WebGpuUnavailableError(found.problem);
    return wasmSelection(announceFallback(found.problem));
  }
  if ('cpuAdapter' in found) {
    const reason = `WebGPU here is a CPU implementation (${found.cpuAdapter}); WASM is faster`;
    console.warn(`Lantern: ${reason}, so 'auto' runs on WASM. Choose WebGPU to run on it anyway.`);
    return wasmSelection(reason);
  }
  const path = deviceHasSubgroups(found.device) ? 'subgroups' : 'portable';
  const reason = `${choice === 'webgpu' ? 'WebGPU chosen by the user' : 'WebGPU available'}: ${found.adapter}`;
  const info: BackendInfo & { backend: 'webgpu' } = { backend: 'webgpu', reason, attentionPath: path };
  if (found.cpu !== null) {
    info.warning = `WebGPU here is a CPU implementation (${found.cpu}), many times slower than WASM; choose Automatic or WASM`;
    console.warn(`Lantern: ${info.warning}.`);
  }
  return { info, device: found.device };
}
