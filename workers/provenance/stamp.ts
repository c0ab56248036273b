// Marks a clip as AI-made, in the three places issue 14 asks for: in the
// pixels (the visible badge, the invisible watermark) before encoding, and in
// the file (XMP, then C2PA over the whole file) after muxing. The encoder
// (workers/engine/video/encode.ts) calls both.
import type { ClipProvenance, ContentCredentials } from '../contracts/provenance';
import type { C2paClaim } from './c2pa/manifest';
import { drawVisibleMark } from './visible-mark';
import { embedWatermarkInPlace, lanternPayload, MIN_SIDE } from './watermark';
import { appendXmp, TRAINED_ALGORITHMIC_MEDIA, type XmpFields, xmpPacket } from './xmp';

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

/**
 * Writes the C2PA manifest into a whole MP4 (workers/provenance/c2pa/clip-signer.ts
 * in a worker). `note` is passed on to the user (ContentCredentials.note).
 */
export type ClipSigner = (mp4: Uint8Array, claim: C2paClaim) => Promise<{ mp4: Uint8Array; note?: string }>;

/**
 * The MP4 with its XMP packet appended, then signed with C2PA (last: the
 * manifest's hash covers every other top-level box, the XMP box included).
 * A clip whose signing fails is still handed out, with its XMP labels, and
 * `contentCredentials` says why it has no manifest; so does the console.
 * Without a signer (an encode on a page, which cannot sign) it says that.
 * `createdAt` is an ISO 8601 time, the same in both.
 */
export async function stampFile(
  mp4: Uint8Array,
  provenance: ClipProvenance,
  createdAt: string,
  signer: ClipSigner | undefined,
): Promise<{ mp4: Uint8Array; contentCredentials: ContentCredentials }> {
  const labelled = appendXmp(mp4, xmpPacket(xmpFields(provenance, createdAt)));
  if (signer === undefined) {
    return {
      mp4: labelled,
      contentCredentials: {
        written: false,
        errorName: 'C2paSigningError',
        reason: 'this clip was encoded where no C2PA signer was given (only the engine and media workers sign).',
      },
    };
  }
  const claim: C2paClaim = { generator: GENERATOR, model: provenance.model, createdAt };
  try {
    const signed = await signer(labelled, claim);
    return { mp4: signed.mp4, contentCredentials: signed.note === undefined ? { written: true } : { written: true, note: signed.note } };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const errorName = error instanceof Error ? error.name : 'C2paSigningError';
    console.warn(`Lantern: the clip was handed out without Content Credentials (C2PA); its XMP labels and watermark are in it. ${reason}`, error);
    return { mp4: labelled, contentCredentials: { written: false, errorName, reason } };
  }
}

function xmpFields(provenance: ClipProvenance, createdAt: string): XmpFields {
  const { recipe } = provenance;
  return {
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
  };
}
