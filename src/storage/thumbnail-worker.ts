/// <reference lib="webworker" />
// First: before any schema is made (see zod-jitless.ts).
import '../core/zod-jitless';
import { z } from 'zod';
import { decodeImage, scaleToWebp } from './canvas-images';

/*
 * Decodes images and makes thumbnails off the main thread (canvas-images.ts): decoding proves the
 * file is a whole image a browser can show, OffscreenCanvas scales and encodes WebP.
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
  const bitmap = await decodeImage(bytes);
  try {
    return width === undefined ? undefined : await scaleToWebp(bitmap, width);
  } finally {
    bitmap.close();
  }
}
