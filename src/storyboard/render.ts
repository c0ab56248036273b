// Renders a storyboard into one continuous clip. Shot 1 is text-to-video (or
// image-to-video with its image); every later shot continues the clip so
// far (a continuation: its first latent frame is the last one of the clip),
// so the result is one MP4 with no jump between shots. A later shot with an
// image is a cut: it starts from that image and is appended.
//
// Cancel (the signal, or lantern.cancel()) keeps the finished shots: the
// result then holds them and says `canceled`. A shot that fails also keeps
// the ones before it and reports its error; nothing finished is thrown away.
import type { GenerateCallbacks, GenerateRequest, GenerateResult, ModelInfo, Progress, VideoCodecName } from '../../workers/contracts/generator';
import type { ContentCredentials, ProvenanceChoices } from '../../workers/contracts/provenance';
import { slugify } from '../../workers/engine/video/filename';
import { isCanceled } from '../engine-client';
import { fitImage } from '../media/fit-image';
import { encodeClip } from '../media/media-client';
import { parseShots, parseShotsJson, type Shot } from './shots';

export type StoryboardSettings = {
  /** Seed of shot 1; shot i without its own seed gets seed + i. Random when left out. */
  seed?: number;
  negativePrompt?: string;
  /** Every shot's sampler (GenerateRequest.sampler; default: the model's). */
  sampler?: GenerateRequest['sampler'];
  steps?: number;
  /** Every shot's schedule shift (GenerateRequest.shift; default: the model's). */
  shift?: number;
  guidance?: number;
  codec?: VideoCodecName;
  /** The provenance choices for every shot and the finished clip (default: the page's settings). */
  provenance?: Partial<ProvenanceChoices>;
};

export type ShotEvent = { shot: number; shots: number; status: 'running' | 'done'; seed: number };

export type StoryboardCallbacks = {
  onShot?: (event: ShotEvent) => void;
  /** The running shot's progress; `fraction` is over the whole storyboard. */
  onProgress?: (progress: Progress & { shot: number; shots: number }) => void;
  onPreview?: GenerateCallbacks['onPreview'];
  signal?: AbortSignal;
};

export type RenderedShot = { prompt: string; seed: number /** Index of its first frame in the clip. */; firstFrame: number; frames: number };

export type StoryboardResult = {
  /** The clip of every finished shot; null when no shot finished. */
  mp4: Uint8Array | null;
  mimeType: string;
  /** Whether the clip's C2PA manifest was written; null when no shot finished. */
  contentCredentials: ContentCredentials | null;
  fileName: string;
  frames: Uint8ClampedArray[];
  width: number;
  height: number;
  fps: number;
  codec: VideoCodecName;
  shots: RenderedShot[];
  completedShots: number;
  totalShots: number;
  canceled: boolean;
  /** The error that stopped the storyboard (not a cancel), with the shot it stopped at; null otherwise. */
  error: { shot: number; name: string; message: string } | null;
};

export type StoryboardEngine = {
  model: ModelInfo;
  /** The marks the finished clip carries, given the storyboard's own choices (each shot's generate gets them from the EngineClient). */
  provenance: (asked: Partial<ProvenanceChoices> | undefined) => ProvenanceChoices;
  /** The prompt policy on every shot, before the first renders (throws PolicyRefusalError). */
  checkShots?: (prompts: readonly string[]) => void;
  generate(request: GenerateRequest, callbacks?: GenerateCallbacks): Promise<GenerateResult>;
};

