// A clip's thumbnail for the gallery list: one RGBA frame scaled to fit a
// `size` x `size` square (aspect kept), encoded as WebP, or PNG where the
// browser cannot write WebP (convertToBlob then falls back to PNG by itself).
// Works in a page and in a worker (OffscreenCanvas).

const THUMBNAIL_TYPE = 'image/webp';
const THUMBNAIL_QUALITY = 0.8;

/** The thumbnail's size: the frame scaled to fit `size` x `size`, never enlarged, at least 1 pixel a side. */
export function thumbnailSize(width: number, height: number, size: number): { width: number; height: number } {
  const scale = Math.min(1, size / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export async function thumbnailFromFrame(rgba: Uint8ClampedArray, width: number, height: number, size = 96): Promise<Blob> {
  for (const [name, value] of [
    ['width', width],
    ['height', height],
    ['size', size],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`thumbnailFromFrame: ${name} is ${value}; it must be a positive integer.`);
  }
  if (rgba.length !== width * height * 4) {
    throw new RangeError(`thumbnailFromFrame: the frame has ${rgba.length} bytes; a ${width}x${height} RGBA frame has ${width * height * 4}.`);
  }
  const frame = new OffscreenCanvas(width, height);
  const frameContext = frame.getContext('2d');
  if (frameContext === null) throw new Error('thumbnailFromFrame: this browser gives no 2D context for an OffscreenCanvas.');
  // ImageData wants its own ArrayBuffer-backed copy (the frame may be a view of a shared or larger buffer).
  frameContext.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);

  const out = thumbnailSize(width, height, size);
  const thumb = new OffscreenCanvas(out.width, out.height);
  const context = thumb.getContext('2d');
  if (context === null) throw new Error('thumbnailFromFrame: this browser gives no 2D context for an OffscreenCanvas.');
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(frame, 0, 0, out.width, out.height);
  return thumb.convertToBlob({ type: THUMBNAIL_TYPE, quality: THUMBNAIL_QUALITY });
}
