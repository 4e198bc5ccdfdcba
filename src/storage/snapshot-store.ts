import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
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
  version: 1,
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
 * Stores a snapshot in the database `dbName`, where it runs: in the browser that is the snapshot
 * worker (snapshot-io-worker.ts), since serialising 30 MB into IndexedDB costs the thread that
 * does it hundreds of milliseconds.
 */
export type SnapshotWriter = (dbName: string, snapshot: PythonSnapshot) => Promise<void>;

/** Reads the stored snapshot (unchecked) from the database `dbName`, where it runs, as `SnapshotWriter`. */
export type SnapshotReader = (dbName: string) => Promise<unknown>;

function openSnapshotDb(dbName: string, onBlocking?: () => void): Promise<IDBPDatabase<SnapshotDbSchema>> {
  return openDB<SnapshotDbSchema>(dbName, snapshotStoreLayout.version, {
    upgrade(db) {
      db.createObjectStore(snapshotStoreLayout.store);
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
  const db = await openSnapshotDb(dbName, () => db.close());
  try {
    await db.put(snapshotStoreLayout.store, parsed.data, snapshotStoreLayout.key);
  } finally {
    db.close();
  }
}

/** The stored snapshot, unchecked, read on the calling thread. */
export async function readSnapshot(dbName: string): Promise<unknown> {
  const db = await openSnapshotDb(dbName, () => db.close());
  try {
    return await readRecord(db, snapshotStoreLayout.store, snapshotStoreLayout.key);
  } finally {
    db.close();
  }
}

/**
 * Opens the database on first use, so the runtime can be handed the store before it is open.
 * `write` stores a snapshot and `read` reads it; by default on this thread (Node, tests), in the
 * app off it.
 */
export function createSnapshotStore(
  dbName = defaultSnapshotDbName,
  write: SnapshotWriter = writeSnapshot,
  read: SnapshotReader = readSnapshot,
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
      // The database exists (and has its store) before another connection reads it.
      await Promise.all([opening, saving]);
      const stored = await read(dbName);
      if (stored === undefined) return undefined;
      const parsed = pythonSnapshotSchema.safeParse(stored);
      // A malformed record is as good as none: the next normal boot overwrites it.
      return parsed.success ? parsed.data : undefined;
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
