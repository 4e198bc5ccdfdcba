import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { type IdbMediaStore, openMediaStore } from '../../src/storage/idb-media-store';
import { ChangedMeanwhile } from '../../src/storage/item-store';
import { type MediaChange, MediaRefusedError } from '../../src/storage/media-store';
import { jpegBytes } from './jpeg-bytes';

const opened: { close(): void }[] = [];

afterEach(() => {
  for (const handle of opened.splice(0)) handle.close();
});

async function openMedia(dbName = `pymark-test-${crypto.randomUUID()}`): Promise<IdbMediaStore> {
  const store = await openMediaStore({ dbName });
  opened.push(store);
  return store;
}

const lastModified = '2026-03-10T12:00:00.000Z';

describe('media store', () => {
  it('imports an image with its size, EXIF date and a safe, unique file name', async () => {
    const store = await openMedia();
    const bytes = jpegBytes(800, 600, '2025:12:24 20:15:00');
    const first = await store.import({ name: 'Xmas: tree?.JPG', bytes, lastModified });
    const second = await store.import({ name: 'Xmas: tree?.JPG', bytes, lastModified });
    expect(first).toMatchObject({
      fileName: 'Xmas- tree-.jpg',
      mimeType: 'image/jpeg',
      size: bytes.length,
      width: 800,
      height: 600,
      createdAt: '2025-12-24T20:15:00.000Z',
      linkedPostIds: [],
    });
    expect(second.fileName).toBe('Xmas- tree--2.jpg');
    const blob = await store.blob(first.id);
    expect(blob?.type).toBe('image/jpeg');
    expect(new Uint8Array(await blob!.arrayBuffer())).toEqual(bytes);
  });

  it('falls back to the file’s time without an EXIF date', async () => {
    const store = await openMedia();
    const media = await store.import({ name: 'a.jpg', bytes: jpegBytes(10, 10), lastModified });
    expect(media.createdAt).toBe(lastModified);
  });

  it('refuses a file that is not an image and stores nothing', async () => {
    const store = await openMedia();
    const changes: MediaChange[] = [];
    store.subscribe((change) => changes.push(change));
    const text = new TextEncoder().encode('not a picture');
    await expect(store.import({ name: 'notes.jpg', bytes: text, lastModified })).rejects.toThrow(
      new MediaRefusedError('notes.jpg is not an image Pymark can use (JPEG, PNG, GIF or WebP)'),
    );
    const whole = jpegBytes(10, 10);
    await expect(
      store.import({ name: 'cut.jpg', bytes: whole.subarray(0, whole.length - 2), lastModified }),
    ).rejects.toThrow(/cut\.jpg is a truncated JPEG/);
    expect(await store.list()).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('edits, links, trashes, restores and purges, telling subscribers', async () => {
    const store = await openMedia();
    const changes: MediaChange['type'][] = [];
    store.subscribe((change) => changes.push(change.type));
    const media = await store.import({ name: 'a.jpg', bytes: jpegBytes(10, 10), lastModified });
    const edited = await store.edit(media.id, { alt: 'A red square', title: 'Red' });
    expect(edited).toMatchObject({ alt: 'A red square', title: 'Red', caption: '' });
    await expect(store.edit(media.id, { size: 3 } as never)).rejects.toThrow(/size/);
    await store.linkToPost(media.id, 'post-1');
    const linked = await store.linkToPost(media.id, 'post-1');
    expect(linked.linkedPostIds).toEqual(['post-1']);
    await store.delete(media.id);
    expect(await store.list()).toEqual([]);
    expect(await store.listTrash()).toEqual([{ ...linked, deletedAt: expect.any(String) }]);
    expect(await store.restore(media.id)).toEqual(linked);
    await store.putThumbnail(media.id, 'small', new Blob(['webp'], { type: 'image/webp' }));
    await store.delete(media.id);
    await store.purge(media.id);
    expect(await store.blob(media.id)).toBeUndefined();
    expect(await store.thumbnail(media.id, 'small')).toBeUndefined();
    await expect(store.purge(media.id)).rejects.toThrow(`No media with id ${media.id} in the trash`);
    expect(changes).toEqual(['put', 'put', 'put', 'put', 'delete', 'put', 'delete', 'delete']);
  });

  it('restores an item under a new name when a synced one took its name meanwhile', async () => {
    const store = await openMedia();
    const media = await store.import({ name: 'a.jpg', bytes: jpegBytes(10, 10), lastModified });
    await store.delete(media.id);
    const synced = { ...media, id: crypto.randomUUID() };
    await store.applyExternal({ put: [{ media: synced, bytes: jpegBytes(10, 10) }], trash: [] });
    expect((await store.restore(media.id)).fileName).toBe('a-2.jpg');
    expect((await store.list()).map((item) => item.fileName).sort()).toEqual(['a-2.jpg', 'a.jpg']);
  });

  it('caches thumbnails beside the image', async () => {
    const store = await openMedia();
    const media = await store.import({ name: 'a.jpg', bytes: jpegBytes(10, 10), lastModified });
    expect(await store.thumbnail(media.id, 'small')).toBeUndefined();
    await store.putThumbnail(media.id, 'small', new Blob(['webp'], { type: 'image/webp' }));
    expect(await (await store.thumbnail(media.id, 'small'))?.text()).toBe('webp');
  });

  it('takes items from a folder with their bytes, and refuses a new item without them', async () => {
    const dbName = `pymark-test-${crypto.randomUUID()}`;
    const source = await openMedia(dbName);
    const media = await source.import({ name: 'a.jpg', bytes: jpegBytes(10, 10), lastModified });
    const target = await openMedia();
    await expect(target.applyExternal({ put: [{ media }], trash: [] })).rejects.toThrow(/no bytes/);
    expect(await target.list()).toEqual([]);
    await target.applyExternal({ put: [{ media, bytes: jpegBytes(10, 10) }], trash: [] });
    expect(await target.list()).toEqual([media]);
    await target.applyExternal({ put: [], trash: [media.id] });
    expect((await target.listTrash()).map((item) => item.id)).toEqual([media.id]);
  });

  it('refuses a folder change to an item edited in the app since the sync read it', async () => {
    const store = await openMedia();
    const media = await store.import({ name: 'a.jpg', bytes: jpegBytes(10, 10), lastModified });
    const edited = await store.edit(media.id, { alt: 'Typed in the app' });
    const fromFolder = { ...media, alt: 'Typed in the sidecar' };

    await expect(
      store.applyExternal({ put: [{ media: fromFolder }], trash: [], readAs: new Map([[media.id, media]]) }),
    ).rejects.toBeInstanceOf(ChangedMeanwhile);
    expect(await store.get(media.id)).toEqual(edited);
    await store.applyExternal({
      put: [{ media: fromFolder }],
      trash: [],
      readAs: new Map([[media.id, edited]]),
    });
    expect((await store.get(media.id))?.alt).toBe('Typed in the sidecar');
  });

  it('adds settled items all or none, never over an item, a trashed one or a name in use', async () => {
    const store = await openMedia();
    const held = await store.import({ name: 'beach.jpg', bytes: jpegBytes(8, 8), lastModified });
    await store.delete(held.id);
    const bytes = jpegBytes(4, 3);
    const settled = (fileName: string, id: string = crypto.randomUUID()) => ({
      media: {
        id,
        fileName,
        mimeType: 'image/jpeg' as const,
        size: bytes.length,
        width: 4,
        height: 3,
        createdAt: lastModified,
        updatedAt: lastModified,
        title: 'Imported',
        alt: '',
        caption: '',
        linkedPostIds: [],
      },
      bytes,
    });
    const refusals: [ReturnType<typeof settled>[], string][] = [
      [[settled('a.jpg'), settled('beach.jpg')], 'media/2026/03/beach.jpg: another item holds that name'],
      [
        [settled('a.jpg'), settled('b.jpg', held.id)],
        `media/2026/03/b.jpg: another item holds its id ${held.id}`,
      ],
      [[settled('a.jpg'), settled('a.jpg')], 'media/2026/03/a.jpg: another item holds that name'],
      [
        [{ ...settled('a.jpg'), bytes: jpegBytes(5, 3) }],
        'a.jpg: its bytes are not the image its metadata describes',
      ],
      [
        [{ ...settled('a.jpg'), bytes: new Uint8Array([1, 2, 3]) }],
        'a.jpg is not an image Pymark can use (JPEG, PNG, GIF or WebP)',
      ],
    ];
    for (const [items, message] of refusals) {
      const refused = store.addImported(items);
      await expect(refused).rejects.toThrow(MediaRefusedError);
      await expect(refused).rejects.toThrow(message);
      expect(await store.list()).toEqual([]);
    }
    const changes: MediaChange[] = [];
    store.subscribe((change) => changes.push(change));
    const added = settled('a.jpg');
    await store.addImported([added]);
    expect(await store.list()).toEqual([added.media]);
    expect(new Uint8Array(await (await store.blob(added.media.id))!.arrayBuffer())).toEqual(bytes);
    expect(changes).toEqual([{ type: 'put', media: added.media }]);
  });

  it('reports an invalid record and lists the rest', async () => {
    const invalid: string[] = [];
    const dbName = `pymark-test-${crypto.randomUUID()}`;
    const store = await openMediaStore({
      dbName,
      onInvalidRecord: (record) => invalid.push(String(record.key)),
    });
    opened.push(store);
    const media = await store.import({ name: 'a.jpg', bytes: jpegBytes(10, 10), lastModified });
    const { openPymarkDb } = await import('../../src/storage/pymark-db');
    const db = await openPymarkDb(dbName);
    await db.put('media', { id: 'broken', fileName: 'x.jpg' });
    db.close();
    expect(await store.list()).toEqual([media]);
    expect(invalid).toEqual(['broken']);
  });
});
