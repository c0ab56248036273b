// Lantern's WGSL flash attention (shaders/attention.wgsl): one object per
// attention call of the denoiser plan, built once per shape, recording its
// dispatch into the caller's command encoder. Nothing is read back: the
// engine keeps q, k, v and out on the GPU for a whole denoising step.
import attentionWgsl from '../../../shaders/attention.wgsl?raw';
import entryPortableWgsl from '../../../shaders/attention_entry_portable.wgsl?raw';
import entrySubgroupsWgsl from '../../../shaders/attention_entry_subgroups.wgsl?raw';
import { ATTENTION_PATHS, type AttentionPath } from '../../contracts/generator';
import { ATTENTION_KINDS } from '../../model-files/manifest';
import { type Rope, ropeKernelTable, ropeTokens, validateRope } from './rope';

export { ATTENTION_KINDS, ATTENTION_PATHS, type AttentionPath };
export type AttentionKind = (typeof ATTENTION_KINDS)[number];

/** Head sizes the kernel is built and tested for; 128 (Wan2.1-1.3B's) only on the subgroups path (`headDimFits`). */
export const ATTENTION_HEAD_DIMS = [16, 32, 48, 64, 128] as const;

export type AttentionOptions = {
  kind: AttentionKind;
  batch: number;
  heads: number;
  headDim: number;
  queries: number;
  keys: number;
  /** Defaults to headDim^-0.5. */
  scale?: number;
  /** Required for self-attention (grid tokens = queries = keys); not allowed for cross-attention. */
  rope?: Rope;
  /** Defaults to true where the device has the `subgroups` feature. */
  useSubgroups?: boolean;
  /**
   * Tiling: query rows per workgroup, keys per staged tile, query rows per
   * lane group (register blocking). Defaults suit the path and the device's
   * workgroup memory.
   */
  tile?: Partial<AttentionTile>;
};

export type AttentionTile = { queries: number; keys: number; rows: number };

export type AttentionBuffers = { q: GPUBuffer; k: GPUBuffer; v: GPUBuffer; out: GPUBuffer };

export type Attention = {
  readonly kind: AttentionKind;
  readonly path: AttentionPath;
  readonly tile: Readonly<AttentionTile>;
  /** Bytes each buffer must hold at least: q and out (B, H, queries, D), k and v (B, H, keys, D). */
  readonly bytes: { readonly q: number; readonly kv: number };
  encode(encoder: GPUCommandEncoder, buffers: AttentionBuffers): void;
  destroy(): void;
};

export class AttentionConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttentionConfigError';
  }
}

const LOG2E = Math.LOG2E;
const QUAD = 4;
const MAX_TILE_KEYS = 32;
// Must match MAX_REGS and MAX_ROWS in shaders/attention.wgsl.
const MAX_REGS = 16;
const MAX_ROWS = 4;
/**
 * Default lane groups per workgroup and rows per lane group (capped by
 * MAX_REGS), per path. Tuned on SwiftShader at the first built-in model's
 * self-attention shape (B2 H6 256 tokens D32), where quads x 4 rows x 16
 * groups and 2 rows x 32 invocations on the portable path ran fastest; more
 * rows per group means each K and V vec4 read from workgroup memory feeds
 * more rows. Not re-tuned for the current model's D64 (where MAX_REGS caps
 * the portable path at 1 row) nor on a real GPU.
 */
const DEFAULT_TILE: Record<AttentionPath, { groups: number; rows: number }> = {
  subgroups: { groups: 16, rows: 4 },
  portable: { groups: 32, rows: 2 },
};

/** The uniform block of shaders/attention.wgsl (`Params`), 16 bytes. */
export function attentionUniforms(p: { queries: number; keys: number; scale: number }): ArrayBuffer {
  const data = new ArrayBuffer(16);
  const view = new DataView(data);
  view.setUint32(0, p.queries, true);
  view.setUint32(4, p.keys, true);
  view.setFloat32(8, p.scale * LOG2E, true);
  view.setUint32(12, 0, true);
  return data;
}

/** True where the subgroup path can run: the feature is enabled and subgroups hold whole quads. */
export function deviceHasSubgroups(device: GPUDevice): boolean {
  return device.features.has('subgroups') && (device.adapterInfo.subgroupMinSize ?? 0) >= QUAD;
}

/**
 * Whether `path` can run `headDim`: a lane holds headDim / (4 * lanes) vec4s
 * of each of its rows' q and accumulator, at most MAX_REGS, so the portable
 * path (one lane a row) stops at 64 and the quad path at 256.
 */
export function headDimFits(headDim: number, path: AttentionPath): boolean {
  return headDim <= 4 * (path === 'subgroups' ? QUAD : 1) * MAX_REGS;
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new AttentionConfigError(`Attention ${name} ${value} is not allowed. It must be an integer >= 1.`);
  }
}

