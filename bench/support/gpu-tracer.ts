// What one GPUDevice does while a tracer records, for the WebGPU step
// profile: every compute pass gets timestamp writes (so its GPU time is
// measured, by the device's own clock, whoever encoded it: onnxruntime-web's
// WebGPU EP or our attention kernel), with the labels of the pipelines it
// set and its dispatch count; and the host-side traffic is counted: buffers
// created, queue.writeBuffer calls and bytes, buffers mapped for reading,
// submits. The device must have 'timestamp-query'. Wraps the device object's
// own methods (not the prototypes), so other devices in the page are untouched.

export type PassRecord = { labels: string[]; dispatches: number; ns: number; code: string[] };

export type GpuTrace = {
  passes: PassRecord[];
  buffersCreated: number;
  bytesCreated: number;
  writes: number;
  bytesWritten: number;
  mapReads: number;
  submits: number;
};

export type GpuTracer = {
  /** Records until the promise `work` settles, then reads the timestamps back. */
  trace(work: () => Promise<unknown>): Promise<GpuTrace>;
};

const MAX_PASSES = 2048; // a query set holds at most 4096 queries

export function installGpuTracer(device: GPUDevice): GpuTracer {
  if (!device.features.has('timestamp-query')) throw new Error("installGpuTracer: the device lacks 'timestamp-query'; request it with the device.");
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * MAX_PASSES, label: 'bench.tracer.queries' });
  let current: { trace: GpuTrace; open: PassRecord[] } | null = null;

  const createBuffer = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor): GPUBuffer => {
    const buffer = createBuffer(descriptor);
    if (current !== null) {
      current.trace.buffersCreated++;
      current.trace.bytesCreated += descriptor.size;
    }
    const mapAsync = buffer.mapAsync.bind(buffer);
    buffer.mapAsync = (mode: GPUMapModeFlags, ...rest: [number?, number?]) => {
      if (current !== null && mode & GPUMapMode.READ) current.trace.mapReads++;
      return mapAsync(mode, ...rest);
    };
    return buffer;
  };

  const queue = device.queue;
  const writeBuffer = queue.writeBuffer.bind(queue) as (...args: unknown[]) => void;
  queue.writeBuffer = ((buffer: GPUBuffer, offset: number, data: BufferSource | SharedArrayBuffer, dataOffset?: number, size?: number) => {
    if (current !== null) {
      current.trace.writes++;
      const bytesPerElement = ArrayBuffer.isView(data) && 'BYTES_PER_ELEMENT' in data ? (data.BYTES_PER_ELEMENT as number) : 1;
      current.trace.bytesWritten += size === undefined ? data.byteLength - (dataOffset ?? 0) * bytesPerElement : size * bytesPerElement;
    }
    writeBuffer(buffer, offset, data, dataOffset, size);
  }) as GPUQueue['writeBuffer'];
  const submit = queue.submit.bind(queue);
  queue.submit = (buffers: Iterable<GPUCommandBuffer>) => {
    if (current !== null) current.trace.submits++;
    submit(buffers);
  };

  const codeOf = new WeakMap<object, string>();
  const createShaderModule = device.createShaderModule.bind(device);
  device.createShaderModule = (descriptor: GPUShaderModuleDescriptor) => {
    const module = createShaderModule(descriptor);
    codeOf.set(module, descriptor.code);
    return module;
  };
  const createComputePipeline = device.createComputePipeline.bind(device);
  device.createComputePipeline = (descriptor: GPUComputePipelineDescriptor) => {
    const pipeline = createComputePipeline(descriptor);
    codeOf.set(pipeline, codeOf.get(descriptor.compute.module) ?? '');
    return pipeline;
  };
  const createComputePipelineAsync = device.createComputePipelineAsync.bind(device);
  device.createComputePipelineAsync = async (descriptor: GPUComputePipelineDescriptor) => {
    const pipeline = await createComputePipelineAsync(descriptor);
    codeOf.set(pipeline, codeOf.get(descriptor.compute.module) ?? '');
    return pipeline;
  };

  const createCommandEncoder = device.createCommandEncoder.bind(device);
  device.createCommandEncoder = (descriptor?: GPUCommandEncoderDescriptor): GPUCommandEncoder => {
    const encoder = createCommandEncoder(descriptor);
    const beginComputePass = encoder.beginComputePass.bind(encoder);
    encoder.beginComputePass = (passDescriptor: GPUComputePassDescriptor = {}): GPUComputePassEncoder => {
      const recording = current;
      if (recording === null || passDescriptor.timestampWrites !== undefined || recording.open.length >= MAX_PASSES) {
        return beginComputePass(passDescriptor);
      }
      const index = recording.open.length;
      const record: PassRecord = { labels: [], dispatches: 0, ns: 0, code: [] };
      recording.open.push(record);
      const pass = beginComputePass({
        ...passDescriptor,
        timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * index, endOfPassWriteIndex: 2 * index + 1 },
      });
      const setPipeline = pass.setPipeline.bind(pass);
      pass.setPipeline = (pipeline: GPUComputePipeline) => {
        if (record.labels.at(-1) !== pipeline.label) record.labels.push(pipeline.label);
        record.code.push(codeOf.get(pipeline) ?? '');
        setPipeline(pipeline);
      };
      const dispatch = pass.dispatchWorkgroups.bind(pass);
      pass.dispatchWorkgroups = (x: number, y?: number, z?: number) => {
        record.dispatches++;
        dispatch(x, y, z);
      };
      const dispatchIndirect = pass.dispatchWorkgroupsIndirect.bind(pass);
      pass.dispatchWorkgroupsIndirect = (buffer: GPUBuffer, offset: number) => {
        record.dispatches++;
        dispatchIndirect(buffer, offset);
      };
      return pass;
    };
    return encoder;
  };

  return {
    async trace(work) {
      if (current !== null) throw new Error('installGpuTracer: one trace at a time.');
      const trace: GpuTrace = { passes: [], buffersCreated: 0, bytesCreated: 0, writes: 0, bytesWritten: 0, mapReads: 0, submits: 0 };
      current = { trace, open: [] };
      const { open } = current;
      try {
        await work();
      } finally {
        current = null;
      }
      await device.queue.onSubmittedWorkDone();
      if (open.length === 0) return trace;
      const bytes = 16 * open.length;
      const resolved = createBuffer({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
      const readback = createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const encoder = createCommandEncoder();
      encoder.resolveQuerySet(querySet, 0, 2 * open.length, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, readback, 0, bytes);
      submit([encoder.finish()]);
      await readback.mapAsync(GPUMapMode.READ);
      const stamps = new BigInt64Array(readback.getMappedRange().slice(0));
      readback.unmap();
      resolved.destroy();
      readback.destroy();
      open.forEach((record, i) => {
        record.ns = Number(stamps[2 * i + 1]! - stamps[2 * i]!);
      });
      trace.passes = open;
      return trace;
    },
  };
}
