// A loaded model on one backend: the sessions, the denoiser and, on WebGPU,
// the device they share. Which graphs a backend needs is data from the
// manifest (workers/model-files/backend-graphs.ts, shared with the model store).
import type { BackendInfo } from '../contracts/generator';
import { DECODER, graphsFor, TEXT_ENCODER } from '../model-files/backend-graphs';
import type { ModelFiles } from '../model-files/load';
import { type Manifest, ManifestError } from '../model-files/manifest';
import { ENCODER } from '../model-files/manifest-conditioning';
import type { BackendSelection } from './backend';
import { createWholeGraphDenoiser, type Denoiser } from './denoiser';
import { foldsWeights } from './fold-weights';
import { createSession, releaseAll, type Session, type SessionTarget } from './ort';
import { createPlanDenoiser, type PlanDenoiser } from './plan-executor';

// The engine's modules and tests import these from here.
export { DECODER, graphsFor, TEXT_ENCODER };

export type Runtime = {
  readonly info: BackendInfo;
  readonly device: GPUDevice | null;
  readonly textEncoder: Session;
  readonly decoder: Session;
  /** The video encoder, for conditioning frames; null where the manifest has no conditioning block. */
  readonly encoder: Session | null;
  readonly denoiser: Denoiser;
  /** Set when the GPU device was lost (not by release()); the runtime is unusable from then on. */
  lost(): GPUDeviceLostInfo | null;
  release(): Promise<void>;
};

/** The text encoder and decoder must exist with the tensors the pipeline feeds and reads. */
export function checkPipelineGraphs(manifest: Manifest): void {
  const expect = (graph: string, inputs: readonly string[], outputs: readonly string[]) => {
    const g = manifest.graphs[graph];
    if (g === undefined)
      throw new ManifestError(`graphs.${graph}`, `is missing; the engine needs it (inputs [${inputs.join(', ')}], outputs [${outputs.join(', ')}]).`);
    if (g.inputs.join(',') !== inputs.join(',') || g.outputs.join(',') !== outputs.join(',')) {
      throw new ManifestError(
        `graphs.${graph}`,
        `has inputs [${g.inputs.join(', ')}] and outputs [${g.outputs.join(', ')}]; the engine needs [${inputs.join(', ')}] and [${outputs.join(', ')}].`,
      );
    }
  };
  expect(TEXT_ENCODER.graph, TEXT_ENCODER.inputs, [TEXT_ENCODER.output]);
  expect(DECODER.graph, [DECODER.input], [DECODER.output]);
}

/**
 * Creates every session of `selection`'s backend, one at a time (ORT
 * session creation is not safe to overlap on one device).
 */
export async function createRuntime(manifest: Manifest, files: ModelFiles, selection: BackendSelection, checkCanceled: () => Promise<void>): Promise<Runtime> {
  const target: SessionTarget = selection.device === null ? { backend: 'wasm' } : { backend: 'webgpu', device: selection.device };
  const sessions = new Map<string, Session>();
  let planDenoiser: PlanDenoiser | null = null;
  let released = false;
  let lostInfo: GPUDeviceLostInfo | null = null;
  void selection.device?.lost.then((info) => {
    if (!released) lostInfo = info;
  });

  const release = async (): Promise<void> => {
    released = true;
    planDenoiser?.destroy();
    await releaseAll(sessions.values());
    selection.device?.destroy();
  };

  try {
    const foldWeights = foldsWeights(manifest, files, selection.info.backend);
    for (const graph of graphsFor(manifest, selection.info.backend)) {
      await checkCanceled();
      const bytes = files.graphs.get(graph);
      if (bytes === undefined) throw new ManifestError(`graphs.${graph}`, 'was not downloaded.');
      // Stage outputs and the text embedding feed GPU work; the decoder's video and the encoder's latent are read on the CPU.
      const outputsOnGpu = graph !== DECODER.graph && graph !== ENCODER.graph;
      const externalData = files.externalData.get(graph);
      sessions.set(graph, await createSession(graph, bytes, target, { outputsOnGpu, foldWeights, ...(externalData === undefined ? {} : { externalData }) }));
    }
    await checkCanceled();
    let denoiser: Denoiser;
    if (selection.device === null) {
      denoiser = createWholeGraphDenoiser(manifest, sessions.get(manifest.denoiser.wholeGraph)!);
    } else {
      planDenoiser = await createPlanDenoiser(manifest, selection.device, sessions);
      denoiser = planDenoiser;
    }
    return {
      info: selection.info,
      device: selection.device,
      textEncoder: sessions.get(TEXT_ENCODER.graph)!,
      decoder: sessions.get(DECODER.graph)!,
      encoder: sessions.get(ENCODER.graph) ?? null,
      denoiser,
      lost: () => lostInfo,
      release,
    };
  } catch (error) {
    await release();
    throw error;
  }
}
