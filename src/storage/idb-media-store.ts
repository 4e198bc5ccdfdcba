import { z } from 'zod';
import { inspectImage } from '../core/image-inspect';
import {
  type Media,
  type MediaEdit,
  mediaEditSchema,
  mediaMonthFolder,
  mediaSchema,
  safeMediaFileName,
  type ThumbnailSize,
  thumbnailSizeNames,
  uniqueFileName,
} from '../core/media';
import { now, validInput } from './idb-collection';
import type { StoreOptions } from './idb-script-store';
import {
  type ExternalMedia,
  type ImportedFile,
  type MediaChange,
  MediaRefusedError,
  type MediaStore,
  type TrashedMedia,
} from './media-store';
import {
  checkRecord,
  defaultDbName,
  type InvalidRecordListener,
  inWriteTransaction,
  openPymarkDb,
  type PymarkDb,
  parseRecord,
  warnAboutInvalidRecord,
} from './pymark-db';

export interface IdbMediaStore extends MediaStore {
  close(): void;
}

export async function openMediaStore(options: StoreOptions = {}): Promise<IdbMediaStore> {
  const dbName = options.dbName ?? defaultDbName;
  return new IndexedDbMediaStore(
    await openPymarkDb(dbName),
    dbName,
    options.onInvalidRecord ?? warnAboutInvalidRecord,
  );
}

const trashedSchema = z.intersection(mediaSchema, z.object({ deletedAt: z.iso.datetime({ offset: true }) }));
const blobRecordSchema = z.object({ id: z.string(), blob: z.instanceof(Blob) });
const thumbnailRecordSchema = z.object({ key: z.string(), blob: z.instanceof(Blob) });

const mediaChangeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('put'), media: mediaSchema }),
  z.object({ type: z.literal('delete'), id: z.string() }),
]);

const thumbnailKey = (id: string, size: ThumbnailSize) => `${id}:${size}`;

/** Just enough of a record to know which path it holds, even if the rest is invalid. */
const pathHolderSchema = z.object({ id: z.string(), fileName: z.string(), createdAt: z.string() });

class IndexedDbMediaStore implements IdbMediaStore {
  private readonly listeners = new Set<(change: MediaChange) => void>();
  private readonly channel: BroadcastChannel | undefined;

  constructor(
    private readonly db: PymarkDb,
    dbName: string,
    private readonly onInvalidRecord: InvalidRecordListener,
  ) {
    this.channel =
      typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(`${dbName}:media`);
    this.channel?.addEventListener('message', (event: MessageEvent<unknown>) => {
      const change = mediaChangeSchema.safeParse(event.data);
      if (change.success) this.deliver(change.data);
    });
  }

  async list(): Promise<Media[]> {
    const items = await this.readValid('media', mediaSchema);
    return items.sort(
      (a, b) => b.createdAt.localeCompare(a.createdAt) || a.fileName.localeCompare(b.fileName),
    );
  }

  async listTrash(): Promise<TrashedMedia[]> {
    const trashed = await this.readValid('mediaTrash', trashedSchema);
    return trashed.sort((a, b) => b.deletedAt.localeCompare(a.deletedAt));
  }

  async get(id: string): Promise<Media | undefined> {
    const stored = await this.db.get('media', id);
    return stored === undefined ? undefined : parseRecord(mediaSchema, 'media', id, stored);
  }

