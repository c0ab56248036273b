// The engine's pipeline pieces on both backends against the training code's
// fixtures (test/fixtures/lantern-tiny, training/lantern/fixtures.py): the
// text encoder, the first denoiser call of the guided sampler, the 3-step
// trajectory with its x0 estimates, and the decoded frames. WASM runs the
// whole denoiser graph; WebGPU runs the manifest's plan (ORT WebGPU stages
// plus our WGSL attention on one device, on SwiftShader here).
//
// Tolerances (max abs error). The fixture's own (index.json) are the
// ceiling the training code promises. The WASM EP computes the same float32
// graph as PyTorch's CPU kernels in another summation order: measured 2-3e-6
// on v and 1.4e-5 on the trajectory (dim-192 and dim-256 exports), so it is
// held to a tenth of the fixture's bounds, still 7x or more above what we
// see. WebGPU differs more (1.1-2.8e-4 on v: ORT's WebGPU matmuls and our
// kernel's online softmax sum in other orders, and every block compounds
// it), so it gets the fixture's bounds: 3.5x above what we see on v and 1.7x
// on the trajectory (1.1e-3) and x0 (2.7e-3) of the 5,708-step model, whose
// guided velocity (guidance 4) multiplies v's error by up to 9.
import { afterAll, describe, expect, test } from 'vitest';
import type { Backend } from '../workers/contracts/generator';
import type { Denoiser } from '../workers/engine/denoiser';
import { decodeLatent, encodeText, sampleLatent } from '../workers/engine/generate';
import { floatTensor, readFloats } from '../workers/engine/ort';
import { gaussianNoise } from '../workers/engine/sampling/noise';
import { latentSize } from '../workers/model-files/manifest';
import { type FixtureIndex, fixtureFloats, fixtureIndex, fixtureTensor, loadRuntime, maxAbsDiff, type TestRuntime } from './support/engine-fixtures';

type Measured = Record<'text' | 'denoiser_v' | 'trajectory' | 'x0' | 'frames', number>;
const measured: Partial<Record<Backend, Partial<Measured>>> = {};
const firstV: Partial<Record<Backend, Float32Array>> = {};

/** Per-backend bounds as fractions of the fixture's tolerances (see the header). */
const SCALE: Record<Backend, Measured> = {
  wasm: { text: 0.1, denoiser_v: 0.1, trajectory: 0.1, x0: 0.1, frames: 0.1 },
  webgpu: { text: 0.1, denoiser_v: 1, trajectory: 1, x0: 1, frames: 1 },
};

function bound(index: FixtureIndex, backend: Backend, key: keyof Measured): number {
  return index.tolerances[key] * SCALE[backend][key];
}

/** Records the first call's input and output while passing calls through. */
function recording(denoiser: Denoiser): { denoiser: Denoiser; first: { xIn: Float32Array; t: Float32Array; v: Float32Array } | null } {
  const box: { denoiser: Denoiser; first: { xIn: Float32Array; t: Float32Array; v: Float32Array } | null } = {
    first: null,
    denoiser: {
      setText: (text) => denoiser.setText(text),
      clearText: () => denoiser.clearText(),
      async run(xIn, t) {
        const v = await denoiser.run(xIn, t);
        box.first ??= { xIn: xIn.slice(), t: t.slice(), v: v.slice() };
        return v;
      },
    },
  };
  return box;
}

afterAll(() => {
  console.log(`measured max abs error vs fixtures: ${JSON.stringify(measured)}`);
});

// A WebGPU step on SwiftShader takes 20-60 s on this 2-core machine depending on what else runs.
const TIMEOUT = { wasm: 120_000, webgpu: 600_000 } as const;

