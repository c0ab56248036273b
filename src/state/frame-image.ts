// RGBA frames to and from PNG data URLs: how the start image and the
// storyboard's shot images are shown (<img src>) and saved (localStorage).
// A model-sized PNG is a few kilobytes, and PNG is lossless, so a saved image
// comes back with the same pixels.

export function rgbaToDataUrl(rgba: Uint8ClampedArray, width: number, height: number): string {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (context === null) throw new Error('This browser gave no 2D canvas context.');
  context.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
  return canvas.toDataURL('image/png');
}

/** The PNG bytes of a data URL as a Blob (to fit or decode like a picked file). */
export function dataUrlToBlob(url: string): Blob {
  const match = /^data:([^;,]+);base64,(.*)$/.exec(url);
  if (match === null) throw new Error('Not a base64 data URL.');
  const bytes = Uint8Array.from(atob(match[2]!), (c) => c.charCodeAt(0));
  return new Blob([bytes], { type: match[1]! });
}
