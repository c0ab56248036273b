// What Lantern writes into the mark: MARKER ('LN') in the high 16 bits, and
// in the low 16 a tag of the model, the high 16 bits of FNV-1a-32 of its id
// in UTF-8. A tag, not a secret: a verifier matches it against the model ids
// it knows (modelForTag). Python's lantern_payload gives the same numbers.
import { checkPayload } from './validate';

/** 'LN': the payload's high 16 bits on every clip Lantern makes. */
export const LANTERN_MARKER = 0x4c4e;

function fnv1a32(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const byte of bytes) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}

/** The model's 16-bit tag: the high half of FNV-1a-32 of its id's UTF-8 bytes. */
export function modelTag(modelId: string): number {
  return fnv1a32(new TextEncoder().encode(modelId)) >>> 16;
}

/** The 32-bit payload Lantern marks a clip from this model with. */
export function lanternPayload(modelId: string): number {
  return ((LANTERN_MARKER << 16) | modelTag(modelId)) >>> 0;
}

/** A payload read from a clip: is it Lantern's, and which model tag it carries. */
export function describePayload(payload: number): { lantern: boolean; modelTag: number } {
  checkPayload(payload);
  return { lantern: payload >>> 16 === LANTERN_MARKER, modelTag: payload & 0xffff };
}

/** The first of `ids` whose tag is `tag`, or null (16-bit tags can collide: it names a likely model, not a proven one). */
export function modelForTag(tag: number, ids: readonly string[]): string | null {
  return ids.find((id) => modelTag(id) === tag) ?? null;
}
