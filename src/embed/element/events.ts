// What <lantern-generator> tells its page: DOM events (bubbling, composed
// CustomEvents) whose details are typed here, and the named errors its
// generate() rejects with. The embed's own errors keep the embed's name
// (PolicyRefusalError, GenerationCanceledError, EmbedBusyError, ...).
import type { ClipMessage, EmbedPhase, ReadyMessage } from '../protocol';

/** lantern-ready: the model, the policy and the teacher's limits, as the embed reports them. */
export type LanternReadyDetail = Omit<ReadyMessage, 'type' | 'protocol'>;

/** lantern-progress: a run's phase and how far through it (0 to 1). */
export type LanternProgressDetail = { id: string; phase: EmbedPhase; fraction: number };

/** lantern-clip (and what generate() resolves with): the MP4, also as a Blob of its MIME type. */
export type LanternClipDetail = Omit<ClipMessage, 'type' | 'protocol'> & { blob: Blob };

/** lantern-error: id is the run's, or null for an error of no run (the model did not load, a bad attribute). */
export type LanternErrorDetail = { id: string | null; name: string; message: string };

/** generate()'s options; each left out comes from the element's attribute of that name (prompt, seed, steps). */
export type LanternGenerateOptions = { prompt?: string; seed?: number; steps?: number; guidance?: number };

export type LanternEventMap = {
  'lantern-ready': CustomEvent<LanternReadyDetail>;
  'lantern-progress': CustomEvent<LanternProgressDetail>;
  'lantern-clip': CustomEvent<LanternClipDetail>;
  'lantern-error': CustomEvent<LanternErrorDetail>;
};

/**
 * An error of the element itself, named for callers to branch on:
 * LanternRequestError (an option or attribute the embed would refuse),
 * GenerationCanceledError (canceled before it reached the embed),
 * LanternFrameGoneError (the frame was removed or reloaded before it answered).
 */
export class LanternGeneratorError extends Error {
  constructor(name: 'LanternRequestError' | 'GenerationCanceledError' | 'LanternFrameGoneError', message: string) {
    super(message);
    this.name = name;
  }
}

/** An error the embed reported (lantern:error), with the embed's name. */
export function embedError(detail: LanternErrorDetail): Error {
  const error = new Error(detail.message);
  error.name = detail.name;
  return error;
}
