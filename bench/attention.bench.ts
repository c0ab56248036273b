// `npm run bench`: Lantern's WGSL attention (both lane paths) against
// onnxruntime-web's own attention on the same GPUDevice, in the same page,
// at the built-in model's attention shapes: the first self and the first
// cross attention step of its manifest's plan, the same steps
// bench/make_attention_models.py reads to write the ORT graphs, so the
// shapes follow a re-export (graphs left at other shapes fail the bench,
// naming the script to rerun). Prints a table of median wall-clock per call
// (record, submit, wait for the queue) and the ratio to our subgroup kernel.
// On SwiftShader (a CPU WebGPU) only the ratios mean anything.
import * as ort from 'onnxruntime-web/webgpu';
import { expect, test } from 'vitest';
import { uploadAttentionInputs } from '../test/support/attention-buffers';
import { mulberry32, randomNormal } from '../test/support/attention-reference';
import { MANIFEST_URL } from '../test/support/engine-fixtures';
import { readF32 } from '../test/support/gpu-buffers';
import { type AttentionPath, createAttention } from '../workers/engine/gpu/attention';
import { fetchManifest } from '../workers/model-files/load';
import { planShapes, shapeName } from './attention-shapes';

const WARMUP = 2;
const ITERATIONS = 9;

type Row = { shape: string; implementation: string; medianMs: number; maxDiff: number | null };

async function timeIt(fn: () => Promise<void>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

async function ortSession(device: GPUDevice, model: string): Promise<ort.InferenceSession> {
  const bytes = new Uint8Array(await (await fetch(`/bench/models/${model}.onnx`)).arrayBuffer());
  return ort.InferenceSession.create(bytes, {
    executionProviders: [{ name: 'webgpu', device }],
    preferredOutputLocation: 'gpu-buffer',
    // Fail rather than quietly run a node on the CPU: the comparison is GPU against GPU.
    extra: { session: { disable_cpu_ep_fallback: '1' } },
  });
}

function table(rows: Row[]): string {
  const header = ['shape', 'implementation', 'median ms', 'x ours (subgroups)', 'max |diff| vs ours'];
  const lines = rows.map((r) => {
    const ours = rows.find((x) => x.shape === r.shape && x.implementation === 'Lantern WGSL, subgroups')!;
    return [r.shape, r.implementation, r.medianMs.toFixed(1), (r.medianMs / ours.medianMs).toFixed(2), r.maxDiff === null ? '-' : r.maxDiff.toExponential(1)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

test('attention: Lantern WGSL vs onnxruntime-web WebGPU', async () => {
  const adapter = await navigator.gpu.requestAdapter();
  if (adapter === null) throw new Error('No WebGPU adapter: launch Chromium with --enable-unsafe-webgpu.');
  const features: GPUFeatureName[] = adapter.features.has('subgroups') ? ['subgroups'] : [];
  const device = await adapter.requestDevice({ label: 'bench.attention.device', requiredFeatures: features });
  const rows: Row[] = [];
  const random = mulberry32(11);
  const steps = planShapes(await fetchManifest(MANIFEST_URL), MANIFEST_URL);

  for (const kind of ['self', 'cross'] as const) {
    const { batch, heads, headDim, queries, keys, scale, rope } = steps[kind];
    const shape = shapeName(steps[kind]);
    const qLength = batch * heads * queries * headDim;
    const kvLength = batch * heads * keys * headDim;
    const buffers = uploadAttentionInputs(
      device,
      { q: randomNormal(random, qLength), k: randomNormal(random, kvLength), v: randomNormal(random, kvLength) },
      'bench',
    );

    let reference: Float32Array | null = null;
    for (const path of ['subgroups', 'portable'] as const satisfies readonly AttentionPath[]) {
      if (path === 'subgroups' && !device.features.has('subgroups')) continue;
      const attention = await createAttention(device, {
        kind,
        batch,
        heads,
        headDim,
        queries,
        keys,
        scale,
        ...(rope === null ? {} : { rope }),
        useSubgroups: path === 'subgroups',
      });
      const medianMs = await timeIt(async () => {
        const encoder = device.createCommandEncoder({ label: 'bench.attention.encoder' });
        attention.encode(encoder, buffers);
        device.queue.submit([encoder.finish()]);
        await device.queue.onSubmittedWorkDone();
      });
      const out = await readF32(device, buffers.out, qLength);
      rows.push({ shape, implementation: `Lantern WGSL, ${path}`, medianMs, maxDiff: reference === null ? null : maxDiff(out, reference) });
      reference ??= out;
      attention.destroy();
    }

    for (const [model, what] of [
      [`attention_${kind}_matmul`, `ORT MatMul-Softmax-MatMul${kind === 'self' ? ' (+RoPE ops)' : ''}`],
      [`attention_${kind}_mha`, `ORT MultiHeadAttention${kind === 'self' ? ' (no RoPE)' : ''}`],
    ] as const) {
      const session = await ortSession(device, model);
      const mha = model.endsWith('_mha');
      // MultiHeadAttention takes (B, N, H*D); the same buffers serve, with their values in another order.
      const feeds = Object.fromEntries(
        (['q', 'k', 'v'] as const).map((name, i) => {
          const tokens = name === 'q' ? queries : keys;
          const dims = mha ? [batch, tokens, heads * headDim] : [batch, heads, tokens, headDim];
          const meta = session.inputMetadata[i];
          const declared = meta?.isTensor === true ? meta.shape.join(',') : '?';
          if (declared !== dims.join(',')) {
            throw new Error(
              `bench/models/${model}.onnx takes ${name} [${declared}], but ${MANIFEST_URL}'s first ${kind}-attention step needs [${dims.join(',')}]. ` +
                'Rerun .venv/bin/python bench/make_attention_models.py and commit bench/models/.',
            );
          }
          return [session.inputNames[i]!, ort.Tensor.fromGpuBuffer(buffers[name], { dataType: 'float32', dims })];
        }),
      );
      let last: Float32Array | null = null;
      const medianMs = await timeIt(async () => {
        const result = await session.run(feeds);
        await device.queue.onSubmittedWorkDone();
        for (const tensor of Object.values(result)) tensor.dispose();
      });
      if (!mha) {
        const result = await session.run(feeds);
        last = (await result[session.outputNames[0]!]!.getData(true)) as Float32Array;
      }
      rows.push({ shape, implementation: what, medianMs, maxDiff: last === null || reference === null ? null : maxDiff(last, reference) });
      await session.release();
    }
    buffers.destroy();
  }

  const info = device.adapterInfo;
  console.log(
    `\nattention on ${info.vendor || '?'} ${info.architecture || '?'} (${info.description || 'no description'}), ` +
      `subgroups ${device.features.has('subgroups') ? `${info.subgroupMinSize}-${info.subgroupMaxSize}` : 'absent'}; ` +
      `median of ${ITERATIONS} calls after ${WARMUP} warm-up, each recorded, submitted and awaited alone.\n` +
      `${table(rows)}\n`,
  );
  // The MatMul graph computes the same maths: a large difference means one of them is wrong.
  for (const row of rows) if (row.maxDiff !== null) expect(row.maxDiff).toBeLessThan(1e-4);
});
