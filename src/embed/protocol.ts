// The embed's message protocol (version 1), between a parent page on another
// origin and embed.html in an iframe. Documented in README.md, "Embedding in
// another site". This module is types, constants and validation only, so
// the <lantern-generator> element (embed.js) can import it and stay small.
//
// Parent to embed:  lantern:generate, lantern:cancel, lantern:configure
// Embed to parent:  lantern:ready, lantern:progress, lantern:clip, lantern:error
//
// Every message the embed sends carries `protocol: 1`. A parent message may
// carry it too; one that names another version is dropped. The embed drops
// (and logs) every message that is not exactly one of the shapes below; it
// never throws on one.

export const EMBED_PROTOCOL_VERSION = 1;

/** Progress phases, as the engine names them (workers/contracts/generator.ts, Phase). */
export type EmbedPhase = 'load' | 'encodeText' | 'encodeFrames' | 'denoise' | 'decode' | 'encode';

export type GenerateMessage = {
  type: 'lantern:generate';
  /** The parent's name for this request (1 to 64 characters); every answer about it carries it. */
  id: string;
  prompt: string;
  /** 0 to 2^32 - 1; a random seed when left out. */
  seed?: number;
  /** Denoising steps (an integer from 1 to the embed's step limit). */
  steps?: number;
  /** Classifier-free guidance scale (0 to 30). */
  guidance?: number;
  protocol?: 1;
};

export type CancelMessage = { type: 'lantern:cancel'; id: string; protocol?: 1 };

/**
 * Settings the parent may change. None can lower the deployer's: `policy`
 * can only be 'strict' (a request to lift strict mode does not exist), and
 * `download: true` cannot offer a download the deployer turned off.
 */
export type ConfigureMessage = {
  type: 'lantern:configure';
  policy?: 'strict';
  /** Show the Download button (only where the deployer allows downloads). */
  download?: boolean;
  /** The text in the prompt box. */
  prompt?: string;
  /** Play the clip as soon as it is made. */
  autoplay?: boolean;
  /** Show the player's controls. */
  controls?: boolean;
  protocol?: 1;
};

export type ParentMessage = GenerateMessage | CancelMessage | ConfigureMessage;

export type EmbedModel = { id: string; name: string; version: string; width: number; height: number; frames: number; fps: number };

export type ReadyMessage = {
  type: 'lantern:ready';
  protocol: 1;
  model: EmbedModel;
  policy: 'standard' | 'strict';
  /** The step limit a generate message may ask for. */
  maxSteps: number;
  /** Whether the embed offers a download. */
  download: boolean;
  /** The teacher's starter prompts (lantern.config.json, embed.starterPrompts). */
  starterPrompts: string[];
  /**
   * Whether this browser keeps the model for the embed on this site. False where it blocks storage for
   * sites inside other sites (private windows, third-party cookies blocked): each visit downloads the
   * model again and the embed does not work offline.
   */
  modelStored: boolean;
};

export type ProgressMessage = { type: 'lantern:progress'; protocol: 1; id: string; phase: EmbedPhase; fraction: number };

export type ClipMessage = {
  type: 'lantern:clip';
  protocol: 1;
  id: string;
  seed: number;
  /** The MP4 file (transferred, not copied). */
  mp4: ArrayBuffer;
  mimeType: string;
  fileName: string;
  width: number;
  height: number;
  fps: number;
  frames: number;
};

export type ErrorMessage = {
  type: 'lantern:error';
  protocol: 1;
  /** The request it is about; null for an error of no request (the model failed to load). */
  id: string | null;
  /** A named error (PolicyRefusalError, GenerationCanceledError, EmbedBusyError, ...). */
  name: string;
  message: string;
};

export type EmbedMessage = ReadyMessage | ProgressMessage | ClipMessage | ErrorMessage;

export const PARENT_MESSAGE_TYPES = ['lantern:generate', 'lantern:cancel', 'lantern:configure'] as const;
export const EMBED_MESSAGE_TYPES = ['lantern:ready', 'lantern:progress', 'lantern:clip', 'lantern:error'] as const;

const MAX_ID = 64;
const MAX_PROMPT = 2000;
const MAX_SEED = 2 ** 32 - 1;

