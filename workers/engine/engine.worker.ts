// The engine's worker: the Generator interface, exposed over comlink. The
// main thread wraps it in src/engine-client.ts. Manifests and model files
// come from the model store (IndexedDB, workers/model-store/) for models added to
// it, else from the network.
import * as Comlink from 'comlink';
import { createStoreManifestSource, createStoreSource } from '../model-store/source';
import { createEngine } from './engine';

Comlink.expose(createEngine({ source: createStoreSource(), manifests: createStoreManifestSource() }));
