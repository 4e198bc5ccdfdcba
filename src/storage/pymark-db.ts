import {
  type DBSchema,
  type IDBPDatabase,
  type IDBPTransaction,
  openDB,
  type StoreKey,
  type StoreNames,
  type StoreValue,
} from 'idb';
import { z } from 'zod';

export const defaultDbName = 'pymark';

/**
 * Values are `unknown` on purpose: whatever comes back out of IndexedDB may have been written by an
 * older or newer build, another tab or a bug, so every reader validates it before trusting it.
 */
export interface PymarkDbSchema extends DBSchema {
  scripts: { key: string; value: unknown; indexes: { 'by-slug': string } };
  /** Deleted scripts, with `deletedAt`; their slugs stay reserved so a restore can bring them back. */
  trash: { key: string; value: unknown };
  drafts: { key: string; value: unknown };
  /** Out-of-line keys: one record per group of settings. */
  settings: { key: string; value: unknown };
  posts: { key: string; value: unknown; indexes: { 'by-slug': string } };
  /** Deleted posts, with `deletedAt`, like `trash` for scripts. */
  postTrash: { key: string; value: unknown };
  /** Per item: what it and its file looked like when a connected folder was last in sync. */
  syncState: { key: string; value: unknown };
  /** Per bundled default that was seeded: its version and what it looked like, to tell user edits. */
  seededDefaults: { key: string; value: unknown };
  /** Media metadata (src/core/media.ts); the bytes live apart in `mediaBlobs`, so listing reads no image. */
  media: { key: string; value: unknown };
  /** Deleted media, with `deletedAt`; their bytes stay in `mediaBlobs` until purged. */
  mediaTrash: { key: string; value: unknown };
  /** `{id, blob}` per media item: the imported file as it was. */
  mediaBlobs: { key: string; value: unknown };
  /** `{key: "<id>:<size>", blob}`: cached thumbnails, made again whenever one is missing. */
  thumbnails: { key: string; value: unknown };
}

export type PymarkDb = IDBPDatabase<PymarkDbSchema>;

export type StoreName =
  | 'scripts'
  | 'trash'
  | 'drafts'
  | 'settings'
  | 'posts'
  | 'postTrash'
  | 'syncState'
  | 'seededDefaults'
  | 'media'
  | 'mediaTrash'
  | 'mediaBlobs'
  | 'thumbnails';

/** A stored record that failed validation. It stays in the database untouched. */
export interface InvalidRecord {
  store: StoreName;
  key: IDBValidKey;
  /** Human-readable, e.g. "✖ slug must be lower-case a-z, 0-9 and _ → at slug". */
  reason: string;
}

export type InvalidRecordListener = (record: InvalidRecord) => void;

/** Used when the caller passes no listener, so a skipped record is never skipped silently. */
export const warnAboutInvalidRecord: InvalidRecordListener = (record) => {
  console.warn(`Pymark skipped an invalid ${record.store} record (${String(record.key)}):\n${record.reason}`);
};

/** Thrown when an operation needs one record and the stored one fails validation. */
export class InvalidRecordError extends Error {
  readonly record: InvalidRecord;

  constructor(record: InvalidRecord) {
    super(`Stored ${record.store} record ${String(record.key)} is invalid:\n${record.reason}`);
    this.name = 'InvalidRecordError';
    this.record = record;
  }
}

/** Validates one stored record; `key` and `store` only serve the report. */
export function checkRecord<T>(
  schema: z.ZodType<T>,
  store: StoreName,
  key: IDBValidKey,
  value: unknown,
): { ok: true; record: T } | { ok: false; invalid: InvalidRecord } {
  const result = schema.safeParse(value);
  return result.success
    ? { ok: true, record: result.data }
    : { ok: false, invalid: { store, key, reason: z.prettifyError(result.error) } };
}

/** Like `checkRecord`, for operations that cannot go on without the record. */
export function parseRecord<T>(schema: z.ZodType<T>, store: StoreName, key: IDBValidKey, value: unknown): T {
  const checked = checkRecord(schema, store, key, value);
  if (!checked.ok) throw new InvalidRecordError(checked.invalid);
  return checked.record;
}

/**
 * One record by key, or `undefined`. Unlike idb's `db.get`, which leaves the transaction's `done`
 * unheeded, it waits on both: a read that fails (Chromium's "Failed to read large IndexedDB value")
 * aborts the transaction, and its `done` then rejects too, which would otherwise surface as an
 * unhandled rejection beside the error the caller handles.
 */
export async function readRecord<Schema extends DBSchema, Name extends StoreNames<Schema>>(
  db: IDBPDatabase<Schema>,
  store: Name,
  key: StoreKey<Schema, Name>,
): Promise<StoreValue<Schema, Name> | undefined> {
  const tx = db.transaction(store);
  const [record] = await Promise.all([tx.store.get(key), tx.done]);
  return record;
}

/**
 * Runs `work` in one readwrite transaction and resolves once it has committed. If `work` throws,
 * the transaction is aborted so none of its earlier writes land.
 */
export async function inWriteTransaction<const Names extends StoreName[], T>(
  db: PymarkDb,
  storeNames: Names,
  work: (tx: IDBPTransaction<PymarkDbSchema, Names, 'readwrite'>) => Promise<T>,
): Promise<T> {
  const tx = db.transaction(storeNames, 'readwrite');
  try {
    const result = await work(tx);
    await tx.done;
    return result;
  } catch (error) {
    tx.done.catch(() => {
      // The abort below (or the failed request) rejects `done`; `error` is what the caller needs.
    });
    try {
      tx.abort();
    } catch {
      // Already finished or aborted: nothing left to undo.
    }
    throw error;
  }
}

const schemaVersion = 3;

export async function openPymarkDb(dbName: string): Promise<PymarkDb> {
  const db: PymarkDb = await openDB<PymarkDbSchema>(dbName, schemaVersion, {
    upgrade(db, oldVersion) {
      // One step per schema version, so a database several versions behind replays them in order.
      if (oldVersion < 1) {
        db.createObjectStore('scripts', { keyPath: 'id' }).createIndex('by-slug', 'slug', { unique: true });
        db.createObjectStore('trash', { keyPath: 'id' });
        db.createObjectStore('drafts', { keyPath: 'scriptId' });
        db.createObjectStore('settings');
      }
      if (oldVersion < 2) {
        db.createObjectStore('posts', { keyPath: 'id' }).createIndex('by-slug', 'slug', { unique: true });
        db.createObjectStore('postTrash', { keyPath: 'id' });
        db.createObjectStore('syncState', { keyPath: 'id' });
        db.createObjectStore('seededDefaults', { keyPath: 'id' });
      }
      if (oldVersion < 3) {
        db.createObjectStore('media', { keyPath: 'id' });
        db.createObjectStore('mediaTrash', { keyPath: 'id' });
        db.createObjectStore('mediaBlobs', { keyPath: 'id' });
        db.createObjectStore('thumbnails', { keyPath: 'key' });
      }
    },
    blocking() {
      // A newer build in another tab wants to upgrade; holding on would stall it forever.
      db.close();
    },
  });
  return db;
}
