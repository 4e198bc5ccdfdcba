import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import { z } from 'zod';
import {
  type PythonSnapshot,
  pythonSnapshotSchema,
  type SnapshotCache,
  snapshotDigest,
} from '../runtime/snapshot';
import { readRecord } from './pymark-db';

/*
 * The Python memory snapshot lives in a database of its own, not in `pymark`: it is a 30 MB
 * disposable cache, not user data. Kept apart it never forces a schema upgrade of the user's data
 * (which closes that database in every other tab), and clearing it can never touch a script.
 */

export const defaultSnapshotDbName = 'pymark-python-snapshot';

/**
 * Where in the database the snapshot is kept. Exported for the e2e tests, which store a snapshot made
 * by a first visit in the contexts that stand for a later one (tests/e2e/python-snapshot-seed.ts).
 */
export const snapshotStoreLayout = {
  /** 2: the bytes are kept as a Blob (version 1 kept an ArrayBuffer; its record is dropped unread). */
  version: 2,
  store: 'snapshots',
  /** Only the latest snapshot is kept: one from an older build is useless and large. */
  key: 'latest',
} as const;

interface SnapshotDbSchema extends DBSchema {
  /** Values are `unknown`: anything read back is validated before a worker gets it. */
  [snapshotStoreLayout.store]: { key: string; value: unknown };
}

export interface SnapshotStore extends SnapshotCache {
  close(): void;
}

/**
 * The stored record: the bytes as a Blob. Reading the record then costs no thread a structured clone
 * of 30 MB (an ArrayBuffer value cost the thread that read it 200-500 ms, and a worker of its own to
 * keep that off the page); the bytes come from the Blob, read asynchronously.
 */
const storedRecordSchema = pythonSnapshotSchema.extend({ bytes: z.instanceof(Blob) });

/**
 * Stores a snapshot in the database `dbName`, where it runs: in the browser that is the snapshot
 * worker (snapshot-io-worker.ts), since checking and copying 30 MB costs the thread that does it.
 */
export type SnapshotWriter = (dbName: string, snapshot: PythonSnapshot) => Promise<void>;

function openSnapshotDb(dbName: string, onBlocking?: () => void): Promise<IDBPDatabase<SnapshotDbSchema>> {
  return openDB<SnapshotDbSchema>(dbName, snapshotStoreLayout.version, {
    upgrade(db, oldVersion, _newVersion, transaction) {
      // A database without the store (made by something else) gets one, as a new database does.
      if (oldVersion === 0 || !db.objectStoreNames.contains(snapshotStoreLayout.store))
        db.createObjectStore(snapshotStoreLayout.store);
      else void transaction.objectStore(snapshotStoreLayout.store).clear();
    },
    blocking: onBlocking,
  });
}

/**
 * Checks a snapshot and stores it as the latest, on the calling thread. A snapshot whose bytes do
 * not match its digest is refused here too, not only when a boot reads it: a damaged copy is never kept.
 */
export async function writeSnapshot(dbName: string, snapshot: unknown): Promise<void> {
  const parsed = pythonSnapshotSchema.safeParse(snapshot);
  if (!parsed.success) throw new Error('not a Python snapshot');
  if (snapshotDigest(parsed.data.bytes) !== parsed.data.digest)
    throw new Error("the snapshot's bytes do not match its digest");
  const record = { ...parsed.data, bytes: new Blob([parsed.data.bytes]) };
  const db = await openSnapshotDb(dbName, () => db.close());
  try {
    await db.put(snapshotStoreLayout.store, record, snapshotStoreLayout.key);
  } finally {
    db.close();
  }
}

/**
 * Opens the database on first use, so the runtime can be handed the store before it is open.
 * `write` stores a snapshot: by default on this thread (Node, tests), in the app off it. A load
 * reads on this thread: the record, which holds a handle to the bytes, and then the bytes from it.
 */
export function createSnapshotStore(
  dbName = defaultSnapshotDbName,
  write: SnapshotWriter = writeSnapshot,
): SnapshotStore {
  // A newer build in another tab wants to upgrade; holding on would stall it forever.
  const opening = openSnapshotDb(dbName, () => void opening.then((db) => db.close()));
  /**
   * The latest save, settled either way. A load waits for it: the app's second worker starts as the
   * first one's snapshot is being stored, and a load that read past that save would find nothing,
   * boot the long way and store a second 30 MB snapshot.
   */
  let saving: Promise<unknown> = Promise.resolve();
  return {
    async load(): Promise<PythonSnapshot | undefined> {
      const [db] = await Promise.all([opening, saving]);
      const stored = await readRecord(db, snapshotStoreLayout.store, snapshotStoreLayout.key);
      if (stored === undefined) return undefined;
      const parsed = storedRecordSchema.safeParse(stored);
      // A malformed record is as good as none: the next normal boot overwrites it.
      if (!parsed.success) return undefined;
      // Each load reads its own copy: booting transfers the buffer to the worker.
      return { ...parsed.data, bytes: await parsed.data.bytes.arrayBuffer() };
    },
    save(snapshot: PythonSnapshot): Promise<void> {
      // The database exists (and has its store) before another connection writes to it.
      const saved = opening.then(() => write(dbName, snapshot));
      saving = saved.catch(() => undefined);
      return saved;
    },
    close: () => void opening.then((db) => db.close()),
  };
}
