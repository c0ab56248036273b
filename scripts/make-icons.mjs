// Writes the app's icons (public/icons/): a lantern's glow, an amber disc on
// a dark ground, as PNGs for the web app manifest. 192 and 512 px "any"
// icons keep the disc at 60% of the width; the 512 px maskable one fills its
// square with the ground and keeps the disc inside the central 80% circle
// that every platform's mask leaves visible. Plain Node (zlib), no image
// library. Run: node scripts/make-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const OUT = fileURLToPath(new URL('../public/icons/', import.meta.url));
const GROUND = [0x16, 0x15, 0x13]; // --bg of the dark theme (src/styles.css)
const CORE = [0xf0, 0x8a, 0x3c]; // --accent, dark theme
const RIM = [0xc2, 0x57, 0x0c]; // --accent, light theme

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** RGBA rows -> PNG (colour type 6, 8 bits, filter 0 on every row). */
function png(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const mix = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));

/**
 * `radius`: the disc's radius as a fraction of the width. `roundGround`: the
 * ground is a rounded square with transparent corners ("any" icons);
 * otherwise it fills the square (maskable).
 */
function icon(size, radius, roundGround) {
  const rgba = Buffer.alloc(size * size * 4);
  const c = size / 2;
  const r = radius * size;
  const corner = size * 0.18;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      // Coverage of the rounded-square ground (1 inside, 0 outside, antialiased over a pixel).
      let ground = 1;
      if (roundGround) {
        const dx = Math.max(corner - px, px - (size - corner), 0);
        const dy = Math.max(corner - py, py - (size - corner), 0);
        ground = Math.min(1, Math.max(0, corner - Math.hypot(dx, dy) + 0.5));
      }
      const d = Math.hypot(px - c, py - c);
      const disc = Math.min(1, Math.max(0, r - d + 0.5));
      const glow = Math.max(0, 1 - d / (r * 1.6)) ** 2 * 0.35;
      let colour = mix(GROUND, RIM, glow);
      colour = mix(colour, mix(CORE, RIM, Math.min(1, d / r) ** 3), disc);
      const i = (y * size + x) * 4;
      rgba.set([...colour, Math.round(255 * ground)], i);
    }
  }
  return png(size, rgba);
}

mkdirSync(OUT, { recursive: true });
const files = {
  'icon-192.png': icon(192, 0.3, true),
  'icon-512.png': icon(512, 0.3, true),
  // The mask's safe zone is a circle of 40% of the width around the centre; the disc stays well inside it.
  'icon-maskable-512.png': icon(512, 0.24, false),
};
for (const [name, bytes] of Object.entries(files)) {
  writeFileSync(OUT + name, bytes);
  console.log(`${name}: ${bytes.length} bytes`);
}
