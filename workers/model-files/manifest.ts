// The model manifest (models-manifest/README.md), validated from `unknown`.
//
// The fields the engine and the model store read are checked and typed here:
// identity and licence, the tokenizer, text, latent, denoiser (with its
// plan), sampler, conditioning, preview, video, memory needs, WebGPU requirements and the
// graphs with their shards. Every allowed string comes from a runtime list
// (`as const`), so the validator and the type cannot drift. Errors are
// `ManifestError`s naming the field path, the bad value and what is allowed.
// A manifest comes from a URL a user typed, so sizes and URLs are treated as
// hostile: sizes are bounded (a shard at most MAX_SHARD_BYTES, a file
// assembled in memory at most MAX_FILE_BYTES), and a file URL is relative or
// absolute http(s) only. Other fields (training, evaluation, ...) pass
// through unchecked in `raw`.

import { type ManifestConditioning, parseConditioning } from './manifest-conditioning';
import {
  amount,
  array,
  bool,
  checkModelUrl,
  int,
  integrity,
  ints3,
  MAX_MODEL_BYTES,
  ManifestError,
  MODEL_URL_PROTOCOLS,
  modelUrl,
  nonEmpty,
  num,
  oneOf,
  record,
  show,
  showBytes,
  size,
  str,
  stringMap,
} from './manifest-fields';
import { parseSamplerDefaults, type SamplerDefaults } from './manifest-sampler';

export type { ManifestConditioning };
export { checkModelUrl, MAX_MODEL_BYTES, ManifestError, MODEL_URL_PROTOCOLS };

export const MANIFEST_FORMAT = 'lantern-model-manifest';
export const MANIFEST_FORMAT_VERSIONS = [1] as const;
export const TOKENIZER_KINDS = ['huggingface-tokenizer-json'] as const;
export const DENOISER_INPUT_LAYOUT = ['noisy', 'condition', 'mask'] as const;
export const PREDICTIONS = ['velocity'] as const;
export const SAMPLER_KINDS = ['flow-matching-euler'] as const;
export const GUIDANCE_BATCHES = ['conditional-then-unconditional'] as const;
export const NOISE_KINDS = ['mulberry32-box-muller'] as const;
export const NOISE_ORDERS = ['C,F,h,w'] as const;
export const PREVIEW_KINDS = ['linear-latent-rgb'] as const;
export const PLAN_OPS = ['run', 'attention'] as const;
export const ATTENTION_KINDS = ['self', 'cross'] as const;
export const ATTENTION_LAYOUTS = ['BHND'] as const;
export const ROPE_PAIRINGS = ['interleaved'] as const;
export const ROPE_ORDERS = ['frame,row,column'] as const;
/** Tensors the plan starts from; it must end with PLAN_OUTPUT. */
export const PLAN_INPUTS = ['x_in', 't', 'text'] as const;
export const PLAN_OUTPUT = 'v_out';

const MiB = 2 ** 20;
/** The largest shard: the unit downloaded, hashed and stored in one IndexedDB record. */
export const MAX_SHARD_BYTES = 128 * MiB;
/**
 * The largest file assembled into one Uint8Array (a graph, an external-data
 * file, the tokenizer): protobuf refuses ONNX models of 2 GiB and more, and
 * some browsers cap an ArrayBuffer at 2 GiB. Bigger weights go into several
 * external-data files (models-manifest/README.md).
 */
export const MAX_FILE_BYTES = 2 * 1024 * MiB - 1;

type OneOf<T extends readonly unknown[]> = T[number];

export type RopeSpec = {
  grid: [number, number, number];
  dims: [number, number, number];
  theta: number;
  pairing: OneOf<typeof ROPE_PAIRINGS>;
  order: OneOf<typeof ROPE_ORDERS>;
};

export type PlanRun = {
  op: 'run';
  graph: string;
  /** graph input name -> plan tensor name */
  inputs: Record<string, string>;
  /** graph output name -> plan tensor name */
  outputs: Record<string, string>;
  /** Inputs do not change during sampling: run once per clip. */
  once: boolean;
};

