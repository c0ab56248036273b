// onnxruntime-web behind one module: session creation for either backend and
// the tensor helpers the pipeline needs. `onnxruntime-web/webgpu` carries both
// the WebGPU and the wasm execution providers.
import * as ort from 'onnxruntime-web/webgpu';
import { InferenceError } from '../contracts/errors';

export { ort };
export type Tensor = ort.Tensor;
export type Session = ort.InferenceSession;

/** Where a session runs: ORT's wasm EP, or its WebGPU EP on our own device (shared with the attention kernels). */
export type SessionTarget = { backend: 'wasm' } | { backend: 'webgpu'; device: GPUDevice };

export type SessionOptions = {
  /** Keep outputs on the GPU (WebGPU only): the denoiser stages and the text embedding feed other GPU work. */
  outputsOnGpu?: boolean;
  /** The graph's ONNX external-data files by the `location` its initializers name (a graph of more than 2 GiB; test/support/stored-graph.ts). */
  externalData?: readonly { path: string; data: Uint8Array }[];
  /**
   * Dequantize the int8 weights once, when the session is made, instead of
   * at every run: ORT's constant folding of DequantizeLinear
   * (`session.disable_quant_qdq`), then the 'extended' fusions, which can no
   * longer turn DequantizeLinear + MatMul into MatMulNBits since no
   * DequantizeLinear is left. Weights then take 4 bytes each instead of 1.
   */
  foldWeights?: boolean;
};

/**
 * Creates a session for one graph. Optimisation stays at 'basic' unless the
 * weights are folded: 'extended' and above fuse DequantizeLinear + MatMul
 * into MatMulNBits, which rounds the activations and moves outputs about
 * 7e-3 away from the training code's.
 */
export async function createSession(graph: string, bytes: Uint8Array, target: SessionTarget, options: SessionOptions = {}): Promise<Session> {
  const executionProviders: ort.InferenceSession.ExecutionProviderConfig[] = target.backend === 'wasm' ? ['wasm'] : [{ name: 'webgpu', device: target.device }];
  try {
    return await ort.InferenceSession.create(bytes, {
      executionProviders,
      graphOptimizationLevel: options.foldWeights === true ? 'extended' : 'basic',
      ...(options.foldWeights === true ? { extra: { session: { disable_quant_qdq: '1' } } } : {}),
      // Warnings only: ORT notes at every WebGPU session that shape ops run on the CPU, by design.
      logSeverityLevel: 3,
      ...(target.backend === 'webgpu' && options.outputsOnGpu === true ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
      ...(options.externalData === undefined || options.externalData.length === 0 ? {} : { externalData: options.externalData }),
    });
  } catch (cause) {
    throw new InferenceError(graph, `onnxruntime-web could not create a ${target.backend} session: ${message(cause)}`, { cause });
  }
}

/** Runs a session, naming the graph in any failure. */
export async function runSession(graph: string, session: Session, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
  try {
    return await session.run(feeds);
  } catch (cause) {
    throw new InferenceError(graph, `run failed: ${message(cause)}`, { cause });
  }
}

export function floatTensor(data: Float32Array, dims: readonly number[]): Tensor {
  return new ort.Tensor('float32', data, dims);
}

/**
 * A float32 tensor in a GPU buffer made for it, to be written with `queue.writeBuffer`.
 * Its size is rounded up to 16 bytes: ORT's kernels bind whole vec4s, as its own buffers are.
 */
export function gpuFloatBuffer(device: GPUDevice, dims: readonly number[], label: string): { buffer: GPUBuffer; tensor: Tensor } {
  const count = dims.reduce((a, b) => a * b, 1);
  const buffer = device.createBuffer({
    label,
    size: Math.ceil((4 * count) / 16) * 16,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
  });
  return { buffer, tensor: ort.Tensor.fromGpuBuffer(buffer, { dataType: 'float32', dims }) };
}

/** The text encoder takes int64 ids and mask; the tokenizer gives int32. */
export function int64Tensor(data: Int32Array, dims: readonly number[]): Tensor {
  return new ort.Tensor(
    'int64',
    BigInt64Array.from(data, (x) => BigInt(x)),
    dims,
  );
}

/** A float32 tensor's values on the CPU (reads a GPU tensor back), checked against the expected dims. */
export async function readFloats(graph: string, name: string, tensor: Tensor, dims: readonly number[]): Promise<Float32Array> {
  if (tensor.type !== 'float32' || tensor.dims.join(',') !== dims.join(',')) {
    throw new InferenceError(graph, `output '${name}' is ${tensor.type} (${tensor.dims.join(', ')}); the manifest implies float32 (${dims.join(', ')}).`);
  }
  const data = tensor.location === 'cpu' ? tensor.data : await tensor.getData(true);
  return data as Float32Array;
}

export async function releaseAll(sessions: Iterable<Session>): Promise<void> {
  // A session on a lost device may fail to release; there is nothing left to free then.
  await Promise.all([...sessions].map((s) => s.release().catch(() => undefined)));
}

function message(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
