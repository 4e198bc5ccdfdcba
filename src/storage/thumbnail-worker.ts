/// <reference lib="webworker" />
import { z } from 'zod';

/*
 * Decodes images and makes thumbnails off the main thread: createImageBitmap decodes (and so proves
 * the file is a whole image a browser can show), OffscreenCanvas scales and encodes WebP.
 */

const requestSchema = z.object({
  id: z.number(),
  bytes: z.instanceof(Uint8Array),
  /** Omitted: only decode, to check the image. */
  width: z.int().positive().optional(),
});

export interface ThumbnailRequest {
  id: number;
  bytes: Uint8Array;
  width?: number;
}
export type ThumbnailReply =
  | { id: number; ok: true; bytes?: Uint8Array }
  | { id: number; ok: false; error: string };

addEventListener('message', (event: MessageEvent<unknown>) => {
  const request = requestSchema.safeParse(event.data);
  if (!request.success) return;
  const { id, bytes, width } = request.data;
  void answer(bytes, width).then(
    (result) => postMessage({ id, ok: true, ...(result ? { bytes: result } : {}) } satisfies ThumbnailReply),
    (error: unknown) =>
      postMessage({
        id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      } satisfies ThumbnailReply),
  );
});

async function answer(bytes: Uint8Array, width: number | undefined): Promise<Uint8Array | undefined> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  } catch {
    throw new Error('the browser cannot decode it as an image');
  }
  try {
    if (width === undefined) return undefined;
    const height = Math.max(1, Math.round((bitmap.height * width) / bitmap.width));
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas in this worker');
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, 0, 0, width, height);
    const blob = await canvas.convertToBlob({ type: 'image/webp', quality: 0.8 });
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    bitmap.close();
  }
}
