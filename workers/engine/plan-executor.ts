// The denoiser on WebGPU: the manifest's plan run step by step, graph stages
// in onnxruntime-web's WebGPU EP and every attention call in Lantern's WGSL
// kernel, all on one GPUDevice. Tensors stay on the GPU for the whole call:
// stage outputs are ORT GPU buffers (preferredOutputLocation 'gpu-buffer')
// bound straight into the attention kernel, whose output buffers are wrapped
// with Tensor.fromGpuBuffer for the next stage. Only x_in and t go up and
// v_out comes back, once per step. Queue order keeps it correct: ORT submits
// a run's work before run() resolves, and our dispatches are submitted
// between runs, so every reader is queued after its writer. x_in and t are
// written into buffers made once, and v is read through one staging buffer
// made once: a step allocates nothing of its own.

import { InferenceError } from '../contracts/errors';
import type { Manifest, PlanAttention, PlanRun, PlanStep } from '../model-files/manifest';
import { PLAN_OUTPUT } from '../model-files/manifest';
import { type Denoiser, denoiserShapes } from './denoiser';
import { type Attention, createAttention } from './gpu/attention';
import { floatTensor, gpuFloatBuffer, ort, readFloats, runSession, type Session, type Tensor } from './ort';
import { GUIDANCE_BATCH } from './sampling/sampler';

export type PlanDenoiser = Denoiser & { readonly attentionPath: 'subgroups' | 'portable'; destroy(): void };

type AttentionCall = { step: PlanAttention; kernel: Attention; out: { buffer: GPUBuffer; tensor: Tensor } };

function attentionDims(step: PlanAttention, tokens: number): number[] {
  return [GUIDANCE_BATCH, step.heads, tokens, step.headDim];
}

/**
 * Named tensors of one call. ORT outputs are ours to dispose; a tensor is
 * disposed when the last name bound to it is overwritten or the scope ends.
 */
class TensorScope {
  readonly #live = new Map<string, Tensor>();
  readonly #owned = new Set<Tensor>();
  readonly #parent: TensorScope | null;

  /** A scope sees its parent's tensors (the clip's text keys and values) but never disposes them. */
  constructor(parent: TensorScope | null = null) {
    this.#parent = parent;
  }

  get(name: string): Tensor | undefined {
    return this.#live.get(name) ?? this.#parent?.get(name);
  }

  set(name: string, tensor: Tensor, owned: boolean): void {
    const old = this.#live.get(name);
    this.#live.set(name, tensor);
    if (owned) this.#owned.add(tensor);
    if (old !== undefined && old !== tensor) this.#release(old);
  }

  /** Hands a tensor to the caller: the scope no longer disposes it. */
  take(name: string): Tensor | undefined {
    const tensor = this.#live.get(name);
    if (tensor !== undefined) this.#owned.delete(tensor);
    return tensor;
  }

