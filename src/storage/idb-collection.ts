import { z } from 'zod';
import { slugify, uniqueSlug } from '../core/slug';
import type { ExternalChanges, SlugItem, Trashed } from './item-store';
import {
  checkRecord,
  type InvalidRecordListener,
  inWriteTransaction,
  type PymarkDb,
  parseRecord,
  type StoreName,
} from './pymark-db';

export interface CollectionConfig<T extends SlugItem, Change> {
  live: Extract<StoreName, 'scripts' | 'posts'>;
  trash: Extract<StoreName, 'trash' | 'postTrash'>;
  /** The item's name in messages: "No script with id …". */
  noun: 'script' | 'post';
  schema: z.ZodType<T>;
  putChange(item: T): Change;
  deleteChange(id: string): Change;
  changeSchema: z.ZodType<Change>;
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

interface RecordReader {
  get(key: string): Promise<unknown>;
}

interface RecordLister {
  getAll(): Promise<unknown[]>;
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
 * The IndexedDB side shared by the script and post stores: reading, renaming, the trash, external
 * changes and change events. Subclasses add what differs: creating and saving.
 */
export abstract class IdbCollection<T extends SlugItem, Change> {
  private readonly listeners = new Set<(change: Change) => void>();
  private readonly channel: BroadcastChannel | undefined;
  private readonly trashedSchema: z.ZodType<Trashed<T>>;

  constructor(
    protected readonly db: PymarkDb,
    dbName: string,
    protected readonly onInvalidRecord: InvalidRecordListener,
    protected readonly config: CollectionConfig<T, Change>,
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
    return items.sort((a, b) => a.title.localeCompare(b.title));
  }

  async listTrash(): Promise<Trashed<T>[]> {
    const trashed = await this.readValid(this.config.trash, this.trashedSchema);
    return trashed.sort((a, b) => b.deletedAt.localeCompare(a.deletedAt));
  }

  async get(id: string): Promise<T | undefined> {
    const stored = await this.db.get(this.config.live, id);
    return stored === undefined ? undefined : parseRecord(this.config.schema, this.config.live, id, stored);
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
      const taken = await takenSlugs([items, trashStore], id);
      const restored: T = { ...trashed, slug: uniqueSlug(trashed.slug, taken) };
      await Promise.all([trashStore.delete(id), items.add(restored)]);
      return restored;
    });
    this.announce(this.config.putChange(item));
    return item;
  }

  /** Deletes a trashed item for good, which frees its slug. */
  async purge(id: string): Promise<void> {
    const { trash, noun } = this.config;
    await inWriteTransaction(this.db, [trash, ...this.purgedWith], async (tx) => {
      if ((await tx.objectStore(trash).getKey(id)) === undefined)
        throw new Error(`No ${noun} with id ${id} in the trash`);
      await Promise.all([trash, ...this.purgedWith].map((store) => tx.objectStore(store).delete(id)));
    });
    // As a delete, so other tabs showing the trash list it again.
    this.announce(this.config.deleteChange(id));
  }

  /** Other stores keyed by the item's id whose record goes with it when it is purged. */
  protected readonly purgedWith: Exclude<StoreName, 'trash' | 'postTrash'>[] = [];

  async applyExternal(changes: ExternalChanges<T>): Promise<void> {
    const { live, trash, schema, noun } = this.config;
    const puts = changes.put.map((item) => validInput(schema, item, noun));
    await inWriteTransaction(this.db, [live, trash], async (tx) => {
      const items = tx.objectStore(live);
      const trashStore = tx.objectStore(trash);
      const deletedAt = now();
      for (const id of changes.trash) {
        const stored = await items.get(id);
        if (stored === undefined) continue;
        await trashStore.put({ ...parseRecord(schema, live, id, stored), deletedAt });
      }
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

  protected async require(items: RecordReader, id: string): Promise<T> {
    const stored = await items.get(id);
    if (stored === undefined) throw new Error(`No ${this.config.noun} with id ${id}`);
    return parseRecord(this.config.schema, this.config.live, id, stored);
  }

  private async readValid<R>(store: StoreName, schema: z.ZodType<R>): Promise<R[]> {
    const valid: R[] = [];
    for await (const cursor of this.db.transaction(store).store) {
      const checked = checkRecord(schema, store, cursor.primaryKey, cursor.value);
      if (checked.ok) valid.push(checked.record);
      else this.onInvalidRecord(checked.invalid);
    }
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
