import { z } from 'zod';
import {
  type Draft,
  defaultEntrypoint,
  draftSchema,
  type Script,
  type ScriptKind,
  scriptSchema,
} from '../core/script';
import { IdbCollection, now, validInput } from './idb-collection';
import { EditConflict } from './item-store';
import {
  checkRecord,
  defaultDbName,
  type InvalidRecordListener,
  inWriteTransaction,
  openPymarkDb,
  type PymarkDb,
  readRecord,
  warnAboutInvalidRecord,
} from './pymark-db';
import type { NewScript, ScriptChange, ScriptChanges, ScriptStore } from './script-store';

/** What a new script starts with when no body is given: the smallest useful example of each kind. */
export const defaultBodies: Record<ScriptKind, string> = {
  utility: 'def main():\n    print("Hello from Pymark")\n',
  macro: 'def render(context):\n    return {"html": "<p>Hello from Pymark</p>"}\n',
  transform:
    'def transform(post):\n' +
    '    # post: "title", "body", "tags", "categories", and "source" (what was shared: "title", "text", "url").\n' +
    '    # Return the post to save, or a str: its body. Run tries it on a sample shared page.\n' +
    '    return post\n',
};

export interface StoreOptions {
  /** Defaults to the app's database; tests pass a fresh name each. */
  dbName?: string;
  /** Hears about stored records that were skipped as invalid; defaults to a console warning. */
  onInvalidRecord?: InvalidRecordListener;
}

export type ScriptStoreOptions = StoreOptions;

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

const scriptChangeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('put'), script: scriptSchema }),
  z.object({ type: z.literal('delete'), id: z.string() }),
]);

class IndexedDbScriptStore extends IdbCollection<Script, ScriptChange> implements IdbScriptStore {
  // A draft stays with a trashed script for its restore; purging the script takes it too.
  protected override readonly purgedWith = ['drafts' as const];

  constructor(db: PymarkDb, dbName: string, onInvalidRecord: InvalidRecordListener) {
    super(db, dbName, onInvalidRecord, {
      live: 'scripts',
      trash: 'trash',
      noun: 'script',
      schema: scriptSchema,
      putChange: (script) => ({ type: 'put', script }),
      deleteChange: (id) => ({ type: 'delete', id }),
      changeSchema: scriptChangeSchema,
    });
  }

  async create(input: NewScript): Promise<Script> {
    const { title, kind, body } = validInput(newScriptSchema, input, 'new script');
    return this.addNew(title, (slug, createdAt) => ({
      id: crypto.randomUUID(),
      title,
      slug,
      kind,
      entrypoint: defaultEntrypoint[kind],
      enabled: true,
      body: body ?? defaultBodies[kind],
      version: 1,
      createdAt,
      updatedAt: createdAt,
    }));
  }

  async save(id: string, changes: ScriptChanges, baseBody?: string): Promise<Script> {
    const valid = validInput(scriptChangesSchema, changes, 'script changes');
    const script = await inWriteTransaction(this.db, ['scripts', 'drafts'], async (tx) => {
      const scripts = tx.objectStore('scripts');
      // Read and write in the same transaction: IndexedDB serialises overlapping readwrite
      // transactions, so concurrent saves each see the previous version and none is lost.
      const current = await this.require(scripts, id);
      if (baseBody !== undefined && current.body !== baseBody) throw new EditConflict(current);
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

  async getDraft(scriptId: string): Promise<Draft | undefined> {
    const stored = await readRecord(this.db, 'drafts', scriptId);
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
}
