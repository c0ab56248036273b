// The engine's worker: the Generator interface, exposed over comlink. The
// main thread wraps it in src/engine-client.ts.
import * as Comlink from 'comlink';
import { createEngine } from './engine/engine';

Comlink.expose(createEngine());
