import 'fake-indexeddb/auto';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { sharpThumbnail } from '../../src/cli/sharp-thumbnails';
import type { Media, ThumbnailMaker } from '../../src/core/media';
import { type IdbMediaStore, openMediaStore } from '../../src/storage/idb-media-store';
import { MediaLibrary } from '../../src/ui/media-library';

/* The media view's state against a real store: thumbnails the cache lacks are made again. */

const opened: { close(): void }[] = [];
const libraries: MediaLibrary[] = [];

afterEach(() => {
  for (const library of libraries.splice(0)) library.dispose();
  for (const handle of opened.splice(0)) handle.close();
});

async function openMedia(): Promise<IdbMediaStore> {
  const store = await openMediaStore({ dbName: `pymark-test-${crypto.randomUUID()}` });
  opened.push(store);
  return store;
}

/** The library as the app makes it, with sharp's codecs for the browser's (both decode for real). */
function libraryOf(store: IdbMediaStore, makeThumbnail: ThumbnailMaker): MediaLibrary {
  const library = new MediaLibrary({
    store,
    checkDecodes: async (bytes) => {
      await sharp(bytes).metadata();
    },
    makeThumbnail,
  });
  libraries.push(library);
  return library;
}

/** A counting thumbnail maker: the widths it was asked for, in order. */
function counting(): { make: ThumbnailMaker; widths: number[] } {
  const widths: number[] = [];
  return {
    widths,
    make: async (image, width) => {
      widths.push(width);
      return sharpThumbnail(image, width);
    },
  };
}

/** An item that arrived as a synced folder or a reference import brings it: bytes and metadata, no thumbnails. */
async function synced(store: IdbMediaStore, fileName: string, width: number, height: number): Promise<Media> {
  const bytes = new Uint8Array(
    await sharp({ create: { width, height, channels: 3, background: '#3366cc' } })
      .jpeg()
      .toBuffer(),
  );
  const media: Media = {
    id: crypto.randomUUID(),
    fileName,
    mimeType: 'image/jpeg',
    size: bytes.length,
    width,
    height,
    createdAt: '2026-03-10T12:00:00.000Z',
    updatedAt: '2026-03-10T12:00:00.000Z',
    title: '',
    alt: '',
    caption: '',
    linkedPostIds: [],
  };
  await store.addImported([{ media, bytes }]);
  return media;
}

// Making thumbnails takes what the machine gives it; the poll waits for them rather than timing them.
const thumbnailsMade = { timeout: 30_000 };

const webpWidth = async (blob: Blob | undefined) =>
  blob && (await sharp(new Uint8Array(await blob.arrayBuffer())).metadata()).width;

describe('the media library', () => {
  it('makes the thumbnails an item lacks, once, and keeps the ones cached', async () => {
    const store = await openMedia();
    const fresh = await synced(store, 'sea.jpg', 800, 600);
    const partly = await synced(store, 'hill.jpg', 700, 500);
    await store.putThumbnail(partly.id, 'medium', new Blob(['cached'], { type: 'image/webp' }));
    const thumbnails = counting();
    const library = libraryOf(store, thumbnails.make);

    await library.init();
    await expect
      .poll(async () => webpWidth(await store.thumbnail(fresh.id, 'medium')), thumbnailsMade)
      .toBe(640);
    await expect
      .poll(async () => webpWidth(await store.thumbnail(partly.id, 'small')), thumbnailsMade)
      .toBe(320);
    expect(await webpWidth(await store.thumbnail(fresh.id, 'small'))).toBe(320);
    // Neither is wider than the large size, so it has none; the cached medium stayed as it was.
    expect(await store.thumbnail(fresh.id, 'large')).toBeUndefined();
    expect(await (await store.thumbnail(partly.id, 'medium'))?.text()).toBe('cached');
    expect(thumbnails.widths.sort()).toEqual([320, 320, 640]);

    // Later changes reload the list; what is made is not made again.
    await store.edit(fresh.id, { alt: 'The sea' });
    await expect
      .poll(() => library.state.items.find((item) => item.id === fresh.id)?.alt, thumbnailsMade)
      .toBe('The sea');
    expect(thumbnails.widths).toHaveLength(3);
    expect(library.state.problem).toBeNull();
  });

  it('makes the thumbnails of an item synced in while it runs, and shows the small one', async () => {
    const store = await openMedia();
    const thumbnails = counting();
    const library = libraryOf(store, thumbnails.make);
    await library.init();
    const arrived = await synced(store, 'late.jpg', 400, 300);
    await expect
      .poll(async () => webpWidth(await store.thumbnail(arrived.id, 'small')), thumbnailsMade)
      .toBe(320);
    expect(thumbnails.widths).toEqual([320]);
    await expect.poll(() => library.state.previews.has(arrived.id), thumbnailsMade).toBe(true);
  });
});
