import { z } from 'zod';
import { slugify, uniqueSlug } from '../core/slug';
import { ChangedMeanwhile, type ExternalChanges, type SlugItem, type Trashed } from './item-store';
import {
  checkRecord,
  type InvalidRecordListener,
  inWriteTransaction,
  type PymarkDb,
  parseRecord,
  readRecord,
  type StoreName,
} from './pymark-db';

/** The stores and messages of one kind of item that has a trash: scripts, posts or media. */
export interface TrashStoreConfig<T extends { id: string }, Change> {
  live: Extract<StoreName, 'scripts' | 'posts' | 'media'>;
  trash: Extract<StoreName, 'trash' | 'postTrash' | 'mediaTrash'>;
  /** The item's name in messages: "No script with id …". */
  noun: 'script' | 'post' | 'media';
  schema: z.ZodType<T>;
  /** The order `list` gives. */
  order(a: T, b: T): number;
  putChange(item: T): Change;
  deleteChange(id: string): Change;
  changeSchema: z.ZodType<Change>;
}

export interface CollectionConfig<T extends SlugItem, Change>
  extends Omit<TrashStoreConfig<T, Change>, 'live' | 'trash' | 'noun' | 'order'> {
  live: Extract<StoreName, 'scripts' | 'posts'>;
  trash: Extract<StoreName, 'trash' | 'postTrash'>;
  noun: 'script' | 'post';
}

/** A record that goes with a purged item: by the item's id, or a range of keys (its thumbnails). */
export interface PurgedRecord {
  store: Exclude<StoreName, 'trash' | 'postTrash' | 'mediaTrash'>;
  key: string | IDBKeyRange;
}

export function validInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`Invalid ${what}:\n${z.prettifyError(result.error)}`);
  return result.data;
}

export function now(): string {
  return new Date().toISOString();
}

const deletedAt = z.iso.datetime({ offset: true });

/** Just enough of a stored record to know which slug it holds, even if the rest is invalid. */
const slugHolderSchema = z.object({ id: z.string(), slug: z.string() });

export interface RecordReader {
  get(key: string): Promise<unknown>;
}

export interface RecordLister {
  getAll(): Promise<unknown[]>;
}

export interface RecordWriter {
  put(value: unknown): Promise<unknown>;
}

/**
 * Slugs held by items and the trash, invalid records included: the unique index would reject a
 * duplicate anyway, and a trashed item keeps its slug reserved for its restore.
 */
async function takenSlugs(stores: RecordLister[], exceptId?: string): Promise<Set<string>> {
  const records = (await Promise.all(stores.map((store) => store.getAll()))).flat();
  const taken = new Set<string>();
  for (const record of records) {
    const holder = slugHolderSchema.safeParse(record);
    if (holder.success && holder.data.id !== exceptId) taken.add(holder.data.slug);
  }
  return taken;
}

/**
 * The IndexedDB side shared by the script, post and media stores: reading, the trash and change
 * events across tabs. Subclasses say how a restored item gets a name no other holds, and add the rest.
 */
export abstract class IdbTrashStore<T extends { id: string }, Change> {
  private readonly listeners = new Set<(change: Change) => void>();
  private readonly channel: BroadcastChannel | undefined;
  private readonly trashedSchema: z.ZodType<Trashed<T>>;

  constructor(
    protected readonly db: PymarkDb,
    dbName: string,
    protected readonly onInvalidRecord: InvalidRecordListener,
    protected readonly config: TrashStoreConfig<T, Change>,
  ) {
    this.trashedSchema = z.intersection(config.schema, z.object({ deletedAt }));
    this.channel =
      typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(`${dbName}:${config.live}`);
    this.channel?.addEventListener('message', (event: MessageEvent<unknown>) => {
      // Another tab may run a different build; a message we cannot read is not ours to act on.
      const change = config.changeSchema.safeParse(event.data);
      if (change.success) this.deliver(change.data);
    });
  }

  async list(): Promise<T[]> {
    const items = await this.readValid(this.config.live, this.config.schema);
    return items.sort(this.config.order);
  }

  async listTrash(): Promise<Trashed<T>[]> {
    const trashed = await this.readValid(this.config.trash, this.trashedSchema);
    return trashed.sort((a, b) => b.deletedAt.localeCompare(a.deletedAt));
  }

  async get(id: string): Promise<T | undefined> {
    const stored = await readRecord(this.db, this.config.live, id);
    return stored === undefined ? undefined : parseRecord(this.config.schema, this.config.live, id, stored);
  }

