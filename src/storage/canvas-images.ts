/*
 * Image decoding and scaling with the browser's own codecs (createImageBitmap and OffscreenCanvas),
 * for any worker: the image worker (thumbnail-worker.ts) and the site build worker.
 */

/** Decodes the image, and so proves it is a whole image a browser can show; throws if not. */
export async function decodeImage(bytes: Uint8Array): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  } catch {
    throw new Error('the browser cannot decode it as an image');
  }
}

/** A WebP copy of a decoded image, `width` pixels wide, its height in proportion. */
export async function scaleToWebp(bitmap: ImageBitmap, width: number): Promise<Uint8Array> {
  const height = Math.max(1, Math.round((bitmap.height * width) / bitmap.width));
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2D canvas in this worker');
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, width, height);
  const blob = await canvas.convertToBlob({ type: 'image/webp', quality: 0.8 });
  return new Uint8Array(await blob.arrayBuffer());
}

/** A `ThumbnailMaker` (core/media.ts) on the browser's codecs. */
export async function makeCanvasThumbnail(image: Uint8Array, width: number): Promise<Uint8Array> {
  const bitmap = await decodeImage(image);
  try {
    return await scaleToWebp(bitmap, width);
  } finally {
    bitmap.close();
  }
}