function choosePath(device: GPUDevice, useSubgroups: boolean | undefined): AttentionPath {
  const available = deviceHasSubgroups(device);
  if (useSubgroups === true && !available) {
    throw new AttentionConfigError(
      "useSubgroups is true but this device has no usable 'subgroups' feature. Request the device with " +
        "requiredFeatures: ['subgroups'] on an adapter that has it, or leave useSubgroups unset.",
    );
  }
  return (useSubgroups ?? available) ? 'subgroups' : 'portable';
}

function chooseTile(device: GPUDevice, path: AttentionPath, headDim: number, requested: AttentionOptions['tile']): AttentionTile {
  const lanes = path === 'subgroups' ? QUAD : 1;
  const memory = device.limits.maxComputeWorkgroupStorageSize - 16; // 16: the quad slot counter
  const fitting = Math.floor(memory / (2 * headDim * 4) / 4) * 4; // K and V tiles, multiple of 4
  const regs = headDim / (4 * lanes); // vec4s of one row a lane holds
  const maxRows = Math.min(MAX_ROWS, Math.floor(MAX_REGS / regs));
  const defaults = DEFAULT_TILE[path];
  const rows = requested?.rows ?? Math.min(defaults.rows, maxRows);
  const keys = requested?.keys ?? Math.min(MAX_TILE_KEYS, fitting);
  const queries = requested?.queries ?? defaults.groups * rows;
  for (const [name, value] of [
    ['tile.keys', keys],
    ['tile.queries', queries],
    ['tile.rows', rows],
  ] as const) {
    positiveInteger(name, value);
  }
  if (keys % 4 !== 0 || keys > fitting) {
    throw new AttentionConfigError(
      `Attention tile.keys ${keys} is not allowed. It must be a multiple of 4 and at most ${fitting} ` +
        `(the device's ${device.limits.maxComputeWorkgroupStorageSize} bytes of workgroup memory at headDim ${headDim}).`,
    );
  }
  if (rows > maxRows) {
    throw new AttentionConfigError(`Attention tile.rows ${rows} is not allowed at headDim ${headDim} on the ${path} path. It must be at most ${maxRows}.`);
  }
  if (queries % rows !== 0) {
    throw new AttentionConfigError(`Attention tile.queries ${queries} is not allowed. It must be a multiple of tile.rows ${rows}.`);
  }
  const invocations = (queries / rows) * lanes;
  if (invocations > device.limits.maxComputeInvocationsPerWorkgroup) {
    throw new AttentionConfigError(
      `Attention tile.queries ${queries} needs ${invocations} invocations per workgroup on the ${path} path; ` +
        `the device allows ${device.limits.maxComputeInvocationsPerWorkgroup}. Use at most ` +
        `${Math.floor(device.limits.maxComputeInvocationsPerWorkgroup / lanes) * rows}.`,
    );
  }
  return { queries, keys, rows };
}

function validate(options: AttentionOptions): void {
  if (!(ATTENTION_KINDS as readonly string[]).includes(options.kind)) {
    throw new AttentionConfigError(`Unsupported attention kind '${options.kind}'. Must be one of: ${ATTENTION_KINDS.join(', ')}.`);
  }
  if (!(ATTENTION_HEAD_DIMS as readonly number[]).includes(options.headDim)) {
    throw new AttentionConfigError(`Unsupported attention headDim ${options.headDim}. Must be one of: ${ATTENTION_HEAD_DIMS.join(', ')}.`);
  }
  for (const name of ['batch', 'heads', 'queries', 'keys'] as const) positiveInteger(name, options[name]);
  if (options.kind === 'self') {
    if (options.rope === undefined) {
      throw new AttentionConfigError("Self-attention needs rope {grid, dims, theta}; pass the plan step's rope.");
    }
    validateRope(options.rope, options.headDim);
    const tokens = ropeTokens(options.rope);
    if (options.queries !== tokens || options.keys !== tokens) {
      throw new AttentionConfigError(
        `Self-attention with RoPE grid [${options.rope.grid.join(', ')}] (${tokens} tokens) needs queries = keys = ${tokens}; ` +
          `got queries ${options.queries}, keys ${options.keys}.`,
      );
    }
  } else if (options.rope !== undefined) {
    throw new AttentionConfigError("Cross-attention takes no rope; remove it or use kind 'self'.");
  }
}

const modules = new WeakMap<GPUDevice, Map<AttentionPath, Promise<GPUShaderModule>>>();

async function compile(device: GPUDevice, path: AttentionPath): Promise<GPUShaderModule> {
  const entry = path === 'subgroups' ? entrySubgroupsWgsl : entryPortableWgsl;
  const module = device.createShaderModule({ label: `attention.${path}.module`, code: `${entry}\n${attentionWgsl}` });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    throw new AttentionConfigError(
      `shaders/attention.wgsl (${path}) does not compile: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`,
    );
  }
  return module;
}

function shaderModule(device: GPUDevice, path: AttentionPath): Promise<GPUShaderModule> {
  let perDevice = modules.get(device);
  if (perDevice === undefined) {
    perDevice = new Map();
    modules.set(device, perDevice);
  }
  let module = perDevice.get(path);
  if (module === undefined) {
    module = compile(device, path);
    perDevice.set(path, module);
  }
  return module;
}