const FIELDS: Record<ParentMessage['type'], readonly string[]> = {
  'lantern:generate': ['type', 'id', 'prompt', 'seed', 'steps', 'guidance', 'protocol'],
  'lantern:cancel': ['type', 'id', 'protocol'],
  'lantern:configure': ['type', 'policy', 'download', 'prompt', 'autoplay', 'controls', 'protocol'],
};

/** A parent message, or what is wrong with it (for the log). Never throws, whatever `data` is. */
export function parseParentMessage(data: unknown): { message: ParentMessage } | { problem: string } {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { problem: `not an object (${describe(data)})` };
  const record = data as Record<string, unknown>;
  let type: unknown;
  try {
    type = record['type'];
  } catch {
    return { problem: 'its fields cannot be read' };
  }
  if (!(PARENT_MESSAGE_TYPES as readonly unknown[]).includes(type)) return { problem: `unknown type ${describe(type)}` };
  const kind = type as ParentMessage['type'];
  const extra = Object.keys(record).find((key) => !FIELDS[kind].includes(key));
  if (extra !== undefined) return { problem: `${kind} has an unknown field ${describe(extra)}` };
  if (record['protocol'] !== undefined && record['protocol'] !== EMBED_PROTOCOL_VERSION) {
    return { problem: `protocol ${describe(record['protocol'])} is not supported (this embed speaks ${EMBED_PROTOCOL_VERSION})` };
  }
  if (kind === 'lantern:configure') return configure(record);
  const id = record['id'];
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID) return { problem: `${kind}: id must be a string of 1 to ${MAX_ID} characters` };
  if (kind === 'lantern:cancel') return { message: { type: kind, id } };
  const prompt = record['prompt'];
  if (typeof prompt !== 'string' || prompt.trim() === '' || prompt.length > MAX_PROMPT) {
    return { problem: `lantern:generate: prompt must be a non-empty string of at most ${MAX_PROMPT} characters` };
  }
  const message: GenerateMessage = { type: kind, id, prompt };
  const { seed, steps, guidance } = record;
  if (seed !== undefined) {
    if (!Number.isInteger(seed) || (seed as number) < 0 || (seed as number) > MAX_SEED)
      return { problem: `lantern:generate: seed must be an integer from 0 to ${MAX_SEED}` };
    message.seed = seed as number;
  }
  if (steps !== undefined) {
    if (!Number.isInteger(steps) || (steps as number) < 1) return { problem: 'lantern:generate: steps must be a positive integer' };
    message.steps = steps as number;
  }
  if (guidance !== undefined) {
    if (typeof guidance !== 'number' || !Number.isFinite(guidance) || guidance < 0 || guidance > 30)
      return { problem: 'lantern:generate: guidance must be a number from 0 to 30' };
    message.guidance = guidance;
  }
  return { message };
}

function configure(record: Record<string, unknown>): { message: ConfigureMessage } | { problem: string } {
  const message: ConfigureMessage = { type: 'lantern:configure' };
  if (record['policy'] !== undefined) {
    if (record['policy'] !== 'strict')
      return { problem: `lantern:configure: policy can only be "strict" (a page cannot lift strict mode), not ${describe(record['policy'])}` };
    message.policy = 'strict';
  }
  for (const key of ['download', 'autoplay', 'controls'] as const) {
    const value = record[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') return { problem: `lantern:configure: ${key} must be true or false` };
    message[key] = value;
  }
  if (record['prompt'] !== undefined) {
    const prompt = record['prompt'];
    if (typeof prompt !== 'string' || prompt.length > MAX_PROMPT)
      return { problem: `lantern:configure: prompt must be a string of at most ${MAX_PROMPT} characters` };
    message.prompt = prompt;
  }
  return { message };
}

/** An embed message, for the parent side (the element): the message, or null for anything else. */
export function isEmbedMessage(data: unknown): data is EmbedMessage {
  if (typeof data !== 'object' || data === null) return false;
  const record = data as { type?: unknown; protocol?: unknown };
  return (EMBED_MESSAGE_TYPES as readonly unknown[]).includes(record.type) && record.protocol === EMBED_PROTOCOL_VERSION;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
