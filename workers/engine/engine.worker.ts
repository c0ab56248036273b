// The engine's worker: the Generator interface, exposed over comlink. The
// main thread wraps it in src/engine-client.ts. Manifests and model files
// come from the model store (IndexedDB, workers/model-store/) for models added to
// it, else from the network. A result's MP4 and frames are transferred, not
// copied: an extended clip of 120 s holds 960 frames (60 MiB), and a copy
// per extend would pile up faster than the page's garbage collector frees it.
import * as Comlink from 'comlink';
import type { GenerateResult, Generator } from '../contracts/generator';
import { createStoreManifestSource, createStoreSource } from '../model-store/source';
import { createEngine } from './engine';

/** The distinct buffers behind a result (a continuation's given frames may share one). */
function buffers(result: GenerateResult): ArrayBuffer[] {
  return [...new Set([result.mp4.buffer, ...result.frames.map((f) => f.buffer)])].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

const engine = createEngine({ source: createStoreSource(), manifests: createStoreManifestSource() });
const exposed: Generator = {
  ...engine,
  generate: async (request, callbacks) => {
    const result = await engine.generate(request, callbacks);
    return Comlink.transfer(result, buffers(result));
  },
};
Comlink.expose(exposed);
