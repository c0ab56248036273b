// The embedded generator's state and its one run at a time. The embed's own
// form and the parent page's messages (bridge.ts) both start runs here, so a
// run from either shows in the frame; each run reports to whoever asked
// through its RunListener. A second run while one is going is refused with
// EmbedBusyError, not queued: the parent cannot see a queue.
import { createStore } from 'solid-js/store';
import { type GenerateResult, MAX_STEPS, type ModelInfo, type Preview, type Progress } from '../../workers/contracts/generator';
import type { EmbedSettings } from '../deployment/config';
import type { EngineClient } from '../engine-client';
import { isCanceled } from '../engine-client';
import { randomSeed } from '../state/generate-state';

/** A generate message asked for more steps than the deployer allows, or a run is already going. */
export class EmbedRequestError extends Error {
  constructor(name: 'EmbedBusyError' | 'EmbedStepLimitError', message: string) {
    super(message);
    this.name = name;
  }
}

export type RunInput = { prompt: string; seed?: number; steps?: number; guidance?: number };

export type RunListener = {
  progress?: (progress: Progress) => void;
  clip?: (result: GenerateResult) => void;
  error?: (error: { name: string; message: string }) => void;
};

export type EmbedClip = { url: string; fileName: string; seed: number; prompt: string };

export type EmbedState = {
  model: ModelInfo | null;
  loadError: { name: string; message: string } | null;
  /** The run going now, by the id its requester gave it. */
  running: { id: string; prompt: string } | null;
  progress: Progress | null;
  preview: Preview | null;
  clip: EmbedClip | null;
  error: { name: string; message: string } | null;
  /** The prompt box's text (the parent may set it: lantern:configure). */
  prompt: string;
  autoplay: boolean;
  controls: boolean;
  /** Whether Download shows: the deployer's embed.download, and the parent's choice within it. */
  download: boolean;
};

export type EmbedSession = ReturnType<typeof createEmbedSession>;

export function createEmbedSession(client: EngineClient, settings: EmbedSettings) {
  const [state, setState] = createStore<EmbedState>({
    model: null,
    loadError: null,
    running: null,
    progress: null,
    preview: null,
    clip: null,
    error: null,
    prompt: '',
    autoplay: true,
    controls: true,
    download: settings.download,
  });

  const maxSteps = (): number => settings.maxSteps ?? MAX_STEPS;

  const showClip = (result: GenerateResult, prompt: string): void => {
    if (state.clip !== null) URL.revokeObjectURL(state.clip.url);
    const url = URL.createObjectURL(new Blob([result.mp4.slice()], { type: result.mimeType }));
    setState({ clip: { url, fileName: result.fileName, seed: result.seed, prompt }, preview: null });
  };

  return {
    state,
    maxSteps,
    setModel: (model: ModelInfo): void => void setState({ model, loadError: null }),
    setLoadError: (error: { name: string; message: string }): void => void setState('loadError', { name: error.name, message: error.message }),
    setPrompt: (prompt: string): void => void setState('prompt', prompt),
    configure: (changes: { prompt?: string; autoplay?: boolean; controls?: boolean; download?: boolean }): void => {
      if (changes.prompt !== undefined) setState('prompt', changes.prompt);
      if (changes.autoplay !== undefined) setState('autoplay', changes.autoplay);
      if (changes.controls !== undefined) setState('controls', changes.controls);
      // The parent may hide the download; it cannot offer one the deployer turned off.
      if (changes.download !== undefined) setState('download', changes.download && settings.download);
    },

    /** One run; rejects (and tells the listener) with a named error. */
    generate: async (id: string, input: RunInput, listener: RunListener = {}): Promise<GenerateResult> => {
      const refuse = (error: EmbedRequestError): never => {
        listener.error?.(error);
        throw error;
      };
      if (state.running !== null) {
        refuse(
          new EmbedRequestError(
            'EmbedBusyError',
            `A clip is being made (request ${JSON.stringify(state.running.id)}); wait for it or cancel it, then ask again.`,
          ),
        );
      }
      if (input.steps !== undefined && input.steps > maxSteps()) {
        refuse(
          new EmbedRequestError('EmbedStepLimitError', `${input.steps} steps is more than this embed allows (${maxSteps()}); ask for ${maxSteps()} or fewer.`),
        );
      }
      setState({ running: { id, prompt: input.prompt }, progress: null, preview: null, error: null });
      try {
        const result = await client.generate(
          {
            prompt: input.prompt,
            seed: input.seed ?? randomSeed(),
            ...(input.steps === undefined ? {} : { steps: input.steps }),
            ...(input.guidance === undefined ? {} : { guidance: input.guidance }),
            previewEvery: 1,
          },
          {
            onProgress: (progress) => {
              setState('progress', progress);
              listener.progress?.(progress);
            },
            onPreview: (preview) => setState('preview', preview),
          },
        );
        showClip(result, input.prompt);
        listener.clip?.(result);
        return result;
      } catch (error) {
        const e = error instanceof Error ? error : new Error(String(error));
        const shown = { name: e.name, message: e.message };
        if (!isCanceled(error)) setState('error', shown);
        listener.error?.(shown);
        throw error;
      } finally {
        setState({ running: null, progress: null });
      }
    },

    /** Cancels the run with this id (any run when none is given); false when it is not the one running. */
    cancel: (id?: string): boolean => {
      if (state.running === null || (id !== undefined && state.running.id !== id)) return false;
      void client.cancel();
      return true;
    },
  };
}