export type PlanAttention = {
  op: 'attention';
  kind: OneOf<typeof ATTENTION_KINDS>;
  q: string;
  k: string;
  v: string;
  out: string;
  heads: number;
  headDim: number;
  queries: number;
  /** A count, or the text length (`text.tokens`) where the manifest says "text". */
  keys: number;
  layout: OneOf<typeof ATTENTION_LAYOUTS>;
  scale: number;
  rope: RopeSpec | null;
};

export type PlanStep = PlanRun | PlanAttention;

export type Shard = { url: string; bytes: number; sha256: string };
/**
 * One ONNX external-data file of a graph (`location` in its initializers),
 * given to onnxruntime as a separate piece, so no single buffer holds all of
 * a graph's weights.
 */
export type ExternalDataFile = { path: string; bytes: number; sha256: string; shards: Shard[] };
export type GraphEntry = { inputs: string[]; outputs: string[]; bytes: number; sha256: string; shards: Shard[]; externalData: ExternalDataFile[] };

export type Manifest = {
  format: typeof MANIFEST_FORMAT;
  formatVersion: OneOf<typeof MANIFEST_FORMAT_VERSIONS>;
  id: string;
  version: string;
  name: string;
  description: string;
  license: string;
  video: { width: number; height: number; frames: number; fps: number };
  tokenizer: { kind: OneOf<typeof TOKENIZER_KINDS>; url: string; bytes: number; sha256: string; maxTokens: number; padId: number; negativeDefault: string };
  text: { dim: number; tokens: number };
  latent: {
    channels: number;
    frames: number;
    height: number;
    width: number;
    temporalCompression: number;
    spatialCompression: number;
    normalised: boolean;
    mean: number[];
    std: number[];
  };
  denoiser: {
    inputChannels: number;
    inputLayout: typeof DENOISER_INPUT_LAYOUT;
    patch: [number, number, number];
    tokens: number;
    dim: number;
    depth: number;
    heads: number;
    headDim: number;
    prediction: OneOf<typeof PREDICTIONS>;
    wholeGraph: string;
    plan: PlanStep[];
  };
  sampler: {
    kind: OneOf<typeof SAMPLER_KINDS>;
    shift: number;
    defaultSteps: number;
    defaultGuidance: number;
    guidanceBatch: OneOf<typeof GUIDANCE_BATCHES>;
    noise: { kind: OneOf<typeof NOISE_KINDS>; order: OneOf<typeof NOISE_ORDERS> };
  } & SamplerDefaults;
  /** Frame-conditioned generation the model supports; null: text-to-video only. */
  conditioning: ManifestConditioning | null;
  /** (channels + 1) rows of [r, g, b]: a normalised latent cell and a 1 to RGB. */
  preview: { kind: OneOf<typeof PREVIEW_KINDS>; matrix: [number, number, number][] };
  graphs: Record<string, GraphEntry>;
  /** What running the model takes, so the app can warn before a download. */
  memory: { weightsBytes: number; latentBytes: number; peakActivationBytes: number; recommendedBytes: number };
  /** What the WebGPU path needs of the adapter. */
  requires: { webgpuFeatures: string[]; maxStorageBufferBindingSize: number };
  /** The whole parsed JSON, for fields this validator does not cover yet. */
  raw: Record<string, unknown>;
};

// -- sections --------------------------------------------------------------------------

function parseRope(value: unknown, path: string, headDim: number): RopeSpec | null {
  if (value === null || value === undefined) return null;
  const r = record(value, path);
  const rope: RopeSpec = {
    grid: ints3(r['grid'], `${path}.grid`, 1),
    dims: ints3(r['dims'], `${path}.dims`, 0),
    theta: num(r['theta'], `${path}.theta`, 0, true),
    pairing: oneOf(r['pairing'], ROPE_PAIRINGS, `${path}.pairing`),
    order: oneOf(r['order'], ROPE_ORDERS, `${path}.order`),
  };
  const sum = rope.dims[0] + rope.dims[1] + rope.dims[2];
  if (sum !== headDim || rope.dims.some((d) => d % 2 !== 0)) {
    throw new ManifestError(`${path}.dims`, `is ${show(rope.dims)}; they must be even and sum to headDim ${headDim}.`);
  }
  return rope;
}

