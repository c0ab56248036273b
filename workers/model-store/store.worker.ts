// The model store's worker: the ModelStore interface (types.ts), exposed over
// comlink. The page connects with connectModelStore (client.ts).
import * as Comlink from 'comlink';
import { createModelStore } from './store';

Comlink.expose(createModelStore());