describe.each(['wasm', 'webgpu'] as const)('%s backend matches the training code', (backend) => {
  let index: FixtureIndex;
  let model: TestRuntime;

  test('loads, and the text encoder matches', { timeout: TIMEOUT[backend] }, async () => {
    index = await fixtureIndex();
    model = await loadRuntime(backend);
    expect(model.runtime.info.backend).toBe(backend);
    expect(model.manifest.id).toBe(index.model);
    const ids = await fixtureTensor(index, 'ids');
    const encoded = await encodeText(model.manifest, model.runtime, model.tokenizer, index.prompt, index.negative);
    const text = await readFloats('text_encoder', 'text', encoded.text, index.tensors['text']!.shape);
    encoded.text.dispose();
    const err = maxAbsDiff(text, await fixtureFloats(index, 'text'));
    measured[backend] = { ...measured[backend], text: err };
    expect(ids.shape).toEqual([2, model.tokenizer.maxTokens]);
    expect(err).toBeLessThanOrEqual(bound(index, backend, 'text'));
  });

  test('guided sampler: first denoiser call, trajectory and x0 estimates', { timeout: TIMEOUT[backend] }, async () => {
    const { manifest, runtime } = model;
    const noise = await fixtureFloats(index, 'noise');
    expect(maxAbsDiff(gaussianNoise(index.seed, latentSize(manifest).elements), noise)).toBeLessThan(1e-6);
    const trajectory = await fixtureFloats(index, 'trajectory');
    const x0s = await fixtureFloats(index, 'x0_estimates');
    const size = latentSize(manifest).elements;
    const steps: { x: Float32Array; x0: Float32Array }[] = [];
    const rec = recording(runtime.denoiser);
    // The fixture's text, so the denoiser is checked on its own inputs.
    await rec.denoiser.setText(floatTensor(await fixtureFloats(index, 'text'), index.tensors['text']!.shape));
    try {
      await sampleLatent(rec.denoiser, manifest, noise, index, ({ x, x0 }) => {
        steps.push({ x: x.slice(), x0: x0.slice() });
      });
    } finally {
      rec.denoiser.clearText();
    }
    expect(steps).toHaveLength(index.steps);
    const first = rec.first!;
    expect(maxAbsDiff(first.xIn, await fixtureFloats(index, 'denoiser_x_in'))).toBe(0);
    expect(maxAbsDiff(first.t, await fixtureFloats(index, 'denoiser_t'))).toBe(0);
    firstV[backend] = first.v;
    measured[backend] ??= {};
    const m = measured[backend];
    m.denoiser_v = maxAbsDiff(first.v, await fixtureFloats(index, 'denoiser_v'));
    m.trajectory = Math.max(...steps.map((s, i) => maxAbsDiff(s.x, trajectory.subarray(i * size, (i + 1) * size))));
    m.x0 = Math.max(...steps.map((s, i) => maxAbsDiff(s.x0, x0s.subarray(i * size, (i + 1) * size))));
    expect(m.denoiser_v).toBeLessThanOrEqual(bound(index, backend, 'denoiser_v'));
    expect(m.trajectory).toBeLessThanOrEqual(bound(index, backend, 'trajectory'));
    expect(m.x0).toBeLessThanOrEqual(bound(index, backend, 'x0'));
  });

  test('the decoder matches on the final latent', { timeout: TIMEOUT[backend] }, async () => {
    const { manifest, runtime } = model;
    const size = latentSize(manifest).elements;
    const trajectory = await fixtureFloats(index, 'trajectory');
    const latent = trajectory.slice((index.steps - 1) * size, index.steps * size);
    const video = await decodeLatent(manifest, runtime, latent);
    const err = maxAbsDiff(video, await fixtureFloats(index, 'frames'));
    measured[backend] = { ...measured[backend], frames: err };
    expect(err).toBeLessThanOrEqual(bound(index, backend, 'frames'));
    await runtime.release();
  });
});

test('WebGPU and WASM agree on the first denoiser call', () => {
  const wasm = firstV.wasm;
  const webgpu = firstV.webgpu;
  if (wasm === undefined || webgpu === undefined) throw new Error('both backends must have run the sampler test first');
  const err = maxAbsDiff(wasm, webgpu);
  console.log(`first denoiser call, WebGPU vs WASM: max abs ${err.toExponential(2)}`);
  expect(err).toBeLessThanOrEqual(1e-3);
});