function parsePlanStep(value: unknown, path: string, textTokens: number): PlanStep {
  const s = record(value, path);
  const op = oneOf(s['op'], PLAN_OPS, `${path}.op`);
  if (op === 'run') {
    const once = s['once'] === undefined ? false : bool(s, 'once', path);
    return {
      op,
      graph: nonEmpty(s, 'graph', path),
      inputs: stringMap(s['inputs'], `${path}.inputs`),
      outputs: stringMap(s['outputs'], `${path}.outputs`),
      once,
    };
  }
  const headDim = int(s['headDim'], `${path}.headDim`, 1);
  const keys = s['keys'] === 'text' ? textTokens : int(s['keys'], `${path}.keys`, 1);
  return {
    op,
    kind: oneOf(s['kind'], ATTENTION_KINDS, `${path}.kind`),
    q: nonEmpty(s, 'q', path),
    k: nonEmpty(s, 'k', path),
    v: nonEmpty(s, 'v', path),
    out: nonEmpty(s, 'out', path),
    heads: int(s['heads'], `${path}.heads`, 1),
    headDim,
    queries: int(s['queries'], `${path}.queries`, 1),
    keys,
    layout: oneOf(s['layout'], ATTENTION_LAYOUTS, `${path}.layout`),
    scale: num(s['scale'], `${path}.scale`, 0, true),
    rope: parseRope(s['rope'], `${path}.rope`, headDim),
  };
}

/**
 * Checks the plan as a program: every tensor is written before it is read,
 * every graph run names a graph with those inputs and outputs, and the plan
 * ends having written `v_out`.
 */
function checkPlan(plan: PlanStep[], graphs: Record<string, GraphEntry>, path: string): void {
  const written = new Set<string>(PLAN_INPUTS);
  plan.forEach((step, i) => {
    const at = `${path}[${i}]`;
    const reads = step.op === 'run' ? Object.values(step.inputs) : [step.q, step.k, step.v];
    for (const name of reads) {
      if (!written.has(name)) {
        throw new ManifestError(
          at,
          `reads tensor '${name}' before any step writes it; a step must read only the plan inputs (${PLAN_INPUTS.join(', ')}) or tensors earlier steps wrote.`,
        );
      }
    }
    if (step.op === 'attention') {
      written.add(step.out);
      return;
    }
    const graph = graphs[step.graph];
    if (graph === undefined) {
      throw new ManifestError(`${at}.graph`, `is '${step.graph}'; it must be one of graphs: ${Object.keys(graphs).join(', ')}.`);
    }
    for (const [bindings, names, side] of [
      [step.inputs, graph.inputs, 'inputs'],
      [step.outputs, graph.outputs, 'outputs'],
    ] as const) {
      const bound = Object.keys(bindings).sort().join(', ');
      const expected = [...names].sort().join(', ');
      if (bound !== expected) {
        throw new ManifestError(`${at}.${side}`, `binds [${bound}]; it must bind exactly the ${side} of graph '${step.graph}': [${expected}].`);
      }
    }
    for (const name of Object.values(step.outputs)) written.add(name);
  });
  if (!written.has(PLAN_OUTPUT)) throw new ManifestError(path, `never writes '${PLAN_OUTPUT}', the denoiser's output; a step must write it.`);
}

function parseShards(value: unknown, path: string, bytes: number): Shard[] {
  const shards = array(value, path).map((s, i) => {
    const sp = `${path}[${i}]`;
    const shard = record(s, sp);
    return { url: modelUrl(shard, 'url', sp), bytes: size(shard['bytes'], `${sp}.bytes`, MAX_SHARD_BYTES), sha256: integrity(shard, 'sha256', sp) };
  });
  if (shards.length === 0) throw new ManifestError(path, 'is empty; it must list at least one shard.');
  const total = shards.reduce((sum, s) => sum + s.bytes, 0);
  if (total !== bytes) throw new ManifestError(path.replace(/\.shards$/, '.bytes'), `is ${bytes}; its shards add up to ${total}, and it must equal their sum.`);
  return shards;
}

