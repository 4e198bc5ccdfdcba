import { z } from 'zod';
import {
  type Draft,
  defaultEntrypoint,
  draftSchema,
  type Script,
  type ScriptKind,
  scriptSchema,
} from '../core/script';
import { slugify, uniqueSlug } from '../core/slug';
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
import type { NewScript, ScriptChange, ScriptChanges, ScriptStore, TrashedScript } from './script-store';

/** What a new script starts with when no body is given: the smallest useful example of each kind. */
export const defaultBodies: Record<ScriptKind, string> = {
  utility: 'def main():\n    print("Hello from Pymark")\n',
  macro: 'def render(context):\n    return {"html": "<p>Hello from Pymark</p>"}\n',
  transform: 'def transform(post):\n    return post\n',
};

export interface ScriptStoreOptions {
  /** Defaults to the app's database; tests pass a fresh name each. */
  dbName?: string;
  /** Hears about stored records that were skipped as invalid; defaults to a console warning. */
  onInvalidRecord?: InvalidRecordListener;
}

export interface IdbScriptStore extends ScriptStore {
  /** Closes the database connection and stops listening to other instances. */
  close(): void;
}

export async function openScriptStore(options: ScriptStoreOptions = {}): Promise<IdbScriptStore> {
  const dbName = options.dbName ?? defaultDbName;
  const db = await openPymarkDb(dbName);
  return new IndexedDbScriptStore(db, dbName, options.onInvalidRecord ?? warnAboutInvalidRecord);
}

const newScriptSchema = z.object({
  title: scriptSchema.shape.title,
  kind: scriptSchema.shape.kind,
  body: scriptSchema.shape.body.optional(),
});

const scriptChangesSchema = scriptSchema
  .pick({ body: true, kind: true, entrypoint: true, enabled: true })
  .partial()
  .strict();

const trashedScriptSchema = scriptSchema.extend({ deletedAt: z.iso.datetime({ offset: true }) });

const scriptChangeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('put'), script: scriptSchema }),
  z.object({ type: z.literal('delete'), id: z.string() }),
]);

/** Just enough of a stored record to know which slug it holds, even if the rest is invalid. */
const slugHolderSchema = z.object({ id: z.string(), slug: z.string() });

interface RecordReader {
  get(key: string): Promise<unknown>;
}

interface RecordLister {
  getAll(): Promise<unknown[]>;
}

function validInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`Invalid ${what}:\n${z.prettifyError(result.error)}`);
  return result.data;
}

async function requireScript(scripts: RecordReader, id: string): Promise<Script> {
  const stored = await scripts.get(id);
  if (stored === undefined) throw new Error(`No script with id ${id}`);
  return parseRecord(scriptSchema, 'scripts', id, stored);
}