  async delete(id: string): Promise<void> {
    const { live, trash } = this.config;
    await inWriteTransaction(this.db, [live, trash], async (tx) => {
      const items = tx.objectStore(live);
      const trashed: Trashed<T> = { ...(await this.require(items, id)), deletedAt: now() };
      await Promise.all([items.delete(id), tx.objectStore(trash).add(trashed)]);
    });
    this.announce(this.config.deleteChange(id));
  }

  async restore(id: string): Promise<T> {
    const { live, trash, noun } = this.config;
    const item = await inWriteTransaction(this.db, [live, trash], async (tx) => {
      const items = tx.objectStore(live);
      const trashStore = tx.objectStore(trash);
      const stored = await trashStore.get(id);
      if (stored === undefined) throw new Error(`No ${noun} with id ${id} in the trash`);
      // The item schema drops `deletedAt`, leaving the item exactly as it was.
      const trashed = parseRecord(this.config.schema, trash, id, stored);
      const restored = await this.renamedForRestore(trashed, items, trashStore);
      await Promise.all([trashStore.delete(id), items.add(restored)]);
      return restored;
    });
    this.announce(this.config.putChange(item));
    return item;
  }

  /** Deletes a trashed item for good, with its records in other stores, which frees its name. */
  async purge(id: string): Promise<void> {
    const { trash, noun } = this.config;
    const others = this.purgedRecords(id);
    await inWriteTransaction(this.db, [trash, ...others.map(({ store }) => store)], async (tx) => {
      if ((await tx.objectStore(trash).getKey(id)) === undefined)
        throw new Error(`No ${noun} with id ${id} in the trash`);
      await Promise.all([
        tx.objectStore(trash).delete(id),
        ...others.map(({ store, key }) => tx.objectStore(store).delete(key)),
      ]);
    });
    // As a delete, so other tabs showing the trash list it again.
    this.announce(this.config.deleteChange(id));
  }

  /**
   * Puts a trashed copy of each live item in `ids` into the trash, for a folder sync that deleted
   * them; the caller removes the live records when its unique indexes allow. Ids the app does not
   * hold are passed over.
   */
  protected async copyToTrash(
    items: RecordReader,
    trash: RecordWriter,
    ids: readonly string[],
  ): Promise<void> {
    const deletedAt = now();
    for (const id of ids) {
      const stored = await items.get(id);
      if (stored === undefined) continue;
      await trash.put({ ...parseRecord(this.config.schema, this.config.live, id, stored), deletedAt });
    }
  }

  /** The trashed item as it comes back: renamed when another item took its name meanwhile. */
  protected abstract renamedForRestore(trashed: T, items: RecordLister, trash: RecordLister): Promise<T>;

  /** Records in other stores that go with the item when it is purged. */
  protected purgedRecords(_id: string): PurgedRecord[] {
    return [];
  }

