// `window.lantern`: the generator the UI uses, for scripts, embedding pages
// and the CLI (scripts/generate.mjs). Documented in README.md, "Scripting and
// embedding". Calls share the UI's queue, so the page shows their progress.
import type {
  BackendInfo,
  GenerateCallbacks,
  GenerateRequest,
  GenerateResult,
  Generator,
  LoadRequest,
  ModelInfo,
  Progress,
} from '../workers/contracts/generator';
import type { EngineClient } from './engine-client';

export type LanternApi = Generator & {
  /** Resolves with the built-in model once the page's first load finishes; rejects with that load's error. */
  readonly ready: Promise<ModelInfo>;
  /** URL of the manifest the page loads (`/models/lantern-tiny.json`). */
  readonly manifestUrl: string;
};

declare global {
  interface Window {
    lantern?: LanternApi;
  }
}

export function installLanternGlobal(client: EngineClient, ready: Promise<ModelInfo>, manifestUrl: string): LanternApi {
  // A rejected `ready` nobody awaited must not show up as an unhandled rejection; the UI shows the error.
  ready.catch(() => undefined);
  const api: LanternApi = Object.freeze({
    ready,
    manifestUrl,
    load: (request: LoadRequest, onProgress?: (p: Progress) => void): Promise<ModelInfo> => client.load(request, onProgress),
    generate: (request: GenerateRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult> => client.generate(request, callbacks),
    cancel: (): Promise<void> => client.cancel(),
    backend: (): Promise<BackendInfo | null> => client.backend(),
  });
  window.lantern = api;
  return api;
}
