// XMP in an MP4: the packet Lantern writes, the box it goes in, and a reader.
//
// ISO/IEC 14496-12 files carry XMP in a top-level `uuid` box with the XMP
// user type BE7ACFCB-97A9-42E8-9C71-999491E3AFAC (XMP spec part 3, 1.2.7;
// what exiftool and Adobe tools read). Lantern appends it after the muxer has
// written the file: a box at the end moves no sample data, so no chunk
// offsets change, and a fast-start file keeps its `moov` before `mdat`.
//
// Fields (IPTC Photo Metadata 2023.1, which video tools read too):
//   Iptc4xmpExt:DigitalSourceType  trainedAlgorithmicMedia (made by a trained model)
//   Iptc4xmpExt:AISystemUsed / AISystemVersionUsed   the model's id and version
//   xmp:CreatorTool  "Lantern <version>"; xmp:CreateDate  ISO 8601
//   lantern:Prompt / lantern:NegativePrompt / lantern:Seed  only when the user opted in
import { XmpFormatError } from '../contracts/errors';

export { TRAINED_ALGORITHMIC_MEDIA } from '../contracts/provenance';
/** The `uuid` box user type that marks XMP in ISO base media files. */
export const XMP_UUID = Uint8Array.of(0xbe, 0x7a, 0xcf, 0xcb, 0x97, 0xa9, 0x42, 0xe8, 0x9c, 0x71, 0x99, 0x94, 0x91, 0xe3, 0xaf, 0xac);
export const LANTERN_XMP_NAMESPACE = 'https://lantern.invalid/ns/xmp/1.0/';

export type XmpFields = {
  digitalSourceType: string;
  creatorTool: string;
  createDate: string;
  aiSystem: string;
  aiSystemVersion: string;
  /** Only when the user opted in to writing the recipe. */
  prompt?: string;
  negativePrompt?: string;
  seed?: number;
};

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name: string, dec?: string, hex?: string) => {
    if (dec !== undefined) return String.fromCodePoint(Number(dec));
    if (hex !== undefined) return String.fromCodePoint(Number.parseInt(hex, 16));
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[name]!;
  });
}

/** The XMP packet, as simple properties of one rdf:Description (what every reader handles). */
export function xmpPacket(fields: XmpFields): string {
  const property = (name: string, value: string | number | undefined): string =>
    value === undefined ? '' : `\n    <${name}>${escapeXml(String(value))}</${name}>`;
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    xmlns:lantern="${LANTERN_XMP_NAMESPACE}">${property('Iptc4xmpExt:DigitalSourceType', fields.digitalSourceType)}${property(
      'Iptc4xmpExt:AISystemUsed',
      fields.aiSystem,
    )}${property('Iptc4xmpExt:AISystemVersionUsed', fields.aiSystemVersion)}${property('xmp:CreatorTool', fields.creatorTool)}${property(
      'xmp:CreateDate',
      fields.createDate,
    )}${property('lantern:Prompt', fields.prompt)}${property('lantern:NegativePrompt', fields.negativePrompt)}${property('lantern:Seed', fields.seed)}
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
}

type Box = { type: string; start: number; size: number; header: number };

/** The top-level boxes of an ISO base media file; XmpFormatError where a size runs past the end. */
export function topLevelBoxes(bytes: Uint8Array): Box[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: Box[] = [];
  let at = 0;
  while (at + 8 <= bytes.length) {
    let size = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    let header = 8;
    if (size === 1) {
      if (at + 16 > bytes.length) throw new XmpFormatError(`the '${type}' box at byte ${at} is cut short`);
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) {
      size = bytes.length - at; // runs to the end of the file
    }
    if (size < header || at + size > bytes.length) {
      throw new XmpFormatError(`the '${type}' box at byte ${at} says it is ${size} bytes, past the end of the ${bytes.length}-byte file`);
    }
    boxes.push({ type, start: at, size, header });
    at += size;
  }
  return boxes;
}

/** The MP4 with an XMP `uuid` box appended (a copy; the input is not changed). */
export function appendXmp(mp4: Uint8Array, packet: string): Uint8Array {
  const boxes = topLevelBoxes(mp4);
  if (!boxes.some((box) => box.type === 'moov')) throw new XmpFormatError("it has no 'moov' box, so it is not an MP4 file");
  const payload = new TextEncoder().encode(packet);
  const size = 8 + XMP_UUID.length + payload.length;
  const out = new Uint8Array(mp4.length + size);
  out.set(mp4);
  const view = new DataView(out.buffer);
  view.setUint32(mp4.length, size);
  out.set([0x75, 0x75, 0x69, 0x64], mp4.length + 4); // 'uuid'
  out.set(XMP_UUID, mp4.length + 8);
  out.set(payload, mp4.length + 8 + XMP_UUID.length);
  return out;
}

/** The XMP packet of an MP4 (its top-level XMP `uuid` box), or null where there is none. */
export function findXmpPacket(bytes: Uint8Array): string | null {
  let boxes: Box[];
  try {
    boxes = topLevelBoxes(bytes);
  } catch {
    return null; // not an ISO file (a WebM, say): no XMP box to read
  }
  for (const box of boxes) {
    if (box.type !== 'uuid' || box.size < box.header + 16) continue;
    const user = bytes.subarray(box.start + box.header, box.start + box.header + 16);
    if (user.every((b, i) => b === XMP_UUID[i])) {
      return new TextDecoder().decode(bytes.subarray(box.start + box.header + 16, box.start + box.size));
    }
  }
  return null;
}

const FIELD_NAMES: Record<keyof XmpFields, string> = {
  digitalSourceType: 'Iptc4xmpExt:DigitalSourceType',
  creatorTool: 'xmp:CreatorTool',
  createDate: 'xmp:CreateDate',
  aiSystem: 'Iptc4xmpExt:AISystemUsed',
  aiSystemVersion: 'Iptc4xmpExt:AISystemVersionUsed',
  prompt: 'lantern:Prompt',
  negativePrompt: 'lantern:NegativePrompt',
  seed: 'lantern:Seed',
};

/**
 * The fields Lantern writes, read from a packet as elements or as
 * attributes of rdf:Description (both are legal XMP; other tools may
 * rewrite one as the other). Fields that are absent are left out.
 */
export function parseXmpFields(packet: string): Partial<XmpFields> {
  const found: Partial<Record<keyof XmpFields, string>> = {};
  for (const [key, name] of Object.entries(FIELD_NAMES) as [keyof XmpFields, string][]) {
    const element = new RegExp(`<${name}>([^<]*)</${name}>`).exec(packet);
    const attribute = new RegExp(`\\s${name}="([^"]*)"`).exec(packet);
    const raw = element?.[1] ?? attribute?.[1];
    if (raw !== undefined) found[key] = unescapeXml(raw);
  }
  const { seed, ...text } = found;
  const seedNumber = seed === undefined ? undefined : Number(seed);
  return { ...text, ...(seedNumber !== undefined && Number.isSafeInteger(seedNumber) ? { seed: seedNumber } : {}) };
}
