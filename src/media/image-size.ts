// An image's pixel size read from its header, before anything decodes it: a
// 20000x20000 PNG is a few kilobytes of file and 1.6 GB of pixels, so the size
// is checked first (fit-image.ts). Reads PNG, JPEG, GIF, WebP, BMP and AVIF
// headers; anything else is not an image Lantern takes.

export type ImageHeader = { type: 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'avif'; width: number; height: number };

/** The first bytes that hold every supported header (JPEG's size marker can follow a large EXIF block). */
export const HEADER_BYTES = 1 << 20;

const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));

/** The header's type and size, or null when the bytes are not a supported image (or are cut short). */
export function readImageHeader(b: Uint8Array): ImageHeader | null {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const has = (n: number) => b.length >= n;
  if (has(24) && b[0] === 0x89 && ascii(b, 1, 3) === 'PNG' && ascii(b, 12, 4) === 'IHDR') {
    return { type: 'png', width: v.getUint32(16), height: v.getUint32(20) };
  }
  if (has(10) && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) {
    return { type: 'gif', width: v.getUint16(6, true), height: v.getUint16(8, true) };
  }
  if (has(26) && ascii(b, 0, 2) === 'BM') {
    return { type: 'bmp', width: Math.abs(v.getInt32(18, true)), height: Math.abs(v.getInt32(22, true)) };
  }
  if (has(30) && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return webp(b, v);
  if (has(4) && b[0] === 0xff && b[1] === 0xd8) return jpeg(b, v);
  if (has(12) && ascii(b, 4, 4) === 'ftyp' && /avi[fs]/.test(ascii(b, 8, 4))) return avif(b, v);
  return null;
}

function webp(b: Uint8Array, v: DataView): ImageHeader | null {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') return { type: 'webp', width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff };
  if (chunk === 'VP8L') {
    const bits = v.getUint32(21, true);
    return { type: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') {
    const w = b[24]! | (b[25]! << 8) | (b[26]! << 16);
    const h = b[27]! | (b[28]! << 8) | (b[29]! << 16);
    return { type: 'webp', width: w + 1, height: h + 1 };
  }
  return null;
}

function jpeg(b: Uint8Array, v: DataView): ImageHeader | null {
  let at = 2;
  while (at + 9 < b.length) {
    if (b[at] !== 0xff) return null;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    // SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { type: 'jpeg', height: v.getUint16(at + 5), width: v.getUint16(at + 7) };
    }
    at += 2 + v.getUint16(at + 2);
  }
  return null;
}

function avif(b: Uint8Array, v: DataView): ImageHeader | null {
  // The 'ispe' property box: 4 bytes version and flags, then width and height.
  for (let at = 0; at + 16 <= b.length; at++) {
    if (b[at] === 0x69 && ascii(b, at, 4) === 'ispe') return { type: 'avif', width: v.getUint32(at + 8), height: v.getUint32(at + 12) };
  }
  return null;
}