export async function renderStoryboard(
  engine: StoryboardEngine,
  storyboard: unknown,
  settings: StoryboardSettings = {},
  callbacks: StoryboardCallbacks = {},
): Promise<StoryboardResult> {
  // A string is shots.json text (the CLI's file); anything else is the parsed array.
  const shots: Shot[] = typeof storyboard === 'string' ? parseShotsJson(storyboard) : parseShots(storyboard);
  const { model } = engine;
  engine.checkShots?.(shots.map((shot) => shot.prompt));
  const size = { width: model.width, height: model.height };
  const baseSeed = settings.seed ?? crypto.getRandomValues(new Uint32Array(1))[0]!;
  const codec = settings.codec ?? 'avc';
  let frames: Uint8ClampedArray[] = [];
  let last: GenerateResult | null = null;
  const done: RenderedShot[] = [];
  let canceled = false;
  let error: StoryboardResult['error'] = null;

  for (let i = 0; i < shots.length; i++) {
    if (callbacks.signal?.aborted === true) {
      canceled = true;
      break;
    }
    const shot = shots[i]!;
    const seed = shot.seed ?? (baseSeed + i) % 2 ** 32;
    callbacks.onShot?.({ shot: i, shots: shots.length, status: 'running', seed });
    try {
      const image = shot.image === undefined ? null : shot.image instanceof Blob ? await fitImage(shot.image, size) : shot.image;
      const conditioning: GenerateRequest['conditioning'] =
        image !== null ? { kind: 'image', frames: [image] } : frames.length > 0 ? { kind: 'continuation', frames } : undefined;
      const result = await engine.generate(
        {
          prompt: shot.prompt,
          seed,
          codec,
          ...(settings.negativePrompt === undefined ? {} : { negativePrompt: settings.negativePrompt }),
          ...(settings.sampler === undefined ? {} : { sampler: settings.sampler }),
          ...(settings.steps === undefined ? {} : { steps: settings.steps }),
          ...(settings.shift === undefined ? {} : { shift: settings.shift }),
          ...(settings.guidance === undefined ? {} : { guidance: settings.guidance }),
          ...(conditioning === undefined ? {} : { conditioning }),
          ...(settings.provenance === undefined ? {} : { provenance: settings.provenance }),
        },
        {
          onProgress: (p) => callbacks.onProgress?.({ ...p, fraction: (i + p.fraction) / shots.length, shot: i, shots: shots.length }),
          ...(callbacks.onPreview === undefined ? {} : { onPreview: callbacks.onPreview }),
        },
      );
      const firstFrame = conditioning?.kind === 'continuation' ? result.givenFrames : frames.length;
      frames = conditioning?.kind === 'continuation' ? result.frames : [...frames, ...result.frames];
      last = result;
      done.push({ prompt: shot.prompt, seed, firstFrame, frames: frames.length - firstFrame });
      callbacks.onShot?.({ shot: i, shots: shots.length, status: 'done', seed });
    } catch (e) {
      if (isCanceled(e)) {
        canceled = true;
      } else {
        const err = e instanceof Error ? e : new Error(String(e));
        error = { shot: i, name: err.name, message: err.message };
      }
      break;
    }
  }

  const fileName = `lantern-storyboard-${slugify(shots[0]!.prompt, 32) || 'clip'}-${done.length}shots.mp4`;
  const base = { fileName, frames, ...size, fps: model.fps, codec, shots: done, completedShots: done.length, totalShots: shots.length, canceled, error };
  if (last === null) return { ...base, mp4: null, mimeType: 'video/mp4', contentCredentials: null };
  // Every shot continued the one before: the last result's MP4 already holds them all. After a cut, write it here.
  if (last.frames.length === frames.length) return { ...base, mp4: last.mp4, mimeType: last.mimeType, contentCredentials: last.contentCredentials };
  const marks = engine.provenance(settings.provenance);
  const clip = await encodeClip(frames, {
    ...size,
    fps: model.fps,
    codec,
    encodableCodecs: model.codecs,
    provenance: {
      model: { id: model.id, version: model.version },
      visibleMark: marks.visibleMark,
      ...(marks.includeRecipe ? { recipe: { prompt: done.map((s) => s.prompt).join(' / '), seed: done[0]!.seed } } : {}),
    },
  });
  return { ...base, mp4: clip.mp4, mimeType: clip.mimeType, contentCredentials: clip.contentCredentials };
}
