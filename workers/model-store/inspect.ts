// Before a download: does the model fit this device and this origin's
// quota? The store's worker asks the device (navigator.deviceMemory, the
// WebGPU adapter; both exist in workers) so the page never touches WebGPU,
// and returns typed concerns the models screen words (workers/contracts/model-store.ts, FitConcern).

import type { DeviceFacts, FitConcern } from '../contracts/model-store';
import type { Manifest } from '../model-files/manifest';
import type { StorageArea } from './quota';

const GiB = 2 ** 30;

/** What this device reports. The adapter is only asked about (no device is made). */
export async function deviceFacts(): Promise<DeviceFacts> {
  const nav = globalThis.navigator as (Navigator & { deviceMemory?: number }) | undefined;
  const memory = typeof nav?.deviceMemory === 'number' ? nav.deviceMemory * GiB : null;
  let gpu: DeviceFacts['gpu'] = null;
  try {
    const adapter = (await nav?.gpu?.requestAdapter()) ?? null;
    if (adapter !== null) {
      gpu = {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
        features: [...adapter.features].sort(),
      };
    }
  } catch (error) {
    console.info('Lantern: no WebGPU adapter to check a model against:', error);
  }
  return { memoryBytes: memory, gpu };
}

/** The concerns for `manifest` on `device`, with `missingBytes` still to download into `area`. */
export async function fitConcerns(manifest: Manifest, device: DeviceFacts, area: StorageArea, missingBytes: number): Promise<FitConcern[]> {
  const concerns: FitConcern[] = [];
  const needed = manifest.memory.recommendedBytes;
  if (device.memoryBytes !== null && needed > device.memoryBytes) concerns.push({ kind: 'memory', neededBytes: needed, deviceBytes: device.memoryBytes });
  const { webgpuFeatures, maxStorageBufferBindingSize } = manifest.requires;
  const missingFeatures = webgpuFeatures.filter((f) => device.gpu?.features.includes(f) !== true);
  if (device.gpu === null || missingFeatures.length > 0 || device.gpu.maxStorageBufferBindingSize < maxStorageBufferBindingSize) {
    concerns.push({
      kind: 'gpu',
      missingFeatures,
      neededBindingBytes: maxStorageBufferBindingSize,
      adapterBindingBytes: device.gpu?.maxStorageBufferBindingSize ?? null,
    });
  }
  if (area.estimate !== undefined && missingBytes > 0) {
    const { usage, quota } = await area.estimate();
    if (usage !== undefined && quota !== undefined) {
      const free = Math.max(0, quota - usage);
      if (missingBytes > free) concerns.push({ kind: 'quota', neededBytes: missingBytes, freeBytes: free });
    }
  }
  return concerns;
}
