import { type DBSchema, openDB } from 'idb';
import { type PythonSnapshot, pythonSnapshotSchema } from '../runtime/snapshot';
import type { SnapshotCache } from '../runtime/snapshot-cache';

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

/** Opens the database on first use, so the runtime can be handed the store before it is open. */
export function createSnapshotStore(dbName = defaultSnapshotDbName): SnapshotStore {
  const opening = openDB<SnapshotDbSchema>(dbName, snapshotStoreLayout.version, {
    upgrade(db) {
      db.createObjectStore(snapshotStoreLayout.store);
    },
    blocking() {
      // A newer build in another tab wants to upgrade; holding on would stall it forever.
      void opening.then((db) => db.close());
    },
  });
  return {
    async load(): Promise<PythonSnapshot | undefined> {
      const stored = await (await opening).get(snapshotStoreLayout.store, snapshotStoreLayout.key);
      if (stored === undefined) return undefined;
      const parsed = pythonSnapshotSchema.safeParse(stored);
      // A malformed record is as good as none: the next normal boot overwrites it.
      return parsed.success ? parsed.data : undefined;
    },
    async save(snapshot: PythonSnapshot): Promise<void> {
      await (await opening).put(snapshotStoreLayout.store, snapshot, snapshotStoreLayout.key);
    },
    close: () => void opening.then((db) => db.close()),
  };
}
