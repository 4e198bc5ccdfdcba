import type { Media, ThumbnailMaker } from '../core/media';
import { thumbnailSizes, thumbnailSizesFor } from '../core/media';
import type { MediaStore } from './media-store';
import type { ThumbnailReply, ThumbnailRequest } from './thumbnail-worker';

/**
 * The browser's image worker: decode checks and thumbnails (createImageBitmap and OffscreenCanvas),
 * never on the main thread. One worker, started on first use; requests are matched by id.
 */
export class ImageWorker {
  #worker: Worker | undefined;
  #next = 0;
  readonly #pending = new Map<number, (reply: ThumbnailReply) => void>();

  /** Resolves when the browser can decode `bytes`; rejects, saying so, when it cannot. */
  async check(bytes: Uint8Array): Promise<void> {
    await this.request({ bytes });
  }

  readonly makeThumbnail: ThumbnailMaker = async (image, width) => {
    const bytes = await this.request({ bytes: image, width });
    if (!bytes) throw new Error('the image worker returned no thumbnail');
    return bytes;
  };

  dispose(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
  }

  private request(request: Omit<ThumbnailRequest, 'id'>): Promise<Uint8Array | undefined> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (reply) => (reply.ok ? resolve(reply.bytes) : reject(new Error(reply.error))));
      this.worker().postMessage({ ...request, id } satisfies ThumbnailRequest);
    });
  }

  private worker(): Worker {
    if (!this.#worker) {
      const worker = new Worker(new URL('./thumbnail-worker.ts', import.meta.url), { type: 'module' });
      worker.addEventListener('message', (event: MessageEvent<ThumbnailReply>) => {
        const settle = this.#pending.get(event.data.id);
        this.#pending.delete(event.data.id);
        settle?.(event.data);
      });
      worker.addEventListener('error', () => {
        // A crashed worker answers nothing more: fail what waits, and start afresh next time.
        for (const settle of this.#pending.values())
          settle({ id: -1, ok: false, error: 'the image worker stopped' });
        this.#pending.clear();
        this.dispose();
      });
      this.#worker = worker;
    }
    return this.#worker;
  }
}

/** Makes the item's missing thumbnails and caches them in the store; those already cached are kept. */
export async function ensureThumbnails(store: MediaStore, item: Media, make: ThumbnailMaker): Promise<void> {
  const sizes = thumbnailSizesFor(item.width);
  let image: Uint8Array | undefined;
  for (const size of sizes) {
    if (await store.thumbnail(item.id, size)) continue;
    if (!image) {
      const blob = await store.blob(item.id);
      if (!blob) return;
      image = new Uint8Array(await blob.arrayBuffer());
    }
    const bytes = await make(image, thumbnailSizes[size]);
    await store.putThumbnail(
      item.id,
      size,
      new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/webp' }),
    );
  }
}