  dispose(): void {
    for (const tensor of this.#owned) tensor.dispose();
    this.#owned.clear();
    this.#live.clear();
  }

  #release(tensor: Tensor): void {
    if (!this.#owned.has(tensor) || [...this.#live.values()].includes(tensor)) return;
    this.#owned.delete(tensor);
    tensor.dispose();
  }
}

function gpuBuffer(step: PlanAttention, role: 'q' | 'k' | 'v', tensor: Tensor | undefined, dims: number[]): GPUBuffer {
  const name = step[role];
  if (tensor === undefined) throw new InferenceError(`attention.${step.kind}`, `input '${name}' was never written.`);
  if (tensor.location !== 'gpu-buffer') {
    throw new InferenceError(
      `attention.${step.kind}`,
      `input '${name}' is on the ${tensor.location}, not the GPU: its stage session must keep outputs on the GPU.`,
    );
  }
  if (tensor.type !== 'float32' || tensor.dims.join(',') !== dims.join(',')) {
    throw new InferenceError(
      `attention.${step.kind}`,
      `input '${name}' is ${tensor.type} (${tensor.dims.join(', ')}); the plan's ${step.layout} layout needs float32 (${dims.join(', ')}).`,
    );
  }
  return tensor.gpuBuffer as GPUBuffer;
}

export type PlanOptions = {
  /**
   * Benchmarks only: wait for the GPU after every plan step and report its
   * time. Serialises CPU and GPU, so a profiled call is slower than a real one.
   */
  onStepTimed?: (step: PlanStep, ms: number) => void;
  /**
   * Benchmarks only: hand x_in and t to ORT as CPU tensors and read v back
   * through ORT (new GPU buffers every step), as the executor did before
   * its inputs and output got buffers of their own; the before of the step profile.
   */
  ioThroughOrt?: boolean;
};

export async function createPlanDenoiser(
  manifest: Manifest,
  device: GPUDevice,
  sessions: ReadonlyMap<string, Session>,
  options: PlanOptions = {},
): Promise<PlanDenoiser> {
  const shapes = denoiserShapes(manifest);
  const plan = manifest.denoiser.plan;
  const sessionFor = (step: PlanRun): Session => {
    const session = sessions.get(step.graph);
    if (session === undefined) throw new InferenceError(step.graph, 'has no session: the engine did not load it.');
    return session;
  };

  // One kernel per distinct attention shape; one output buffer per (name, size).
  const kernels = new Map<string, Promise<Attention>>();
  const outputs = new Map<string, { buffer: GPUBuffer; tensor: Tensor }>();
  const calls = new Map<PlanStep, AttentionCall>();
  for (const step of plan) {
    if (step.op !== 'attention') continue;
    if ([step.q, step.k, step.v].includes(step.out)) {
      throw new InferenceError(`attention.${step.kind}`, `writes '${step.out}', which it also reads; the plan must name its output apart.`);
    }
    const options = {
      kind: step.kind,
      batch: GUIDANCE_BATCH,
      heads: step.heads,
      headDim: step.headDim,
      queries: step.queries,
      keys: step.keys,
      scale: step.scale,
      ...(step.rope === null ? {} : { rope: step.rope }),
    };
    const key = JSON.stringify(options);
    if (!kernels.has(key)) kernels.set(key, createAttention(device, options));
    const kernel = await kernels.get(key)!;
    const dims = attentionDims(step, step.queries);
    const outKey = `${step.out}:${dims.join('x')}`;
    let out = outputs.get(outKey);
    if (out === undefined) {
      const buffer = device.createBuffer({
        label: `engine.plan.${step.out}`,
        size: kernel.bytes.q,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
      out = { buffer, tensor: ort.Tensor.fromGpuBuffer(buffer, { dataType: 'float32', dims }) };
      outputs.set(outKey, out);
    }
    calls.set(step, { step, kernel, out });
  }
  const attentionPath = [...calls.values()][0]?.kernel.path ?? 'portable';
  const io = options.ioThroughOrt === true ? null : createStepIo(device, shapes);

  const runStep = async (step: PlanRun, scope: TensorScope): Promise<void> => {
    const feeds: Record<string, Tensor> = {};
    for (const [input, name] of Object.entries(step.inputs)) {
      const tensor = scope.get(name);
      if (tensor === undefined) throw new InferenceError(step.graph, `input '${input}' (plan tensor '${name}') was never written.`);
      feeds[input] = tensor;
    }
    const result = await runSession(step.graph, sessionFor(step), feeds);
    for (const [output, name] of Object.entries(step.outputs)) {
      const tensor = result[output];
      if (tensor === undefined) throw new InferenceError(step.graph, `gave no output '${output}'.`);
      scope.set(name, tensor, true);
    }
  };

  const attend = (call: AttentionCall, scope: TensorScope): void => {
    const { step, kernel, out } = call;
    const q = gpuBuffer(step, 'q', scope.get(step.q), attentionDims(step, step.queries));
    const k = gpuBuffer(step, 'k', scope.get(step.k), attentionDims(step, step.keys));
    const v = gpuBuffer(step, 'v', scope.get(step.v), attentionDims(step, step.keys));
    const encoder = device.createCommandEncoder({ label: `engine.plan.attention.${step.kind}` });
    kernel.encode(encoder, { q, k, v, out: out.buffer });
    device.queue.submit([encoder.finish()]);
    scope.set(step.out, out.tensor, false);
  };

  let clip: TensorScope | null = null;
  let running = false;

  return {
    attentionPath,
    async setText(text) {
      if (text.dims.join(',') !== shapes.text.join(',')) {
        throw new InferenceError('dit_text', `text is (${text.dims.join(', ')}); the denoiser takes (${shapes.text.join(', ')}).`);
      }
      clip?.dispose();
      clip = new TensorScope();
      clip.set('text', text, false);
      for (const step of plan) if (step.op === 'run' && step.once) await runStep(step, clip);
    },
    async run(xIn, t) {
      if (clip === null) throw new InferenceError('dit_stage', 'ran before setText(): the text embeddings are missing.');
      // One call at a time: the inputs' buffers and the staging buffer are the executor's, not the call's.
      if (running) throw new InferenceError('dit_stage', 'run() was called again before the previous call returned; await each step.');
      running = true;
      const scope = new TensorScope(clip);
      try {
        if (io === null) {
          scope.set('x_in', floatTensor(xIn, shapes.xIn), false);
          scope.set('t', floatTensor(t, shapes.t), false);
        } else {
          scope.set('x_in', io.write('x_in', io.xIn, xIn), false);
          scope.set('t', io.write('t', io.t, t), false);
        }
        for (const step of plan) {
          if (step.op === 'run' && step.once) continue;
          const start = performance.now();
          if (step.op === 'run') await runStep(step, scope);
          else attend(calls.get(step)!, scope);
          if (options.onStepTimed !== undefined) {
            await device.queue.onSubmittedWorkDone();
            options.onStepTimed(step, performance.now() - start);
          }
        }
        const v = scope.take(PLAN_OUTPUT);
        if (v === undefined) throw new InferenceError('dit_stage', `the plan ended without writing '${PLAN_OUTPUT}'.`);
        return io === null ? await readFloats('dit_stage', PLAN_OUTPUT, v, shapes.v) : await io.read(v);
      } finally {
        scope.dispose();
        running = false;
      }
    },
    clearText() {
      clip?.dispose();
      clip = null;
    },
    destroy() {
      clip?.dispose();
      clip = null;
      for (const { buffer } of outputs.values()) buffer.destroy();
      io?.destroy();
      for (const kernel of kernels.values()) void kernel.then((k) => k.destroy());
    },
  };
}

type StepInput = { buffer: GPUBuffer; tensor: Tensor; dims: readonly number[] };

/** x_in and t in buffers made once, written each step; v read through one staging buffer made once. */
function createStepIo(device: GPUDevice, shapes: ReturnType<typeof denoiserShapes>) {
  const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
  const input = (name: string, dims: readonly number[]): StepInput => ({ ...gpuFloatBuffer(device, dims, `engine.plan.${name}`), dims });
  const xIn = input('x_in', shapes.xIn);
  const t = input('t', shapes.t);
  const vBytes = 4 * count(shapes.v);
  const staging = device.createBuffer({ label: 'engine.plan.v_read', size: vBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  return {
    xIn,
    t,
    write(name: string, into: StepInput, data: Float32Array): Tensor {
      if (data.length !== count(into.dims)) {
        throw new InferenceError(
          'dit_stage',
          `input '${name}' has ${data.length} values; the plan takes (${into.dims.join(', ')}), ${count(into.dims)} values.`,
        );
      }
      device.queue.writeBuffer(into.buffer, 0, data);
      return into.tensor;
    },
    async read(v: Tensor): Promise<Float32Array> {
      if (v.location !== 'gpu-buffer' || v.type !== 'float32' || v.dims.join(',') !== shapes.v.join(',')) {
        return readFloats('dit_stage', PLAN_OUTPUT, v, shapes.v);
      }
      try {
        const encoder = device.createCommandEncoder({ label: 'engine.plan.v_read' });
        encoder.copyBufferToBuffer(v.gpuBuffer as GPUBuffer, 0, staging, 0, vBytes);
        device.queue.submit([encoder.finish()]);
        await staging.mapAsync(GPUMapMode.READ);
        const values = new Float32Array(staging.getMappedRange().slice(0));
        staging.unmap();
        return values;
      } finally {
        v.dispose(); // ORT's output buffer, handed to us by scope.take(): released even when the read fails
      }
    },
    destroy(): void {
      xIn.buffer.destroy();
      t.buffer.destroy();
      staging.destroy();
    },
  };
}
