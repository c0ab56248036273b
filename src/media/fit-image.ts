// Any image to the model's frame: cover-crop. The image is scaled until it
// covers the frame and the middle is kept, so nothing is stretched and there
// are no bars (a letterbox would put black bands into the model's first
// frame, which it would then animate as scenery). Transparent pixels are
// composited over black. Files are checked before they decode: an empty
// file, bytes that are no image, or one over MAX_IMAGE_PIXELS is an
// ImageInputError saying what to do.
import { ImageInputError } from '../../workers/contracts/errors';
import { HEADER_BYTES, readImageHeader } from './image-size';

/** 64 Mi pixels (8192 x 8192): 256 MiB decoded. Larger images are refused before they decode. */
export const MAX_IMAGE_PIXELS = 64 * 2 ** 20;

export type FrameSize = { width: number; height: number };
export type ImageInput = Blob | ImageBitmap | ImageData | OffscreenCanvas | HTMLCanvasElement | HTMLImageElement | HTMLVideoElement;

/** The source rectangle whose scaled copy covers `to` exactly, centred (cover-crop). */
export function coverCrop(from: FrameSize, to: FrameSize): { sx: number; sy: number; sw: number; sh: number } {
  const scale = Math.max(to.width / from.width, to.height / from.height);
  const sw = to.width / scale;
  const sh = to.height / scale;
  return { sx: (from.width - sw) / 2, sy: (from.height - sh) / 2, sw, sh };
}

/** RGBA bytes of `image` fitted to `size` by cover-crop. */
export async function fitImage(image: ImageInput, size: FrameSize): Promise<Uint8ClampedArray> {
  const bitmap = image instanceof Blob ? await decodeImageFile(image) : await createImageBitmap(image);
  try {
    const canvas = new OffscreenCanvas(size.width, size.height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (context === null) throw new Error('This browser gave no 2D canvas context, so images cannot be fitted.');
    context.fillStyle = '#000';
    context.fillRect(0, 0, size.width, size.height);
    context.imageSmoothingQuality = 'high';
    const { sx, sy, sw, sh } = coverCrop(bitmap, size);
    context.drawImage(bitmap, sx, sy, sw, sh, 0, 0, size.width, size.height);
    return context.getImageData(0, 0, size.width, size.height).data;
  } finally {
    bitmap.close();
  }
}

/** Decodes a picked, dropped or pasted file after checking what it is and how large it would decode. */
export async function decodeImageFile(file: Blob): Promise<ImageBitmap> {
  const name = file instanceof File ? file.name : 'the image';
  if (file.size === 0)
    throw new ImageInputError(name, `${name} is empty (0 bytes). Pick the image file again; it may not have finished saving or downloading.`);
  const header = readImageHeader(new Uint8Array(await file.slice(0, HEADER_BYTES).arrayBuffer()));
  if (header === null) {
    throw new ImageInputError(
      name,
      `${name} is not an image Lantern can read${file.type === '' ? '' : ` (its type is ${file.type})`}. Use a PNG, JPEG, GIF, WebP, BMP or AVIF image.`,
    );
  }
  const pixels = header.width * header.height;
  if (pixels === 0 || pixels > MAX_IMAGE_PIXELS) {
    throw new ImageInputError(
      name,
      `${name} is ${header.width}x${header.height} pixels; Lantern takes images of 1 to ${MAX_IMAGE_PIXELS.toLocaleString('en')} pixels (8192x8192). ` +
        'Scale it down first; the model uses it at its own frame size anyway.',
    );
  }
  try {
    return await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
  } catch (error) {
    throw new ImageInputError(
      name,
      `${name} looks like a ${header.type.toUpperCase()} image of ${header.width}x${header.height} but does not decode (the file is damaged or cut short). Save or export it again.`,
      { cause: error },
    );
  }
}
