// The WebGPU plan executor's own input and staging buffers (issue 16): a
// step after the first makes no GPU buffer, gives the same v as handing
// x_in and t to ORT as CPU tensors, refuses a wrongly sized input by name,
// and refuses a second call while one runs (they share those buffers).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InferenceError } from '../workers/contracts/errors';
import { engineDeviceLimits } from '../workers/engine/backend';
import { createSession, type Session } from '../workers/engine/ort';
import { createPlanDenoiser, type PlanDenoiser } from '../workers/engine/plan-executor';
import { fetchManifest, fetchModelFiles } from '../workers/model-files/load';
import { fixtureFloats, fixtureIndex, gpuFloatTensor, MANIFEST_URL } from './support/engine-fixtures';

let device: GPUDevice;
let sessions: Session[] = [];
let denoisers: { own: PlanDenoiser; throughOrt: PlanDenoiser };
let buffersMade = 0;
let xIn: Float32Array;
let t: Float32Array;
let text: ReturnType<typeof gpuFloatTensor> | undefined;

beforeAll(async () => {
  const manifest = await fetchManifest(MANIFEST_URL);
  const adapter = await navigator.gpu.requestAdapter();
  if (adapter === null) throw new Error('this test needs WebGPU (headless Chromium gives SwiftShader with --enable-unsafe-webgpu)');
  device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('subgroups') ? ['subgroups'] : [],
    requiredLimits: engineDeviceLimits(adapter),
  });
  const createBuffer = device.createBuffer.bind(device);
  device.createBuffer = (descriptor: GPUBufferDescriptor) => {
    buffersMade++;
    return createBuffer(descriptor);
  };
  const graphs = [...new Set(manifest.denoiser.plan.flatMap((s) => (s.op === 'run' ? [s.graph] : [])))];
  const files = await fetchModelFiles(manifest, MANIFEST_URL, graphs);
  const byGraph = new Map<string, Session>();
  for (const graph of graphs) byGraph.set(graph, await createSession(graph, files.graphs.get(graph)!, { backend: 'webgpu', device }, { outputsOnGpu: true }));
  sessions = [...byGraph.values()];
  denoisers = {
    own: await createPlanDenoiser(manifest, device, byGraph),
    throughOrt: await createPlanDenoiser(manifest, device, byGraph, { ioThroughOrt: true }),
  };
  const index = await fixtureIndex();
  text = gpuFloatTensor(device, await fixtureFloats(index, 'text'), index.tensors['text']!.shape);
  for (const denoiser of Object.values(denoisers)) await denoiser.setText(text.tensor);
  xIn = await fixtureFloats(index, 'denoiser_x_in');
  t = await fixtureFloats(index, 'denoiser_t');
}, 600_000);

afterAll(async () => {
  for (const denoiser of Object.values(denoisers ?? {})) denoiser.destroy();
  for (const session of sessions) await session.release();
  text?.buffer.destroy();
  device?.destroy();
});

describe('plan executor inputs and output', () => {
  test('a step after the first makes no GPU buffer and gives the same v as inputs handed to ORT', async () => {
    await denoisers.own.run(xIn, t); // the first call: ORT sizes its pools
    const before = buffersMade;
    const v = await denoisers.own.run(xIn, t);
    expect(buffersMade - before).toBe(0);
    const reference = await denoisers.throughOrt.run(xIn, t);
    expect(v).toEqual(reference);
  }, 600_000);

  test('a wrongly sized x_in is an InferenceError that names it', async () => {
    const call = denoisers.own.run(xIn.subarray(1), t);
    await expect(call).rejects.toBeInstanceOf(InferenceError);
    await expect(call).rejects.toThrow(/x_in/);
  });

  test('a second call while one runs is refused, and the first still finishes', async () => {
    const first = denoisers.own.run(xIn, t);
    await expect(denoisers.own.run(xIn, t)).rejects.toThrow(/await each step/);
    const v = await first;
    expect(v.length).toBeGreaterThan(0);
    expect(v.every(Number.isFinite)).toBe(true);
  }, 600_000);
});