function parseExternalData(value: unknown, path: string): ExternalDataFile[] {
  if (value === undefined) return [];
  const seen = new Set<string>();
  return array(value, path).map((f, i) => {
    const fp = `${path}[${i}]`;
    const file = record(f, fp);
    const name = nonEmpty(file, 'path', fp);
    // The name ORT matches against an initializer's `location`: one plain file name, no directories.
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) || name.includes('..')) {
      throw new ManifestError(`${fp}.path`, `is ${show(name)}; it must be a plain file name (letters, digits, '_', '-', '.'; no '/' or '..').`);
    }
    if (seen.has(name))
      throw new ManifestError(`${fp}.path`, `is ${show(name)}, which an earlier entry already names; each external-data file must appear once.`);
    seen.add(name);
    const bytes = size(file['bytes'], `${fp}.bytes`, MAX_FILE_BYTES);
    return { path: name, bytes, sha256: integrity(file, 'sha256', fp), shards: parseShards(file['shards'], `${fp}.shards`, bytes) };
  });
}

function parseGraphs(value: unknown): Record<string, GraphEntry> {
  const obj = record(value, 'graphs');
  const graphs: Record<string, GraphEntry> = {};
  for (const name of Object.keys(obj)) {
    const path = `graphs.${name}`;
    const g = record(obj[name], path);
    const names = (key: string) =>
      array(g[key], `${path}.${key}`).map((n, i) => {
        if (typeof n !== 'string' || n === '') throw new ManifestError(`${path}.${key}[${i}]`, `is ${show(n)}; it must be a tensor name.`);
        return n;
      });
    const bytes = size(g['bytes'], `${path}.bytes`, MAX_FILE_BYTES);
    const shards = parseShards(g['shards'], `${path}.shards`, bytes);
    graphs[name] = {
      inputs: names('inputs'),
      outputs: names('outputs'),
      bytes,
      sha256: integrity(g, 'sha256', path),
      shards,
      externalData: parseExternalData(g['externalData'], `${path}.externalData`),
    };
  }
  return graphs;
}

