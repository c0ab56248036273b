// The model store's worker: the ModelStore interface (workers/contracts/model-store.ts), exposed over
// comlink. The page connects with connectModelStore (src/model-store-client.ts).
import * as Comlink from 'comlink';
import { createModelStore } from './store';

Comlink.expose(createModelStore());
