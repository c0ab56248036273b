// Marks a clip as AI-made, in the three places issue 14 asks for: in the
// pixels (the visible badge, the invisible watermark) before encoding, and in
// the file (XMP, then C2PA over the whole file) after muxing. The encoder
// (workers/engine/video/encode.ts) calls both.
import type { ClipProvenance } from '../contracts/provenance';
import { drawVisibleMark } from './visible-mark';
import { embedWatermarkInPlace, lanternPayload, MIN_SIDE } from './watermark';
import { appendXmp, TRAINED_ALGORITHMIC_MEDIA, xmpPacket } from './xmp';

export const GENERATOR = { name: 'Lantern', version: __LANTERN_VERSION__ } as const;

/**
 * Copies of the frames with the marks in: the visible badge (when chosen),
 * then the invisible watermark over the whole frame, carrying the Lantern
 * marker and the model's tag. The caller's frames (kept for extend and
 * edit) stay clean. A frame under MIN_SIDE px cannot hold the watermark's
 * tile: it is left out, and the console says so.
 */
export function markFrames(
  frames: readonly (Uint8Array | Uint8ClampedArray)[],
  width: number,
  height: number,
  provenance: ClipProvenance,
): Uint8ClampedArray[] {
  const marked = frames.map((frame) => new Uint8ClampedArray(frame));
  if (provenance.visibleMark) for (const frame of marked) drawVisibleMark(frame, width, height);
  if (Math.min(width, height) >= MIN_SIDE) {
    embedWatermarkInPlace(marked, width, height, lanternPayload(provenance.model.id));
  } else {
    console.warn(
      `Lantern: a ${width}x${height} clip is too small for the invisible watermark (it needs ${MIN_SIDE} px a side); its file labels still say it is AI-made.`,
    );
  }
  return marked;
}

/** The MP4 with its XMP packet appended. `createdAt` is an ISO 8601 time. */
export function stampFile(mp4: Uint8Array, provenance: ClipProvenance, createdAt: string): Uint8Array {
  const { recipe } = provenance;
  const packet = xmpPacket({
    digitalSourceType: TRAINED_ALGORITHMIC_MEDIA,
    creatorTool: `${GENERATOR.name} ${GENERATOR.version}`,
    createDate: createdAt,
    aiSystem: provenance.model.id,
    aiSystemVersion: provenance.model.version,
    ...(recipe === undefined
      ? {}
      : {
          prompt: recipe.prompt,
          ...(recipe.negativePrompt === undefined || recipe.negativePrompt === '' ? {} : { negativePrompt: recipe.negativePrompt }),
          ...(recipe.seed === undefined ? {} : { seed: recipe.seed }),
        }),
  });
  return appendXmp(mp4, packet);
}
