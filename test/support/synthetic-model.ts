// Synthetic models for the model store's tests and benchmarks, made at test
// time (nothing large is committed): deterministic pseudo-random weights
// that any byte range of can be computed on its own, and a minimal ONNX
// model around them (Gather from each weight tensor), written here with a
// few lines of protobuf so no Python is needed. The same code runs in the
// test server (Node) and in the page, which computes the values a session
// should return.

/** A weight: a float32 in [1, 2) from a counter-based hash of (seed, tensor, index). */
export function weightWord(seed: number, tensor: number, index: number): number {
  let x = Math.imul(index ^ Math.imul(seed + 1, 0x9e3779b1), 0x85ebca77) ^ Math.imul(tensor + 1, 0xc2b2ae3d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  x ^= x >>> 12;
  x = Math.imul(x, 0x297a2d39);
  x ^= x >>> 15;
  return (0x3f800000 | (x >>> 9)) >>> 0;
}

export function weightValue(seed: number, tensor: number, index: number): number {
  return new Float32Array(new Uint32Array([weightWord(seed, tensor, index)]).buffer)[0]!;
}

/** Writes bytes [byteOffset, byteOffset + out.length) of tensor `tensor`'s little-endian float32 data into `out`. */
export function fillWeights(seed: number, tensor: number, byteOffset: number, out: Uint8Array): void {
  const firstWord = Math.floor(byteOffset / 4);
  const lastWord = Math.ceil((byteOffset + out.length) / 4);
  const words = new Uint32Array(lastWord - firstWord);
  for (let i = 0; i < words.length; i++) words[i] = weightWord(seed, tensor, firstWord + i);
  const bytes = new Uint8Array(words.buffer);
  // Little-endian hosts (every browser and Node on x86/ARM) lay words out as the ONNX raw data does.
  out.set(bytes.subarray(byteOffset - firstWord * 4, byteOffset - firstWord * 4 + out.length));
}

// -- protobuf, just enough for an ONNX ModelProto ---------------------------------

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const text = new TextEncoder();
const cat = (...parts: (number[] | Uint8Array)[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const field = (n: number, wire: number) => varint(n * 8 + wire);
const int = (n: number, value: number) => [...field(n, 0), ...varint(value)];
const bytesField = (n: number, value: Uint8Array) => cat(field(n, 2), varint(value.length), value);
const str = (n: number, value: string) => bytesField(n, text.encode(value));

const FLOAT = 1;
const INT64 = 7;

function valueInfo(name: string, elemType: number): Uint8Array {
  const dim = str(2, 'k'); // dim_param
  const shape = bytesField(1, dim); // TensorShapeProto.dim
  const tensorType = cat(int(1, elemType), bytesField(2, shape));
  return cat(str(1, name), bytesField(2, bytesField(1, tensorType)));
}

export type SyntheticTensor = { words: number; external?: string };

/**
 * An ONNX model with one float32 initializer `W<j>` of `words` values per
 * tensor and one output `y<j> = Gather(W<j>, idx)` each. Inline tensors
 * (no `external`) must be the last one, and its data is not included: the
 * file is `prefix` followed by that tensor's bytes (fillWeights). External
 * tensors name the file their data lives in (offset 0, whole file).
 */
export function onnxModel(tensors: readonly SyntheticTensor[]): { prefix: Uint8Array; inlineBytes: number } {
  tensors.slice(0, -1).forEach((t, j) => {
    if (t.external === undefined) throw new Error(`tensor ${j}: only the last tensor may be inline`);
  });
  const nodes = tensors.map((_, j) => bytesField(1, cat(str(1, `W${j}`), str(1, 'idx'), str(2, `y${j}`), str(3, `gather${j}`), str(4, 'Gather'))));
  const outputs = tensors.map((_, j) => bytesField(12, valueInfo(`y${j}`, FLOAT)));
  const head = cat(...nodes, str(2, 'lantern_synthetic'), bytesField(11, valueInfo('idx', INT64)), ...outputs);
  const initializers: Uint8Array[] = [];
  let inlineBytes = 0;
  let tail: Uint8Array = new Uint8Array(0);
  tensors.forEach((t, j) => {
    const header = cat(int(1, t.words), int(2, FLOAT), str(8, `W${j}`));
    if (t.external !== undefined) {
      const entry = (k: string, v: string) => bytesField(13, cat(str(1, k), str(2, v)));
      initializers.push(bytesField(5, cat(header, entry('location', t.external), entry('offset', '0'), entry('length', String(t.words * 4)), int(14, 1))));
    } else {
      inlineBytes = t.words * 4;
      const tensorHead = cat(header, field(9, 2), varint(inlineBytes));
      tail = cat(field(5, 2), varint(tensorHead.length + inlineBytes), tensorHead);
    }
  });
  const graphHead = cat(head, ...initializers, tail);
  const graphLength = graphHead.length + inlineBytes;
  const opset = bytesField(8, cat(str(1, ''), int(2, 17)));
  const prefix = cat(int(1, 8), str(2, 'lantern-test'), opset, field(7, 2), varint(graphLength), graphHead);
  return { prefix, inlineBytes };
}