/**
 * Slugs held by scripts and the trash, invalid records included: the unique index would reject a
 * duplicate anyway, and a trashed script keeps its slug reserved for its restore.
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

function now(): string {
  return new Date().toISOString();
}

class IndexedDbScriptStore implements IdbScriptStore {
  private readonly listeners = new Set<(change: ScriptChange) => void>();
  private readonly channel: BroadcastChannel | undefined;

  constructor(
    private readonly db: PymarkDb,
    dbName: string,
    private readonly onInvalidRecord: InvalidRecordListener,
  ) {
    this.channel =
      typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(`${dbName}:scripts`);
    this.channel?.addEventListener('message', (event: MessageEvent<unknown>) => {
      // Another tab may run a different build; a message we cannot read is not ours to act on.
      const change = scriptChangeSchema.safeParse(event.data);
      if (change.success) this.deliver(change.data);
    });
  }

  async list(): Promise<Script[]> {
    const scripts = await this.readValid('scripts', scriptSchema);
    return scripts.sort((a, b) => a.title.localeCompare(b.title));
  }

  async listTrash(): Promise<TrashedScript[]> {
    const trashed = await this.readValid('trash', trashedScriptSchema);
    return trashed.sort((a, b) => b.deletedAt.localeCompare(a.deletedAt));
  }

  async get(id: string): Promise<Script | undefined> {
    const stored = await this.db.get('scripts', id);
    return stored === undefined ? undefined : parseRecord(scriptSchema, 'scripts', id, stored);
  }

  async create(input: NewScript): Promise<Script> {
    const { title, kind, body } = validInput(newScriptSchema, input, 'new script');
    const script = await inWriteTransaction(this.db, ['scripts', 'trash'], async (tx) => {
      const scripts = tx.objectStore('scripts');
      const taken = await takenSlugs([scripts, tx.objectStore('trash')]);
      const createdAt = now();
      const created: Script = {
        id: crypto.randomUUID(),
        title,
        slug: uniqueSlug(slugify(title, 'script'), taken),
        kind,
        entrypoint: defaultEntrypoint[kind],
        enabled: true,
        body: body ?? defaultBodies[kind],
        version: 1,
        createdAt,
        updatedAt: createdAt,
      };
      await scripts.add(created);
      return created;
    });
    this.announce({ type: 'put', script });
    return script;
  }

  async save(id: string, changes: ScriptChanges): Promise<Script> {
    const valid = validInput(scriptChangesSchema, changes, 'script changes');
    const script = await inWriteTransaction(this.db, ['scripts', 'drafts'], async (tx) => {
      const scripts = tx.objectStore('scripts');
      // Read and write in the same transaction: IndexedDB serialises overlapping readwrite
      // transactions, so concurrent saves each see the previous version and none is lost.
      const current = await requireScript(scripts, id);
      const kind = valid.kind ?? current.kind;
      const keepsDefaultEntrypoint = current.entrypoint === defaultEntrypoint[current.kind];
      const saved: Script = {
        ...current,
        kind,
        entrypoint:
          valid.entrypoint ?? (keepsDefaultEntrypoint ? defaultEntrypoint[kind] : current.entrypoint),
        body: valid.body ?? current.body,
        enabled: valid.enabled ?? current.enabled,
        version: current.version + 1,
        updatedAt: now(),
      };
      await Promise.all([scripts.put(saved), tx.objectStore('drafts').delete(id)]);
      return saved;
    });
    this.announce({ type: 'put', script });
    return script;
  }

  async rename(id: string, title: string): Promise<Script> {
    const validTitle = validInput(scriptSchema.shape.title, title, 'title');
    const script = await inWriteTransaction(this.db, ['scripts', 'trash'], async (tx) => {
      const scripts = tx.objectStore('scripts');
      const current = await requireScript(scripts, id);
      const taken = await takenSlugs([scripts, tx.objectStore('trash')], id);
      const renamed: Script = {
        ...current,
        title: validTitle,
        slug: uniqueSlug(slugify(validTitle, 'script'), taken),
        updatedAt: now(),
      };
      await scripts.put(renamed);
      return renamed;
    });
    this.announce({ type: 'put', script });
    return script;
  }

  async delete(id: string): Promise<void> {
    await inWriteTransaction(this.db, ['scripts', 'trash'], async (tx) => {
      const scripts = tx.objectStore('scripts');
      const current = await requireScript(scripts, id);
      const trashed: TrashedScript = { ...current, deletedAt: now() };
      await Promise.all([scripts.delete(id), tx.objectStore('trash').add(trashed)]);
    });
    this.announce({ type: 'delete', id });
  }

  async restore(id: string): Promise<Script> {
    const script = await inWriteTransaction(this.db, ['scripts', 'trash'], async (tx) => {
      const scripts = tx.objectStore('scripts');
      const trash = tx.objectStore('trash');
      const stored = await trash.get(id);
      if (stored === undefined) throw new Error(`No script with id ${id} in the trash`);
      const { deletedAt: _, ...trashed } = parseRecord(trashedScriptSchema, 'trash', id, stored);
      const taken = await takenSlugs([scripts, trash], id);
      const restored: Script = { ...trashed, slug: uniqueSlug(trashed.slug, taken) };
      await Promise.all([trash.delete(id), scripts.add(restored)]);
      return restored;
    });
    this.announce({ type: 'put', script });
    return script;
  }

  async getDraft(scriptId: string): Promise<Draft | undefined> {
    const stored = await this.db.get('drafts', scriptId);
    if (stored === undefined) return undefined;
    const checked = checkRecord(draftSchema, 'drafts', scriptId, stored);
    if (checked.ok) return checked.record;
    this.onInvalidRecord(checked.invalid);
    return undefined;
  }

  async putDraft(draft: Draft): Promise<void> {
    const valid = validInput(draftSchema, draft, 'draft');
    await inWriteTransaction(this.db, ['scripts', 'drafts'], async (tx) => {
      // Checked in the same transaction so a concurrent delete cannot leave an orphaned draft behind.
      if ((await tx.objectStore('scripts').getKey(valid.scriptId)) === undefined) {
        throw new Error(`No script with id ${valid.scriptId}`);
      }
      await tx.objectStore('drafts').put(valid);
    });
  }

  async clearDraft(scriptId: string): Promise<void> {
    await this.db.delete('drafts', scriptId);
  }

  subscribe(listener: (change: ScriptChange) => void): () => void {
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

  private async readValid<T>(store: 'scripts' | 'trash', schema: z.ZodType<T>): Promise<T[]> {
    const valid: T[] = [];
    for await (const cursor of this.db.transaction(store).store) {
      const checked = checkRecord(schema, store, cursor.primaryKey, cursor.value);
      if (checked.ok) valid.push(checked.record);
      else this.onInvalidRecord(checked.invalid);
    }
    return valid;
  }

  /** Only called after the transaction committed, so listeners never hear of a write that did not land. */
  private announce(change: ScriptChange): void {
    this.deliver(change);
    // BroadcastChannel does not echo to its sender, so local listeners were served above.
    this.channel?.postMessage(change);
  }

  private deliver(change: ScriptChange): void {
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
