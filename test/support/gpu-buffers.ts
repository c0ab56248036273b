// Small helpers to move float32 tensors to and from the GPU. The engine keeps
// tensors on the GPU for a whole denoising step; these are for set-up,
// tests and benchmarks, not for the inner loop.

export function uploadF32(
  device: GPUDevice,
  data: Float32Array,
  label: string,
  usage: GPUBufferUsageFlags = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
): GPUBuffer {
  // Sizes are rounded up to 16 bytes so the buffer can back an array<vec4f>.
  const size = Math.max(16, Math.ceil(data.byteLength / 16) * 16);
  const buffer = device.createBuffer({ label, size, usage, mappedAtCreation: true });
  new Float32Array(buffer.getMappedRange()).set(data);
  buffer.unmap();
  return buffer;
}

export function createF32(device: GPUDevice, length: number, label: string): GPUBuffer {
  const size = Math.max(16, Math.ceil((length * 4) / 16) * 16);
  return device.createBuffer({
    label,
    size,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
}

/** Copies `length` floats from the start of `buffer` back to the CPU. */
export async function readF32(device: GPUDevice, buffer: GPUBuffer, length: number): Promise<Float32Array> {
  const bytes = length * 4;
  const staging = device.createBuffer({
    label: `${buffer.label}.readback`,
    size: Math.max(4, bytes),
    usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
  });
  const encoder = device.createCommandEncoder({ label: `${buffer.label}.readback.encoder` });
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const result = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
  staging.unmap();
  staging.destroy();
  return result;
}