  subscribe(listener: (change: Change) => void): () => void {
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

  /**
   * Rejects with `ChangedMeanwhile` unless each item is stored as `readAs` says (see
   * `ExternalChanges.readAs`). Called in the writing transaction, so no save lands in between.
   */
  protected async requireUnchanged(items: RecordReader, readAs: ReadonlyMap<string, T | null> = new Map()) {
    for (const [id, expected] of readAs) {
      const stored = await items.get(id);
      const checked =
        stored === undefined ? undefined : checkRecord(this.config.schema, this.config.live, id, stored);
      // An invalid record is one the caller's `list` skipped: to it, there was none.
      const current = checked?.ok ? checked.record : null;
      if (JSON.stringify(current) !== JSON.stringify(expected)) throw new ChangedMeanwhile(id);
    }
  }

  protected async require(items: RecordReader, id: string): Promise<T> {
    const stored = await items.get(id);
    if (stored === undefined) throw new Error(`No ${this.config.noun} with id ${id}`);
    return parseRecord(this.config.schema, this.config.live, id, stored);
  }

  private async readValid<R>(store: StoreName, schema: z.ZodType<R>): Promise<R[]> {
    const valid: R[] = [];
    const tx = this.db.transaction(store);
    const read = async () => {
      for await (const cursor of tx.store) {
        const checked = checkRecord(schema, store, cursor.primaryKey, cursor.value);
        if (checked.ok) valid.push(checked.record);
        else this.onInvalidRecord(checked.invalid);
      }
    };
    // Both, as `readRecord` does: a failed read aborts the transaction and rejects `done` too.
    await Promise.all([read(), tx.done]);
    return valid;
  }

  /** Only called after the transaction committed, so listeners never hear of a write that did not land. */
  protected announce(change: Change): void {
    this.deliver(change);
    // BroadcastChannel does not echo to its sender, so local listeners were served above.
    this.channel?.postMessage(change);
  }

  private deliver(change: Change): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        // A listener's bug must not turn a committed write into a rejected promise; surface it apart.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

/**
 * The scripts' and posts' store: items named by a unique slug, renamed, created and changed from a
 * synced folder. Subclasses add what differs: creating and saving.
 */
export abstract class IdbCollection<T extends SlugItem, Change> extends IdbTrashStore<T, Change> {
  declare protected readonly config: TrashStoreConfig<T, Change> & CollectionConfig<T, Change>;

  constructor(
    db: PymarkDb,
    dbName: string,
    onInvalidRecord: InvalidRecordListener,
    config: CollectionConfig<T, Change>,
  ) {
    super(db, dbName, onInvalidRecord, { ...config, order: (a, b) => a.title.localeCompare(b.title) });
  }

  async rename(id: string, title: string): Promise<T> {
    const { live, trash, schema } = this.config;
    const validTitle = validInput(z.string().trim().min(1, 'title must not be empty'), title, 'title');
    const item = await inWriteTransaction(this.db, [live, trash], async (tx) => {
      const items = tx.objectStore(live);
      const current = await this.require(items, id);
      const taken = await takenSlugs([items, tx.objectStore(trash)], id);
      const renamed = validInput(
        schema,
        {
          ...current,
          title: validTitle,
          slug: uniqueSlug(slugify(validTitle, this.config.noun), taken),
          updatedAt: now(),
        },
        this.config.noun,
      );
      await items.put(renamed);
      return renamed;
    });
    this.announce(this.config.putChange(item));
    return item;
  }

  /**
   * Gives an item a slug of the user's choosing; rejects a slug that is not one (`a-z0-9_`) or that
   * another item or the trash holds, naming it.
   */
  async changeSlug(id: string, slug: string): Promise<T> {
    const { live, trash, schema, noun } = this.config;
    if (slugify(slug, noun) !== slug) throw new Error(`“${slug}” is not a slug: use a-z, 0-9 and _`);
    const item = await inWriteTransaction(this.db, [live, trash], async (tx) => {
      const items = tx.objectStore(live);
      const current = await this.require(items, id);
      if ((await takenSlugs([items, tx.objectStore(trash)], id)).has(slug))
        throw new Error(`the slug “${slug}” is taken by another ${noun} or one in the trash`);
      const changed = validInput(schema, { ...current, slug, updatedAt: now() }, noun);
      await items.put(changed);
      return changed;
    });
    this.announce(this.config.putChange(item));
    return item;
  }

  async applyExternal(changes: ExternalChanges<T>): Promise<void> {
    const { live, trash, schema, noun } = this.config;
    const puts = changes.put.map((item) => validInput(schema, item, noun));
    await inWriteTransaction(this.db, [live, trash], async (tx) => {
      const items = tx.objectStore(live);
      const trashStore = tx.objectStore(trash);
      await this.requireUnchanged(items, changes.readAs);
      await this.copyToTrash(items, trashStore, changes.trash);
      // Every record that changes is deleted before any is written back, so the unique slug index
      // never sees two of them holding the same slug mid-way.
      for (const id of [...changes.trash, ...puts.map((item) => item.id)]) await items.delete(id);
      for (const item of puts) {
        await trashStore.delete(item.id);
        await items.add(item);
      }
    });
    for (const id of changes.trash) this.announce(this.config.deleteChange(id));
    for (const item of puts) this.announce(this.config.putChange(item));
  }

  /** Adds the item `build` makes from a slug unique among items and trash, derived from `title`. */
  protected async addNew(title: string, build: (slug: string, createdAt: string) => T): Promise<T> {
    const { live, trash, noun } = this.config;
    const item = await inWriteTransaction(this.db, [live, trash], async (tx) => {
      const items = tx.objectStore(live);
      const taken = await takenSlugs([items, tx.objectStore(trash)]);
      const created = build(uniqueSlug(slugify(title, noun), taken), now());
      await items.add(created);
      return created;
    });
    this.announce(this.config.putChange(item));
    return item;
  }

  /** Other stores keyed by the item's id whose record goes with it when it is purged. */
  protected readonly purgedWith: PurgedRecord['store'][] = [];

  protected override purgedRecords(id: string): PurgedRecord[] {
    return this.purgedWith.map((store) => ({ store, key: id }));
  }

  /** A trashed item keeps its slug reserved, so it comes back with it unless a live item took it. */
  protected override async renamedForRestore(
    trashed: T,
    items: RecordLister,
    trash: RecordLister,
  ): Promise<T> {
    const taken = await takenSlugs([items, trash], trashed.id);
    return { ...trashed, slug: uniqueSlug(trashed.slug, taken) };
  }
}
