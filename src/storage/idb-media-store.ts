import { z } from 'zod';
import { inspectImage } from '../core/image-inspect';
import {
  type Media,
  type MediaEdit,
  mediaEditSchema,
  mediaMonthFolder,
  mediaPath,
  mediaSchema,
  safeMediaFileName,
  type ThumbnailSize,
  thumbnailSizeNames,
  uniqueFileName,
} from '../core/media';
import { IdbTrashStore, now, type PurgedRecord, type RecordLister, validInput } from './idb-collection';
import type { StoreOptions } from './idb-script-store';
import {
  type ExternalMediaChanges,
  type ImportedFile,
  type MediaChange,
  MediaRefusedError,
  type MediaStore,
  type NewMedia,
} from './media-store';
import {
  checkRecord,
  defaultDbName,
  type InvalidRecordListener,
  inWriteTransaction,
  openPymarkDb,
  type PymarkDb,
  parseRecord,
  readRecord,
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

const blobRecordSchema = z.object({ id: z.string(), blob: z.instanceof(Blob) });
const thumbnailRecordSchema = z.object({ key: z.string(), blob: z.instanceof(Blob) });

const mediaChangeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('put'), media: mediaSchema }),
  z.object({ type: z.literal('delete'), id: z.string() }),
]);

const thumbnailKey = (id: string, size: ThumbnailSize) => `${id}:${size}`;

/** Just enough of a record to know which path it holds, even if the rest is invalid. */
const pathHolderSchema = z.object({ id: z.string(), fileName: z.string(), createdAt: z.string() });

class IndexedDbMediaStore extends IdbTrashStore<Media, MediaChange> implements IdbMediaStore {
  constructor(db: PymarkDb, dbName: string, onInvalidRecord: InvalidRecordListener) {
    super(db, dbName, onInvalidRecord, {
      live: 'media',
      trash: 'mediaTrash',
      noun: 'media',
      schema: mediaSchema,
      order: (a, b) => b.createdAt.localeCompare(a.createdAt) || a.fileName.localeCompare(b.fileName),
      putChange: (media) => ({ type: 'put', media }),
      deleteChange: (id) => ({ type: 'delete', id }),
      changeSchema: mediaChangeSchema,
    });
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

  async addImported(items: readonly NewMedia[]): Promise<void> {
    const checked = items.map(({ media, bytes }) => {
      const valid = validInput(mediaSchema, media, 'media');
      const inspection = inspectImage(bytes, valid.fileName);
      if (!inspection.ok) throw new MediaRefusedError(inspection.reason);
      const { mimeType, width, height } = inspection.image;
      if (
        mimeType !== valid.mimeType ||
        width !== valid.width ||
        height !== valid.height ||
        bytes.length !== valid.size
      )
        throw new MediaRefusedError(`${valid.fileName}: its bytes are not the image its metadata describes`);
      return { media: valid, blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mimeType }) };
    });
    await inWriteTransaction(this.db, ['media', 'mediaTrash', 'mediaBlobs'], async (tx) => {
      const stores = [tx.objectStore('media'), tx.objectStore('mediaTrash')];
      const held = new Set<string>();
      for (const record of (await Promise.all(stores.map((store) => store.getAll()))).flat()) {
        const holder = pathHolderSchema.safeParse(record);
        if (holder.success) held.add(holder.data.id).add(mediaPath(holder.data));
      }
      for (const { media, blob } of checked) {
        const path = mediaPath(media);
        if (held.has(media.id)) throw new MediaRefusedError(`${path}: another item holds its id ${media.id}`);
        if (held.has(path)) throw new MediaRefusedError(`${path}: another item holds that name`);
        held.add(media.id).add(path);
        await Promise.all([
          tx.objectStore('media').add(media),
          tx.objectStore('mediaBlobs').add({ id: media.id, blob }),
        ]);
      }
    });
    for (const { media } of checked) this.announce({ type: 'put', media });
  }

  async blob(id: string): Promise<Blob | undefined> {
    const stored = await readRecord(this.db, 'mediaBlobs', id);
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

  /** Imports keep off trashed names, but a synced folder may bring one in: it comes back renamed then. */
  protected override async renamedForRestore(trashed: Media, items: RecordLister): Promise<Media> {
    const taken = await this.namesInMonth([items], trashed.createdAt);
    return { ...trashed, fileName: uniqueFileName(trashed.fileName, taken) };
  }

  /** Its bytes and every cached thumbnail (`<id>:<size>`). */
  protected override purgedRecords(id: string): PurgedRecord[] {
    return [
      { store: 'mediaBlobs', key: id },
      ...thumbnailSizeNames.map((size) => ({ store: 'thumbnails' as const, key: thumbnailKey(id, size) })),
    ];
  }

  async thumbnail(id: string, size: ThumbnailSize): Promise<Blob | undefined> {
    const key = thumbnailKey(id, size);
    const stored = await readRecord(this.db, 'thumbnails', key);
    if (stored === undefined) return undefined;
    const checked = checkRecord(thumbnailRecordSchema, 'thumbnails', key, stored);
    // A bad cache entry is as good as a missing one: the caller makes it again.
    return checked.ok ? checked.record.blob : undefined;
  }

  async putThumbnail(id: string, size: ThumbnailSize, blob: Blob): Promise<void> {
    await this.db.put('thumbnails', { key: thumbnailKey(id, size), blob });
  }

  async applyExternal(changes: ExternalMediaChanges): Promise<void> {
    const puts = changes.put.map(({ media, bytes }) => ({
      media: validInput(mediaSchema, media, 'media'),
      bytes,
    }));
    await inWriteTransaction(this.db, ['media', 'mediaTrash', 'mediaBlobs'], async (tx) => {
      const items = tx.objectStore('media');
      const trash = tx.objectStore('mediaTrash');
      const blobs = tx.objectStore('mediaBlobs');
      await this.requireUnchanged(items, changes.readAs);
      await this.copyToTrash(items, trash, changes.trash);
      for (const id of changes.trash) await items.delete(id);
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

  /** File names held in the month folder `createdAt` falls in, by live and (when given) trashed items. */
  private async namesInMonth(stores: RecordLister[], createdAt: string): Promise<Set<string>> {
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
}
