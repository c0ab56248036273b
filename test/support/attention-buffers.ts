// q, k and v uploaded to the GPU with an output buffer beside them, as one
// attention call takes them; for the kernel tests and the benches.
import type { AttentionBuffers } from '../../workers/engine/gpu/attention';
import { createF32, uploadF32 } from './gpu-buffers';

export type OwnedAttentionBuffers = AttentionBuffers & { destroy(): void };

export function uploadAttentionInputs(device: GPUDevice, inputs: { q: Float32Array; k: Float32Array; v: Float32Array }, label: string): OwnedAttentionBuffers {
  const buffers = {
    q: uploadF32(device, inputs.q, `${label}.q`),
    k: uploadF32(device, inputs.k, `${label}.k`),
    v: uploadF32(device, inputs.v, `${label}.v`),
    out: createF32(device, inputs.q.length, `${label}.out`),
  };
  return {
    ...buffers,
    destroy() {
      for (const buffer of Object.values(buffers)) buffer.destroy();
    },
  };
}
