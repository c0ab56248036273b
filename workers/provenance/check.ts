// "Check a video": reads the three AI-made labels from any MP4, MOV or WebM,
// offline, in a worker: the XMP packet (Lantern's reader), the C2PA manifest
// (the C2PA library, which also verifies its signature and hashes) and the
// invisible watermark (the detector, on frames read at the file's own
// aspect). Each part reports what it found, never throws for a file that
// merely lacks a label; the page words what each finding means
// (src/verify/meaning.ts).
import { readCheckFrames } from '../media/check-frames';
import { type C2paFinding, type C2paMimeType, readC2pa } from './c2pa/read';
import { describePayload, detectWatermark, modelForTag, THRESHOLD } from './watermark';
import { findXmpPacket, parseXmpFields, TRAINED_ALGORITHMIC_MEDIA, type XmpFields } from './xmp';

export type XmpFinding = { present: false } | { present: true; aiGenerated: boolean; fields: Partial<XmpFields> };

export type WatermarkFinding =
  | {
      checked: true;
      found: boolean;
      score: number;
      threshold: number;
      /** The 32-bit payload as 8 hex digits, when found and its CRC passed. */
      payload: string | null;
      /** The payload carries Lantern's marker. */
      lantern: boolean;
      /** The model whose tag the payload carries, when it is one this page knows. */
      model: string | null;
      framesRead: number;
      size: { width: number; height: number };
    }
  | { checked: false; reason: string };

export type C2paCheck = ({ checked: true } & C2paFinding) | { checked: false; reason: string };

export type ProvenanceCheck = {
  file: { name: string; bytes: number; container: string | null };
  xmp: XmpFinding;
  c2pa: C2paCheck;
  watermark: WatermarkFinding;
};

function mimeTypeOf(bytes: Uint8Array, container: string | null): C2paMimeType {
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return 'video/webm';
  if (container !== null && /quicktime/i.test(container)) return 'video/quicktime';
  return 'video/mp4';
}

export async function checkVideo(file: Blob, knownModels: readonly string[], name = file instanceof File ? file.name : 'the video'): Promise<ProvenanceCheck> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const packet = findXmpPacket(bytes);
  const xmp: XmpFinding =
    packet === null
      ? { present: false }
      : (() => {
          const fields = parseXmpFields(packet);
          return { present: true, aiGenerated: fields.digitalSourceType === TRAINED_ALGORITHMIC_MEDIA, fields };
        })();

  const frames = await readCheckFrames(file);
  const container = frames.container;
  let c2pa: C2paCheck;
  try {
    c2pa = { checked: true, ...(await readC2pa(bytes, mimeTypeOf(bytes, container))) };
  } catch (error) {
    c2pa = { checked: false, reason: `the C2PA library could not read it: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` };
  }

  let watermark: WatermarkFinding;
  if (!frames.ok) {
    watermark = { checked: false, reason: frames.reason };
  } else if (Math.min(frames.width, frames.height) < 32) {
    watermark = { checked: false, reason: `its frames (${frames.sourceWidth}x${frames.sourceHeight}) are too small to hold the watermark` };
  } else {
    const found = detectWatermark(frames.frames, frames.width, frames.height);
    const described = found.payload === null ? null : describePayload(found.payload);
    watermark = {
      checked: true,
      found: found.found,
      score: Math.round(found.score * 100) / 100,
      threshold: THRESHOLD,
      payload: found.found && found.payload !== null ? found.payload.toString(16).padStart(8, '0') : null,
      lantern: found.found && described?.lantern === true,
      model: found.found && described?.lantern === true ? modelForTag(described.modelTag, knownModels) : null,
      framesRead: frames.frames.length,
      size: { width: frames.sourceWidth, height: frames.sourceHeight },
    };
  }
  return { file: { name, bytes: bytes.length, container }, xmp, c2pa, watermark };
}