  async import(file: ImportedFile): Promise<Media> {
    const inspection = inspectImage(file.bytes, file.name || 'The file');
    if (!inspection.ok) throw new MediaRefusedError(inspection.reason);
    const { image } = inspection;
    const createdAt =
      image.takenAt ?? validInput(z.iso.datetime({ offset: true }), file.lastModified, 'file time');
    const blob = new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: image.mimeType });
    const media = await inWriteTransaction(this.db, ['media', 'mediaTrash', 'mediaBlobs'], async (tx) => {
      const taken = await this.namesInMonth(
        [tx.objectStore('media'), tx.objectStore('mediaTrash')],
        createdAt,
      );
      const created = validInput(
        mediaSchema,
        {
          id: crypto.randomUUID(),
          fileName: uniqueFileName(safeMediaFileName(file.name, image.extension), taken),
          mimeType: image.mimeType,
          size: file.bytes.length,
          width: image.width,
          height: image.height,
          createdAt,
          updatedAt: now(),
          title: '',
          alt: '',
          caption: '',
          linkedPostIds: [],
        } satisfies Media,
        'media',
      );
      await Promise.all([
        tx.objectStore('media').add(created),
        tx.objectStore('mediaBlobs').put({ id: created.id, blob }),
      ]);
      return created;
    });
    this.announce({ type: 'put', media });
    return media;
  }

  async blob(id: string): Promise<Blob | undefined> {
    const stored = await this.db.get('mediaBlobs', id);
    return stored === undefined ? undefined : parseRecord(blobRecordSchema, 'mediaBlobs', id, stored).blob;
  }

  async edit(id: string, changes: MediaEdit): Promise<Media> {
    const valid = validInput(mediaEditSchema, changes, 'media changes');
    return this.update(id, (current) => ({ ...current, ...valid }));
  }

  async linkToPost(id: string, postId: string): Promise<Media> {
    return this.update(id, (current) =>
      current.linkedPostIds.includes(postId)
        ? current
        : { ...current, linkedPostIds: [...current.linkedPostIds, postId] },
    );
  }

  async delete(id: string): Promise<void> {
    await inWriteTransaction(this.db, ['media', 'mediaTrash'], async (tx) => {
      const items = tx.objectStore('media');
      const trashed: TrashedMedia = { ...(await this.require(items, id)), deletedAt: now() };
      await Promise.all([items.delete(id), tx.objectStore('mediaTrash').add(trashed)]);
    });
    this.announce({ type: 'delete', id });
  }

  async restore(id: string): Promise<Media> {
    const media = await inWriteTransaction(this.db, ['media', 'mediaTrash'], async (tx) => {
      const trash = tx.objectStore('mediaTrash');
      const stored = await trash.get(id);
      if (stored === undefined) throw new Error(`No media with id ${id} in the trash`);
      // The media schema drops `deletedAt`, leaving the item exactly as it was.
      const trashed = parseRecord(mediaSchema, 'mediaTrash', id, stored);
      const taken = await this.namesInMonth([tx.objectStore('media')], trashed.createdAt);
      const restored: Media = { ...trashed, fileName: uniqueFileName(trashed.fileName, taken) };
      await Promise.all([trash.delete(id), tx.objectStore('media').add(restored)]);
      return restored;
    });
    this.announce({ type: 'put', media });
    return media;
  }

  async purge(id: string): Promise<void> {
    await inWriteTransaction(this.db, ['mediaTrash', 'mediaBlobs', 'thumbnails'], async (tx) => {
      if ((await tx.objectStore('mediaTrash').getKey(id)) === undefined)
        throw new Error(`No media with id ${id} in the trash`);
      await Promise.all([
        tx.objectStore('mediaTrash').delete(id),
        tx.objectStore('mediaBlobs').delete(id),
        ...thumbnailSizeNames.map((size) => tx.objectStore('thumbnails').delete(thumbnailKey(id, size))),
      ]);
    });
    this.announce({ type: 'delete', id });
  }

  async thumbnail(id: string, size: ThumbnailSize): Promise<Blob | undefined> {
    const key = thumbnailKey(id, size);
    const stored = await this.db.get('thumbnails', key);
    if (stored === undefined) return undefined;
    const checked = checkRecord(thumbnailRecordSchema, 'thumbnails', key, stored);
    // A bad cache entry is as good as a missing one: the caller makes it again.
    return checked.ok ? checked.record.blob : undefined;
  }

  async putThumbnail(id: string, size: ThumbnailSize, blob: Blob): Promise<void> {
    await this.db.put('thumbnails', { key: thumbnailKey(id, size), blob });
  }

  async applyExternal(changes: { put: ExternalMedia[]; trash: string[] }): Promise<void> {
    const puts = changes.put.map(({ media, bytes }) => ({
      media: validInput(mediaSchema, media, 'media'),
      bytes,
    }));
    await inWriteTransaction(this.db, ['media', 'mediaTrash', 'mediaBlobs'], async (tx) => {
      const items = tx.objectStore('media');
      const trash = tx.objectStore('mediaTrash');
      const blobs = tx.objectStore('mediaBlobs');
      const deletedAt = now();
      for (const id of changes.trash) {
        const stored = await items.get(id);
        if (stored === undefined) continue;
        await trash.put({ ...parseRecord(mediaSchema, 'media', id, stored), deletedAt });
        await items.delete(id);
      }
      for (const { media, bytes } of puts) {
        if (bytes !== undefined) {
          await blobs.put({
            id: media.id,
            blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: media.mimeType }),
          });
        } else if ((await blobs.getKey(media.id)) === undefined) {
          throw new Error(`media ${media.fileName}: no bytes for an item the app does not hold`);
        }
        await trash.delete(media.id);
        await items.put(media);
      }
    });
    for (const id of changes.trash) this.announce({ type: 'delete', id });
    for (const { media } of puts) this.announce({ type: 'put', media });
  }

  subscribe(listener: (change: MediaChange) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  close(): void {
    this.channel?.close();
    this.listeners.clear();
    this.db.close();
  }

  private async update(id: string, change: (current: Media) => Media): Promise<Media> {
    const media = await inWriteTransaction(this.db, ['media'], async (tx) => {
      const items = tx.objectStore('media');
      const current = await this.require(items, id);
      const updated = validInput(mediaSchema, { ...change(current), updatedAt: now() }, 'media');
      await items.put(updated);
      return updated;
    });
    this.announce({ type: 'put', media });
    return media;
  }

  private async require(items: { get(key: string): Promise<unknown> }, id: string): Promise<Media> {
    const stored = await items.get(id);
    if (stored === undefined) throw new Error(`No media with id ${id}`);
    return parseRecord(mediaSchema, 'media', id, stored);
  }

  /** File names held in the month folder `createdAt` falls in, by live and (when given) trashed items. */
  private async namesInMonth(
    stores: { getAll(): Promise<unknown[]> }[],
    createdAt: string,
  ): Promise<Set<string>> {
    const month = mediaMonthFolder(createdAt);
    const records = (await Promise.all(stores.map((store) => store.getAll()))).flat();
    const taken = new Set<string>();
    for (const record of records) {
      const holder = pathHolderSchema.safeParse(record);
      if (holder.success && mediaMonthFolder(holder.data.createdAt) === month)
        taken.add(holder.data.fileName);
    }
    return taken;
  }

  private async readValid<R>(store: 'media' | 'mediaTrash', schema: z.ZodType<R>): Promise<R[]> {
    const valid: R[] = [];
    for await (const cursor of this.db.transaction(store).store) {
      const checked = checkRecord(schema, store, cursor.primaryKey, cursor.value);
      if (checked.ok) valid.push(checked.record);
      else this.onInvalidRecord(checked.invalid);
    }
    return valid;
  }

  /** Only called after the transaction committed, so listeners never hear of a write that did not land. */
  private announce(change: MediaChange): void {
    this.deliver(change);
    this.channel?.postMessage(change);
  }

  private deliver(change: MediaChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
