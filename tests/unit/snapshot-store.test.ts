import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { type PythonSnapshot, snapshotDigest } from '../../src/runtime/snapshot';
import {
  createSnapshotStore,
  type SnapshotStore,
  type SnapshotWriter,
  writeSnapshot,
} from '../../src/storage/snapshot-store';

const opened: SnapshotStore[] = [];

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});

function open(dbName: string, write?: SnapshotWriter): SnapshotStore {
  const store = createSnapshotStore(dbName, write);
  opened.push(store);
  return store;
}

const freshDbName = () => `pymark-snapshot-test-${crypto.randomUUID()}`;

function snapshot(key: string, fill: number): PythonSnapshot {
  const bytes = new Uint8Array(16).fill(fill).buffer;
  return { key, digest: snapshotDigest(bytes), bytes };
}

describe('snapshot store', () => {
  it('has nothing before the first save', async () => {
    expect(await open(freshDbName()).load()).toBeUndefined();
  });

  it('keeps the latest snapshot across a re-open, replacing the one before', async () => {
    const dbName = freshDbName();
    const first = open(dbName);
    await first.save(snapshot('old-build', 1));
    await first.save(snapshot('new-build', 2));
    first.close();
    const loaded = await open(dbName).load();
    expect(loaded?.key).toBe('new-build');
    expect(new Uint8Array(loaded!.bytes)).toEqual(new Uint8Array(16).fill(2));
  });

  it('hands out a fresh copy each time, so transferring one to a worker leaves the stored bytes alone', async () => {
    const store = open(freshDbName());
    await store.save(snapshot('build', 7));
    const first = await store.load();
    structuredClone(first!.bytes, { transfer: [first!.bytes] });
    expect(first!.bytes.byteLength).toBe(0);
    expect((await store.load())!.bytes.byteLength).toBe(16);
  });

  it('reports a read that fails as one error, with no unhandled rejection beside it', async () => {
    const store = open(freshDbName());
    await store.save(snapshot('build', 3));
    // As Chromium's "Failed to read large IndexedDB value": the read fails and its transaction aborts.
    const get = IDBObjectStore.prototype.get;
    IDBObjectStore.prototype.get = function (this: IDBObjectStore, key: IDBValidKey | IDBKeyRange) {
      const request = get.call(this, key);
      this.transaction.abort();
      return request;
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(store.load()).rejects.toMatchObject({ name: 'AbortError' });
      // An unhandled rejection is reported after the microtasks of the turn that made it.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      IDBObjectStore.prototype.get = get;
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('keeps the bytes as a Blob, so that reading the record clones no 30 MB buffer', async () => {
    const dbName = freshDbName();
    const saved = snapshot('build', 7);
    await open(dbName).save(saved);
    const db = await openDB(dbName);
    const record: unknown = await db.get('snapshots', 'latest');
    db.close();
    expect(record).toEqual({ key: 'build', digest: saved.digest, bytes: expect.any(Blob) });
  });

  it('drops a snapshot stored by version 1 (its bytes a 30 MB ArrayBuffer) without reading it', async () => {
    const dbName = freshDbName();
    const version1 = await openDB(dbName, 1, { upgrade: (db) => db.createObjectStore('snapshots') });
    await version1.put('snapshots', snapshot('build', 1), 'latest');
    version1.close();
    const store = open(dbName);
    expect(await store.load()).toBeUndefined();
    await store.save(snapshot('build', 2));
    expect((await store.load())?.key).toBe('build');
  });

  it('treats a malformed record as no snapshot', async () => {
    const dbName = freshDbName();
    await open(dbName).load(); // creates the database with its object store
    const db = await openDB(dbName);
    await db.put('snapshots', { key: 'build', digest: 'not hex', bytes: 'not bytes' }, 'latest');
    db.close();
    expect(await open(dbName).load()).toBeUndefined();
  });

  it('refuses to store a snapshot whose bytes do not match its digest, keeping the one before', async () => {
    const dbName = freshDbName();
    const store = open(dbName);
    await store.save(snapshot('build', 1));
    const damaged = { ...snapshot('other-build', 2), digest: 'f'.repeat(16) };
    await expect(store.save(damaged)).rejects.toThrow("the snapshot's bytes do not match its digest");
    await expect(writeSnapshot(dbName, { key: 'x' })).rejects.toThrow('not a Python snapshot');
    expect((await store.load())?.key).toBe('build');
  });

  it('loads what a save still in flight stores, not what was there before it', async () => {
    const dbName = freshDbName();
    let letWriteFinish = () => {};
    const writeMayFinish = new Promise<void>((resolve) => {
      letWriteFinish = resolve;
    });
    // The app's writer is a worker: the save is still on its way when the next worker loads.
    const store = open(dbName, async (name, saved) => {
      await writeMayFinish;
      await writeSnapshot(name, saved);
    });
    const saving = store.save(snapshot('build', 4));
    const loading = store.load();
    letWriteFinish();
    await saving;
    expect((await loading)?.key).toBe('build');
  });

  it('still loads after a save that failed', async () => {
    const store = open(freshDbName(), async () => {
      throw new Error('the disk is full');
    });
    await expect(store.save(snapshot('build', 5))).rejects.toThrow('the disk is full');
    expect(await store.load()).toBeUndefined();
  });

  it('hands a save to its writer, with the database name, once the database exists', async () => {
    const dbName = freshDbName();
    const written: string[] = [];
    const store = open(dbName, async (name, saved) => {
      written.push(`${name}:${saved.key}`);
      // The writer's own connection finds the object store the store's connection made.
      await writeSnapshot(name, saved);
    });
    await store.save(snapshot('build', 3));
    expect(written).toEqual([`${dbName}:build`]);
    expect((await store.load())?.key).toBe('build');
  });
});