/** Validates a parsed manifest (`JSON.parse` output) and returns it typed. */
export function parseManifest(json: unknown): Manifest {
  const m = record(json, 'manifest');
  if (m['format'] !== MANIFEST_FORMAT) throw new ManifestError('format', `is ${show(m['format'])}; it must be '${MANIFEST_FORMAT}'.`);
  const version = m['formatVersion'];
  if (typeof version === 'number' && Number.isInteger(version) && version > Math.max(...MANIFEST_FORMAT_VERSIONS)) {
    throw new ManifestError(
      'formatVersion',
      `is ${version}; this Lantern reads format versions ${MANIFEST_FORMAT_VERSIONS.join(', ')} only. Update Lantern, or export the model for format ${MANIFEST_FORMAT_VERSIONS.at(-1)}.`,
    );
  }
  const formatVersion = oneOf(version, MANIFEST_FORMAT_VERSIONS, 'formatVersion');
  const id = str(m, 'id', '');
  if (!/^[a-z0-9-]+$/.test(id)) throw new ManifestError('id', `is ${show(id)}; it must match [a-z0-9-]+.`);

  const v = record(m['video'], 'video');
  const video = {
    width: int(v['width'], 'video.width', 2),
    height: int(v['height'], 'video.height', 2),
    frames: int(v['frames'], 'video.frames', 1),
    fps: num(v['fps'], 'video.fps', 0, true),
  };

  const t = record(m['tokenizer'], 'tokenizer');
  const tokenizer = {
    kind: oneOf(t['kind'], TOKENIZER_KINDS, 'tokenizer.kind'),
    url: modelUrl(t, 'url', 'tokenizer'),
    bytes: size(t['bytes'], 'tokenizer.bytes', MAX_SHARD_BYTES),
    sha256: integrity(t, 'sha256', 'tokenizer'),
    maxTokens: int(t['maxTokens'], 'tokenizer.maxTokens', 3),
    padId: int(t['padId'], 'tokenizer.padId', 0),
    negativeDefault: str(t, 'negativeDefault', 'tokenizer'),
  };

  const tx = record(m['text'], 'text');
  const text = { dim: int(tx['dim'], 'text.dim', 1), tokens: int(tx['tokens'], 'text.tokens', 1) };
  if (text.tokens !== tokenizer.maxTokens)
    throw new ManifestError('text.tokens', `is ${text.tokens}; it must equal tokenizer.maxTokens ${tokenizer.maxTokens}.`);

  const l = record(m['latent'], 'latent');
  const channels = int(l['channels'], 'latent.channels', 1);
  const stats = (key: 'mean' | 'std') =>
    array(l[key], `latent.${key}`, channels).map((x, i) => num(x, `latent.${key}[${i}]`, key === 'std' ? 0 : -Infinity, key === 'std'));
  const latent = {
    channels,
    frames: int(l['frames'], 'latent.frames', 1),
    height: int(l['height'], 'latent.height', 1),
    width: int(l['width'], 'latent.width', 1),
    temporalCompression: int(l['temporalCompression'], 'latent.temporalCompression', 1),
    spatialCompression: int(l['spatialCompression'], 'latent.spatialCompression', 1),
    normalised: bool(l, 'normalised', 'latent'),
    mean: stats('mean'),
    std: stats('std'),
  };
  if (latent.frames * latent.temporalCompression !== video.frames) {
    throw new ManifestError(
      'latent.frames',
      `is ${latent.frames}; times temporalCompression ${latent.temporalCompression} it must give video.frames ${video.frames}.`,
    );
  }
  if (latent.height * latent.spatialCompression !== video.height || latent.width * latent.spatialCompression !== video.width) {
    throw new ManifestError(
      'latent.height',
      `${latent.height}x${latent.width} times spatialCompression ${latent.spatialCompression} must give the video's ${video.height}x${video.width}.`,
    );
  }

  const graphs = parseGraphs(m['graphs']);
  const modelBytes = tokenizer.bytes + Object.values(graphs).reduce((sum, g) => sum + g.bytes + g.externalData.reduce((s, f) => s + f.bytes, 0), 0);
  if (modelBytes > MAX_MODEL_BYTES)
    throw new ManifestError(
      'graphs',
      `add up to ${modelBytes} bytes with the tokenizer; a model must have at most ${MAX_MODEL_BYTES} (${showBytes(MAX_MODEL_BYTES)}).`,
    );

  const d = record(m['denoiser'], 'denoiser');
  const layout = array(d['inputLayout'], 'denoiser.inputLayout', DENOISER_INPUT_LAYOUT.length);
  layout.forEach((x, i) => {
    if (x !== DENOISER_INPUT_LAYOUT[i]) throw new ManifestError('denoiser.inputLayout', `is ${show(layout)}; it must be ${show(DENOISER_INPUT_LAYOUT)}.`);
  });
  const inputChannels = int(d['inputChannels'], 'denoiser.inputChannels', 1);
  if (inputChannels !== 2 * channels + 1) {
    throw new ManifestError(
      'denoiser.inputChannels',
      `is ${inputChannels}; for [noisy, condition, mask] over ${channels} latent channels it must be ${2 * channels + 1}.`,
    );
  }
  const wholeGraph = nonEmpty(d, 'wholeGraph', 'denoiser');
  if (graphs[wholeGraph] === undefined)
    throw new ManifestError('denoiser.wholeGraph', `is '${wholeGraph}'; it must be one of graphs: ${Object.keys(graphs).join(', ')}.`);
  const plan = array(d['plan'], 'denoiser.plan').map((s, i) => parsePlanStep(s, `denoiser.plan[${i}]`, text.tokens));
  checkPlan(plan, graphs, 'denoiser.plan');
  const denoiser = {
    inputChannels,
    inputLayout: DENOISER_INPUT_LAYOUT,
    patch: ints3(d['patch'], 'denoiser.patch', 1),
    tokens: int(d['tokens'], 'denoiser.tokens', 1),
    dim: int(d['dim'], 'denoiser.dim', 1),
    depth: int(d['depth'], 'denoiser.depth', 1),
    heads: int(d['heads'], 'denoiser.heads', 1),
    headDim: int(d['headDim'], 'denoiser.headDim', 1),
    prediction: oneOf(d['prediction'], PREDICTIONS, 'denoiser.prediction'),
    wholeGraph,
    plan,
  };

  const s = record(m['sampler'], 'sampler');
  const n = record(s['noise'], 'sampler.noise');
  const defaultSteps = int(s['defaultSteps'], 'sampler.defaultSteps', 1);
  const shift = num(s['shift'], 'sampler.shift', 0, true);
  const sampler = {
    kind: oneOf(s['kind'], SAMPLER_KINDS, 'sampler.kind'),
    shift,
    defaultSteps,
    ...parseSamplerDefaults(s, defaultSteps, shift),
    defaultGuidance: num(s['defaultGuidance'], 'sampler.defaultGuidance', 0),
    guidanceBatch: oneOf(s['guidanceBatch'], GUIDANCE_BATCHES, 'sampler.guidanceBatch'),
    noise: { kind: oneOf(n['kind'], NOISE_KINDS, 'sampler.noise.kind'), order: oneOf(n['order'], NOISE_ORDERS, 'sampler.noise.order') },
  };

  const conditioning = parseConditioning(m['conditioning'], latent.frames, graphs);

  const p = record(m['preview'], 'preview');
  const matrix = array(p['matrix'], 'preview.matrix', channels + 1).map((row, i) => {
    const r = array(row, `preview.matrix[${i}]`, 3);
    return [num(r[0], `preview.matrix[${i}][0]`), num(r[1], `preview.matrix[${i}][1]`), num(r[2], `preview.matrix[${i}][2]`)] as [number, number, number];
  });
  const preview = { kind: oneOf(p['kind'], PREVIEW_KINDS, 'preview.kind'), matrix };

  const mem = record(m['memory'], 'memory');
  const memory = {
    weightsBytes: amount(mem, 'weightsBytes', 'memory'),
    latentBytes: amount(mem, 'latentBytes', 'memory'),
    peakActivationBytes: amount(mem, 'peakActivationBytes', 'memory'),
    recommendedBytes: amount(mem, 'recommendedBytes', 'memory'),
  };
  const req = record(m['requires'], 'requires');
  const requires = {
    webgpuFeatures: array(req['webgpuFeatures'], 'requires.webgpuFeatures').map((f, i) => {
      if (typeof f !== 'string' || !/^[a-z0-9-]+$/.test(f))
        throw new ManifestError(`requires.webgpuFeatures[${i}]`, `is ${show(f)}; it must be a WebGPU feature name such as 'shader-f16'.`);
      return f;
    }),
    maxStorageBufferBindingSize: amount(req, 'maxStorageBufferBindingSize', 'requires'),
  };

  return {
    format: MANIFEST_FORMAT,
    formatVersion,
    id,
    version: nonEmpty(m, 'version', ''),
    name: nonEmpty(m, 'name', ''),
    description: m['description'] === undefined ? '' : str(m, 'description', ''),
    license: nonEmpty(m, 'license', ''),
    video,
    tokenizer,
    text,
    latent,
    denoiser,
    sampler,
    conditioning,
    preview,
    graphs,
    memory,
    requires,
    raw: m,
  };
}

/** Latent shape (C, F, h, w) and element count of one clip. */
export function latentSize(m: Manifest): { shape: [number, number, number, number]; elements: number } {
  const { channels, frames, height, width } = m.latent;
  return { shape: [channels, frames, height, width], elements: channels * frames * height * width };
}
