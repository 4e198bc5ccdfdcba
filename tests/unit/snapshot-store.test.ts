import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { type PythonSnapshot, snapshotDigest } from '../../src/runtime/snapshot';
import {
  createSnapshotStore,
  encodeSnapshotFile,
  legacySnapshotDbName,
  type SnapshotDirectory,
  type SnapshotStoreOptions,
  type SnapshotWriter,
  writeSnapshot,
} from '../../src/storage/snapshot-store';

/*
 * Node has no origin private file system, so the store runs here on a directory of in-memory files
 * with the semantics it relies on: a missing file is a `NotFoundError`, and a writable replaces the
 * file only on `close()`. The real file system is covered in Chromium by tests/e2e/snapshot.test.ts.
 */
function memoryDirectory(): { files: Map<string, Blob>; directory: () => Promise<SnapshotDirectory> } {
  const files = new Map<string, Blob>();
  const directory: SnapshotDirectory = {
    async getFileHandle(name, { create = false } = {}) {
      if (!files.has(name)) {
        if (!create) throw new DOMException(`no file ${name}`, 'NotFoundError');
        files.set(name, new Blob([]));
      }
      return {
        getFile: async () => files.get(name) as Blob,
        async createWritable() {
          const written: Blob[] = [];
          return {
            write: async (data) => void written.push(data),
            close: async () => void files.set(name, new Blob(written)),
            abort: async () => undefined,
          };
        },
      };
    },
  };
  return { files, directory: async () => directory };
}

const fileName = 'snapshot.bin';

function open(options: SnapshotStoreOptions = {}) {
  const memory = memoryDirectory();
  return { ...memory, store: createSnapshotStore({ fileName, directory: memory.directory, ...options }) };
}

function snapshot(key: string, fill: number): PythonSnapshot {
  const bytes = new Uint8Array(16).fill(fill).buffer;
  return { key, digest: snapshotDigest(bytes), bytes };
}

describe('snapshot store', () => {
  it('has nothing before the first save', async () => {
    expect(await open().store.load()).toBeUndefined();
  });

  it('keeps the latest snapshot in its file, replacing the one before', async () => {
    const { store, files, directory } = open();
    await store.save(snapshot('old-build', 1));
    await store.save(snapshot('new-build', 2));
    expect([...files.keys()]).toEqual([fileName]);
    const loaded = await createSnapshotStore({ fileName, directory }).load();
    expect(loaded?.key).toBe('new-build');
    expect(loaded?.digest).toBe(snapshot('new-build', 2).digest);
    expect(new Uint8Array(loaded!.bytes)).toEqual(new Uint8Array(16).fill(2));
  });

  it('hands out a fresh copy each time, so transferring one to a worker leaves the stored bytes alone', async () => {
    const { store } = open();
    await store.save(snapshot('build', 7));
    const first = await store.load();
    structuredClone(first!.bytes, { transfer: [first!.bytes] });
    expect(first!.bytes.byteLength).toBe(0);
    expect((await store.load())!.bytes.byteLength).toBe(16);
  });

  it.each([
    ['an empty file', new Blob([])],
    ['a header longer than the file', new Blob([new Uint32Array([1000])])],
    ['a header that is not JSON', new Blob([new Uint32Array([3]), '{{{', 'bytes'])],
    ['a header without a key', new Blob([new Uint32Array([2]), '{}', 'bytes'])],
  ])('treats %s as no snapshot', async (_, contents) => {
    const { store, files } = open();
    files.set(fileName, contents);
    expect(await store.load()).toBeUndefined();
  });

  it('keeps the key and digest it was saved with beside the bytes, for the boot to check', async () => {
    const { store, files } = open();
    const saved = snapshot('build', 3);
    // A file whose bytes no longer match: the store hands it out, the worker's boot refuses it.
    files.set(fileName, encodeSnapshotFile({ ...saved, bytes: new Uint8Array(16).fill(9).buffer }));
    const loaded = await store.load();
    expect(loaded?.digest).toBe(saved.digest);
    expect(snapshotDigest(loaded!.bytes)).not.toBe(saved.digest);
  });

  it('refuses to store a snapshot whose bytes do not match its digest, keeping the one before', async () => {
    const { store, directory } = open();
    await store.save(snapshot('build', 1));
    const damaged = { ...snapshot('other-build', 2), digest: 'f'.repeat(16) };
    await expect(store.save(damaged)).rejects.toThrow("the snapshot's bytes do not match its digest");
    await expect(writeSnapshot(fileName, { key: 'x' }, directory)).rejects.toThrow('not a Python snapshot');
    expect((await store.load())?.key).toBe('build');
  });

  it('loads what a save still in flight stores, not what was there before it', async () => {
    let letWriteFinish = () => {};
    const writeMayFinish = new Promise<void>((resolve) => {
      letWriteFinish = resolve;
    });
    const memory = memoryDirectory();
    // The app's writer is a worker: the save is still on its way when the next worker loads.
    const write: SnapshotWriter = async (name, saved) => {
      await writeMayFinish;
      await writeSnapshot(name, saved, memory.directory);
    };
    const store = createSnapshotStore({ fileName, directory: memory.directory, write });
    const saving = store.save(snapshot('build', 4));
    const loading = store.load();
    letWriteFinish();
    await saving;
    expect((await loading)?.key).toBe('build');
  });

  it('still loads after a save that failed', async () => {
    const { store } = open({
      write: async () => {
        throw new Error('the disk is full');
      },
    });
    await expect(store.save(snapshot('build', 5))).rejects.toThrow('the disk is full');
    expect(await store.load()).toBeUndefined();
  });

  it('without a private file system, has no snapshot and says why it cannot keep one', async () => {
    const store = createSnapshotStore({ fileName, directory: async () => undefined });
    expect(await store.load()).toBeUndefined();
    await expect(store.save(snapshot('build', 6))).rejects.toThrow(
      'this browser offers no private file system to keep the snapshot in',
    );
  });

  it('deletes the IndexedDB database older builds kept the snapshot in, once a save here succeeds', async () => {
    const legacy = await openDB(legacySnapshotDbName, 1, {
      upgrade: (db) => void db.createObjectStore('snapshots'),
    });
    await legacy.put('snapshots', snapshot('old-layout', 8), 'latest');
    legacy.close();
    const databaseNames = async () => (await indexedDB.databases()).map(({ name }) => name);
    const failing = open({ write: async () => Promise.reject(new Error('the disk is full')) }).store;
    await expect(failing.save(snapshot('build', 8))).rejects.toThrow('the disk is full');
    expect(await databaseNames()).toContain(legacySnapshotDbName);
    await open().store.save(snapshot('build', 8));
    expect(await databaseNames()).not.toContain(legacySnapshotDbName);
  });
});
