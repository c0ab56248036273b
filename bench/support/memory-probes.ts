// What a page holds, read from inside it, for the leak bench: the JS heap
// and the ArrayBuffer bytes it owns outside it (CDP Runtime.getHeapUsage,
// after HeapProfiler.collectGarbage), the WebAssembly memories
// onnxruntime-web instantiates, and the GPU buffers alive on any device. Installed before the engine loads: the WASM probe
// wraps WebAssembly's instantiate calls and Memory constructor, the GPU
// probe wraps GPUDevice.createBuffer and GPUBuffer.destroy. A buffer counts
// as alive from createBuffer until destroy() or until the collector takes it
// (a WeakRef, checked after a forced collection), so a buffer dropped without
// destroy() is not counted as a leak once it is gone.

import { cdp } from 'vitest/browser';

export type MemorySample = {
  /** Bytes of JS heap in use after a collection. */
  jsHeap: number;
  /** Bytes of ArrayBuffer backing stores (typed arrays: frames, latents, MP4s), outside the heap. */
  arrayBuffers: number;
  /** Bytes of every WebAssembly memory instantiated since install (they only grow). */
  wasm: number;
  gpuBuffers: number;
  gpuBufferBytes: number;
};

type HeapUsage = { usedSize: number; backingStorageSize?: number };

export type MemoryProbes = {
  sample(): Promise<MemorySample>;
};

/** Installs the probes; call before anything instantiates WebAssembly or makes GPU buffers. */
export function installMemoryProbes(): MemoryProbes {
  const memories = new Set<WebAssembly.Memory>();
  const remember = (instance: WebAssembly.Instance): void => {
    for (const value of Object.values(instance.exports)) if (value instanceof WebAssembly.Memory) memories.add(value);
  };
  const instantiate = WebAssembly.instantiate.bind(WebAssembly) as (...args: unknown[]) => Promise<unknown>;
  const streaming = WebAssembly.instantiateStreaming?.bind(WebAssembly);
  const instanceOf = (result: unknown): WebAssembly.Instance =>
    result instanceof WebAssembly.Instance ? result : (result as WebAssembly.WebAssemblyInstantiatedSource).instance;
  Object.assign(WebAssembly, {
    instantiate: async (...args: unknown[]) => {
      const result = await instantiate(...args);
      remember(instanceOf(result));
      return result;
    },
    ...(streaming === undefined
      ? {}
      : {
          instantiateStreaming: async (...args: Parameters<typeof WebAssembly.instantiateStreaming>) => {
            const result = await streaming(...args);
            remember(result.instance);
            return result;
          },
        }),
  });
  const NativeMemory = WebAssembly.Memory;
  const TrackedMemory = function (this: unknown, descriptor: WebAssembly.MemoryDescriptor) {
    const memory = new NativeMemory(descriptor);
    memories.add(memory);
    return memory;
  } as unknown as typeof WebAssembly.Memory;
  TrackedMemory.prototype = NativeMemory.prototype;
  WebAssembly.Memory = TrackedMemory;

  const buffers = new Map<number, { ref: WeakRef<GPUBuffer>; bytes: number }>();
  const ids = new WeakMap<GPUBuffer, number>();
  let next = 0;
  if (typeof GPUDevice !== 'undefined') {
    const create = GPUDevice.prototype.createBuffer;
    GPUDevice.prototype.createBuffer = function (this: GPUDevice, descriptor: GPUBufferDescriptor): GPUBuffer {
      const buffer = create.call(this, descriptor);
      const id = next++;
      ids.set(buffer, id);
      buffers.set(id, { ref: new WeakRef(buffer), bytes: descriptor.size });
      return buffer;
    };
    const destroy = GPUBuffer.prototype.destroy;
    GPUBuffer.prototype.destroy = function (this: GPUBuffer): undefined {
      const id = ids.get(this);
      if (id !== undefined) buffers.delete(id);
      return destroy.call(this);
    };
  }

  const session = cdp();
  return {
    async sample() {
      // The inspector keeps every console message's arguments while a client listens (Playwright
      // does), which would read as a leak of the engine's per-clip warnings; they are let go first.
      await session.send('Runtime.discardConsoleEntries');
      // Two collections a task apart: WeakRefs are cleared only between tasks.
      await session.send('HeapProfiler.collectGarbage');
      await new Promise((resolve) => setTimeout(resolve, 0));
      await session.send('HeapProfiler.collectGarbage');
      const heap = (await session.send('Runtime.getHeapUsage')) as HeapUsage;
      let gpuBuffers = 0;
      let gpuBufferBytes = 0;
      for (const [id, entry] of buffers) {
        if (entry.ref.deref() === undefined) buffers.delete(id);
        else {
          gpuBuffers++;
          gpuBufferBytes += entry.bytes;
        }
      }
      const wasm = [...memories].reduce((sum, m) => sum + m.buffer.byteLength, 0);
      return { jsHeap: heap.usedSize, arrayBuffers: heap.backingStorageSize ?? Number.NaN, wasm, gpuBuffers, gpuBufferBytes };
    },
  };
}
