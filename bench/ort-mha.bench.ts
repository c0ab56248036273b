// `npm run bench`: is onnxruntime-web's WebGPU `com.microsoft.MultiHeadAttention`
// right at the built-in model's cross-attention shape? It was the candidate for
// cross-attention inside the stage graphs (fewer session runs a step), and
// in the stage bench its v came out 0.54 off. This checks the op alone,
// against a float64 reference, on a device with and without 'subgroups'
// (the engine asks for it; ORT then takes its flash-attention path). The
// graph is bench/models/attention_cross_mha.onnx (make_attention_models.py).
import * as ort from 'onnxruntime-web/webgpu';
import { expect, test } from 'vitest';
import { type AttentionShape, attentionReference, mulberry32, randomNormal } from '../test/support/attention-reference';
import { table } from './support/table';

/** (B, H, N, D) -> (B, N, H * D), the layout MultiHeadAttention takes and gives. */
function mergeHeads(x: Float32Array | Float64Array, batch: number, heads: number, tokens: number, headDim: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < batch; b++)
    for (let h = 0; h < heads; h++)
      for (let n = 0; n < tokens; n++)
        for (let d = 0; d < headDim; d++) out[((b * tokens + n) * heads + h) * headDim + d] = x[((b * heads + h) * tokens + n) * headDim + d]!;
  return out;
}

test('onnxruntime-web MultiHeadAttention on WebGPU, with and without subgroups', { timeout: 600_000 }, async () => {
  const shape: AttentionShape = { batch: 2, heads: 4, queries: 256, keys: 48, headDim: 64, scale: 1 / 8, rope: null };
  const { batch, heads, queries, keys, headDim } = shape;
  const random = mulberry32(7);
  const q = randomNormal(random, batch * heads * queries * headDim);
  const k = randomNormal(random, batch * heads * keys * headDim);
  const v = randomNormal(random, batch * heads * keys * headDim);
  const want = mergeHeads(attentionReference(shape, q, k, v), batch, heads, queries, headDim);
  const bytes = new Uint8Array(await (await fetch('/bench/models/attention_cross_mha.onnx')).arrayBuffer());
  const rows: string[][] = [];
  const diffs = new Map<string, number>();
  for (const features of [[], ['subgroups']] as GPUFeatureName[][]) {
    const adapter = await navigator.gpu.requestAdapter();
    if (adapter === null) throw new Error('this bench needs a WebGPU adapter');
    if (!features.every((f) => adapter.features.has(f))) {
      rows.push([features.join(', ') || 'none', 'adapter lacks it', '-']);
      continue;
    }
    const device = await adapter.requestDevice({ requiredFeatures: features });
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: [{ name: 'webgpu', device }],
      extra: { session: { disable_cpu_ep_fallback: '1' } },
    });
    const feeds = Object.fromEntries(
      [q, k, v].map((x, i) => {
        const tokens = i === 0 ? queries : keys;
        return [session.inputNames[i]!, new ort.Tensor('float32', mergeHeads(x, batch, heads, tokens, headDim), [batch, tokens, heads * headDim])];
      }),
    );
    const result = await session.run(feeds);
    const got = (await result[session.outputNames[0]!]!.getData()) as Float32Array;
    const diff = got.reduce((m, x, i) => Math.max(m, Math.abs(x - want[i]!)), 0);
    diffs.set(features.join(', ') || 'none', diff);
    rows.push([features.join(', ') || 'none', diff.toExponential(2), diff < 1e-4 ? 'right' : 'WRONG']);
    await session.release();
    device.destroy();
  }
  const info = (await navigator.gpu.requestAdapter())?.info;
  console.log(
    `\nonnxruntime-web ${ort.env.versions.web} MultiHeadAttention, B${batch} H${heads} N${queries}x${keys} D${headDim}, ` +
      `on ${info?.vendor || '?'} ${info?.architecture || '?'}; max |ORT - float64 reference|:\n` +
      `${table(['device features', 'max |diff|', 'verdict'], rows)}\n`,
  );
  expect(diffs.get('none')).toBeLessThan(1e-4);
});
