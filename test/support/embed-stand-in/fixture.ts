// What the stand-in embed (stand-in.ts) answers with and how a test reads it:
// kept apart so a test imports these without running the stand-in.
import type { ReadyMessage } from '../../../src/embed/protocol';

export const STAND_IN_READY: Omit<ReadyMessage, 'type' | 'protocol'> = {
  model: { id: 'stand-in', name: 'Stand-in', version: '1', width: 64, height: 64, frames: 8, fps: 8 },
  policy: 'standard',
  maxSteps: 20,
  download: true,
  starterPrompts: ['a paper boat on a pond'],
  modelStored: true,
};

/** The bytes of every stand-in clip: the start of an MP4's ftyp box. */
export const STAND_IN_MP4 = [0, 0, 0, 16, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d];

export type StandIn = {
  /** Every message from the parent, as received (valid or not). */
  received: unknown[];
  /** Posts a message to the parent from this frame (to test what the element does with it). */
  send(message: unknown): void;
};
export type StandInWindow = Window & { lanternStandIn: StandIn };
