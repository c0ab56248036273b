// The visible mark: a small "AI" badge in the bottom-right corner of every
// frame, drawn into the RGBA bytes before encoding (so it is in the pixels of
// any copy, unlike metadata). Drawn from a 5x7 bitmap font with integer
// maths, so it looks the same in every browser and in tests, needs no canvas
// (workers, Node) and scales in whole pixels with the frame: 13 x 11 px on a
// 128 px frame, twice that from 256 px.
const GLYPHS: Record<string, readonly string[]> = {
  A: ['.###.', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  I: ['###', '.#.', '.#.', '.#.', '.#.', '.#.', '###'],
};
export const VISIBLE_MARK_TEXT = 'AI';
const PAD = 2;
const MARGIN = 3;
const BACKDROP = { value: 0, alpha: 0.55 };
const INK = { value: 255, alpha: 0.9 };

/** The badge's rectangle in a frame of this size (pixels), for tests and the verify page's explanation. */
export function visibleMarkBox(width: number, height: number): { x: number; y: number; width: number; height: number } {
  const scale = Math.max(1, Math.floor(Math.min(width, height) / 128));
  const glyphs = [...VISIBLE_MARK_TEXT].map((c) => GLYPHS[c]!);
  const columns = glyphs.reduce((sum, g) => sum + g[0]!.length, 0) + glyphs.length - 1;
  const boxWidth = (columns + 2 * PAD) * scale;
  const boxHeight = (7 + 2 * PAD) * scale;
  return { x: width - boxWidth - MARGIN * scale, y: height - boxHeight - MARGIN * scale, width: boxWidth, height: boxHeight };
}

function blend(rgba: Uint8Array | Uint8ClampedArray, offset: number, paint: { value: number; alpha: number }): void {
  for (let c = 0; c < 3; c++) {
    rgba[offset + c] = Math.round(rgba[offset + c]! * (1 - paint.alpha) + paint.value * paint.alpha);
  }
}

/** Draws the badge into one RGBA frame, in place. Frames smaller than the badge plus margins are left unmarked (returns false). */
export function drawVisibleMark(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number): boolean {
  const box = visibleMarkBox(width, height);
  if (box.x < 0 || box.y < 0) return false;
  const scale = box.height / (7 + 2 * PAD);
  const ink = new Set<number>(); // pixel indices of the glyphs
  let column = PAD;
  for (const char of VISIBLE_MARK_TEXT) {
    const glyph = GLYPHS[char]!;
    glyph.forEach((row, gy) => {
      [...row].forEach((cell, gx) => {
        if (cell !== '#') return;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            ink.add((box.y + (PAD + gy) * scale + dy) * width + box.x + (column + gx) * scale + dx);
          }
        }
      });
    });
    column += glyph[0]!.length + 1;
  }
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) {
      const pixel = y * width + x;
      blend(rgba, pixel * 4, ink.has(pixel) ? INK : BACKDROP);
    }
  }
  return true;
}