function bindGroupLayout(device: GPUDevice, label: string): GPUBindGroupLayout {
  const storage = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type },
  });
  return device.createBindGroupLayout({
    label: `${label}.bindGroupLayout`,
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
      storage(1, 'read-only-storage'),
      storage(2, 'read-only-storage'),
      storage(3, 'read-only-storage'),
      storage(4, 'storage'),
      storage(5, 'read-only-storage'),
    ],
  });
}

export async function createAttention(device: GPUDevice, options: AttentionOptions): Promise<Attention> {
  validate(options);
  const { kind, batch, heads, headDim, queries, keys } = options;
  const scale = options.scale ?? headDim ** -0.5;
  const path = choosePath(device, options.useSubgroups);
  if (!headDimFits(headDim, path)) {
    throw new AttentionConfigError(
      `Attention headDim ${headDim} needs the subgroups path: on the ${path} path a lane holds a whole row of q in ${MAX_REGS} vec4 registers, ` +
        `so headDim must be at most ${4 * MAX_REGS}. Request the device with requiredFeatures: ['subgroups'] on an adapter that has it.`,
    );
  }
  const tile = chooseTile(device, path, headDim, options.tile);
  const label = `attention.${kind}`;

  const layout = bindGroupLayout(device, label);
  const pipeline = await device.createComputePipelineAsync({
    label: `${label}.pipeline`,
    layout: device.createPipelineLayout({ label: `${label}.pipelineLayout`, bindGroupLayouts: [layout] }),
    compute: {
      module: await shaderModule(device, path),
      entryPoint: 'main',
      constants: {
        HEAD_DIM: headDim,
        TILE_Q: tile.queries,
        TILE_K: tile.keys,
        ROWS: tile.rows,
        LANES: path === 'subgroups' ? QUAD : 1,
        ROPE: kind === 'self' ? 1 : 0,
      },
    },
  });

  const uniforms = device.createBuffer({
    label: `${label}.uniforms`,
    size: 16,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(uniforms, 0, attentionUniforms({ queries, keys, scale }));
  // Cross-attention never reads binding 5, but the layout has it: a 32-byte stand-in.
  const ropeData = options.rope === undefined ? new Float32Array(8) : ropeKernelTable(options.rope, headDim);
  const ropeTable = device.createBuffer({
    label: `${label}.rope`,
    size: ropeData.byteLength,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(ropeTable, 0, ropeData);

  const bytes = { q: batch * heads * queries * headDim * 4, kv: batch * heads * keys * headDim * 4 };
  const dispatch = [Math.ceil(queries / tile.queries), batch * heads] as const;
  if (dispatch[1] > device.limits.maxComputeWorkgroupsPerDimension) {
    throw new AttentionConfigError(
      `Attention batch * heads ${dispatch[1]} exceeds the device's maxComputeWorkgroupsPerDimension ` +
        `${device.limits.maxComputeWorkgroupsPerDimension}; split the call.`,
    );
  }

  let cached: { buffers: AttentionBuffers; bindGroup: GPUBindGroup } | undefined;
  const bindGroupFor = (buffers: AttentionBuffers): GPUBindGroup => {
    const b = cached?.buffers;
    if (cached !== undefined && b?.q === buffers.q && b.k === buffers.k && b.v === buffers.v && b.out === buffers.out) {
      return cached.bindGroup;
    }
    for (const [name, buffer, need] of [
      ['q', buffers.q, bytes.q],
      ['k', buffers.k, bytes.kv],
      ['v', buffers.v, bytes.kv],
      ['out', buffers.out, bytes.q],
    ] as const) {
      if (buffer.size < need) {
        throw new AttentionConfigError(
          `Attention buffer ${name} ('${buffer.label}') holds ${buffer.size} bytes; ${label} ` +
            `(batch ${batch}, heads ${heads}, ${name === 'q' || name === 'out' ? `queries ${queries}` : `keys ${keys}`}, ` +
            `headDim ${headDim}) needs ${need}.`,
        );
      }
    }
    const bindGroup = device.createBindGroup({
      label: `${label}.bindGroup`,
      layout,
      entries: [
        { binding: 0, resource: { buffer: uniforms } },
        { binding: 1, resource: { buffer: buffers.q, size: bytes.q } },
        { binding: 2, resource: { buffer: buffers.k, size: bytes.kv } },
        { binding: 3, resource: { buffer: buffers.v, size: bytes.kv } },
        { binding: 4, resource: { buffer: buffers.out, size: bytes.q } },
        { binding: 5, resource: { buffer: ropeTable } },
      ],
    });
    cached = { buffers: { ...buffers }, bindGroup };
    return bindGroup;
  };

  return {
    kind,
    path,
    tile,
    bytes,
    encode(encoder, buffers) {
      const bindGroup = bindGroupFor(buffers);
      const pass = encoder.beginComputePass({ label: `${label}.pass` });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(dispatch[0], dispatch[1]);
      pass.end();
    },
    destroy() {
      uniforms.destroy();
      ropeTable.destroy();
      cached = undefined;
    },
  };
}
