import { z } from 'zod';
import {
  type PythonSnapshot,
  pythonSnapshotSchema,
  type SnapshotCache,
  snapshotDigest,
} from '../runtime/snapshot';

/*
 * The Python memory snapshot lives in one file of the origin private file system (OPFS), not in
 * IndexedDB: it is a 30 MB disposable cache, not user data, and a file reads back as a `Blob` whose
 * `arrayBuffer()` costs the page's thread no structured clone. Read from IndexedDB it needed a worker
 * of its own to keep the page responsive, and starting that worker was on the critical path of
 * every repeat visit (issue 10).
 *
 * The file holds the snapshot's metadata and its bytes together (`encodeSnapshotFile`), so one
 * atomic replace (`createWritable()` writes a swap file that becomes the file only on `close()`)
 * stores both: a reader never sees the bytes of one snapshot under the key of another.
 */

/** The app's snapshot file, in the root of its origin's private file system. */
export const defaultSnapshotFileName = 'pymark-python-snapshot.bin';

/**
 * How a snapshot file is laid out: a little-endian uint32 giving the length of a UTF-8 JSON header
 * (`{ key, digest }` of the snapshot), that header, then the snapshot's bytes. Exported for the e2e
 * tests, which read and write the file from a page (tests/e2e/python-snapshot-seed.ts).
 */
export const snapshotFileLayout = { headerLengthBytes: 4 } as const;

/** Where IndexedDB kept the snapshot before it moved here: removed after the first save here. */
export const legacySnapshotDbName = 'pymark-python-snapshot';

const snapshotHeaderSchema = z.object({ key: z.string(), digest: z.string() });

/** The parts of the OPFS file-handle API the store uses: `FileSystemDirectoryHandle` has them. */
export interface SnapshotDirectory {
  getFileHandle(name: string, options?: { create?: boolean }): Promise<SnapshotFileHandle>;
}
export interface SnapshotFileHandle {
  getFile(): Promise<Blob>;
  /** Writes to a swap file that replaces the file only on `close()`. */
  createWritable(): Promise<SnapshotWritable>;
}
export interface SnapshotWritable {
  write(data: Blob): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** The directory the snapshot file lives in, or undefined where there is none to use. */
export type SnapshotDirectoryOpener = () => Promise<SnapshotDirectory | undefined>;

/**
 * The origin's private file system, or undefined where the browser has none or refuses it (an old
 * browser, an opaque origin): the app then boots Python normally every time.
 */
export const originPrivateDirectory: SnapshotDirectoryOpener = async () => {
  if (typeof navigator === 'undefined' || typeof navigator.storage?.getDirectory !== 'function')
    return undefined;
  try {
    return await navigator.storage.getDirectory();
  } catch {
    return undefined;
  }
};

/**
 * Stores a snapshot as the file `fileName`, where it runs: in the browser that is the snapshot
 * worker (snapshot-io-worker.ts), so its digest check and the copy of 30 MB cost that thread.
 */
export type SnapshotWriter = (fileName: string, snapshot: PythonSnapshot) => Promise<void>;

/** The file's contents for `snapshot`, as `snapshotFileLayout` describes. */
export function encodeSnapshotFile({ key, digest, bytes }: PythonSnapshot): Blob {
  const header = new TextEncoder().encode(JSON.stringify({ key, digest }));
  const headerLength = new Uint8Array(snapshotFileLayout.headerLengthBytes);
  new DataView(headerLength.buffer).setUint32(0, header.byteLength, true);
  return new Blob([headerLength, header, bytes]);
}

/**
 * The snapshot a file holds, unchecked but for its shape, or undefined when it holds none (too short,
 * a header that is not JSON of the right shape). Only the bytes are read whole, into a fresh buffer.
 */
export async function decodeSnapshotFile(file: Blob): Promise<unknown> {
  const { headerLengthBytes } = snapshotFileLayout;
  if (file.size < headerLengthBytes) return undefined;
  const headerLength = new DataView(await file.slice(0, headerLengthBytes).arrayBuffer()).getUint32(0, true);
  const bytesStart = headerLengthBytes + headerLength;
  if (bytesStart > file.size) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(await file.slice(headerLengthBytes, bytesStart).text());
  } catch {
    return undefined;
  }
  const parsed = snapshotHeaderSchema.safeParse(header);
  if (!parsed.success) return undefined;
  return { ...parsed.data, bytes: await file.slice(bytesStart).arrayBuffer() };
}

/**
 * Checks a snapshot and stores it as the file `fileName` in `directory`, on the calling thread. A
 * snapshot whose bytes do not match its digest is refused here too, not only when a boot reads it: a
 * damaged copy is never kept. A write cut short leaves the file before it as it was.
 */
export async function writeSnapshot(
  fileName: string,
  snapshot: unknown,
  directory: SnapshotDirectoryOpener = originPrivateDirectory,
): Promise<void> {
  const parsed = pythonSnapshotSchema.safeParse(snapshot);
  if (!parsed.success) throw new Error('not a Python snapshot');
  if (snapshotDigest(parsed.data.bytes) !== parsed.data.digest)
    throw new Error("the snapshot's bytes do not match its digest");
  const root = await directory();
  if (!root) throw new Error('this browser offers no private file system to keep the snapshot in');
  const writable = await (await root.getFileHandle(fileName, { create: true })).createWritable();
  try {
    await writable.write(encodeSnapshotFile(parsed.data));
  } catch (error) {
    await writable.abort();
    throw error;
  }
  await writable.close();
}

/** The snapshot stored as the file `fileName`, unchecked but for its shape; undefined when there is none. */
export async function readSnapshot(
  fileName: string,
  directory: SnapshotDirectoryOpener = originPrivateDirectory,
): Promise<unknown> {
  const root = await directory();
  if (!root) return undefined;
  let handle: SnapshotFileHandle;
  try {
    handle = await root.getFileHandle(fileName);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'NotFoundError') return undefined;
    throw error;
  }
  return decodeSnapshotFile(await handle.getFile());
}

/**
 * Deletes the IndexedDB database older builds kept the snapshot in, so its 30 MB are not left on
 * the user's disk. Settles when deleted, when there was none, and when an old build's open tab
 * holds it (that tab closes its connection on the request, and the deletion then completes).
 */
export function removeLegacySnapshotDatabase(): Promise<void> {
  if (typeof indexedDB === 'undefined') return Promise.resolve();
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(legacySnapshotDbName);
    request.onsuccess = () => resolve();
    request.onerror = () => resolve();
    request.onblocked = () => resolve();
  });
}

export interface SnapshotStoreOptions {
  fileName?: string;
  /** Stores a save; by default on this thread (tests), in the app off it. */
  write?: SnapshotWriter;
  /** Where loads read (and the default writer writes) the file. */
  directory?: SnapshotDirectoryOpener;
}

/** The snapshot cache on the origin private file system; loads read on the calling thread. */
export function createSnapshotStore({
  fileName = defaultSnapshotFileName,
  directory = originPrivateDirectory,
  write = (name, snapshot) => writeSnapshot(name, snapshot, directory),
}: SnapshotStoreOptions = {}): SnapshotCache {
  /**
   * The latest save, settled either way. A load waits for it: the app's second worker starts as the
   * first one's snapshot is being stored, and a load that read past that save would find nothing,
   * boot the long way and store a second 30 MB snapshot.
   */
  let saving: Promise<unknown> = Promise.resolve();
  return {
    async load(): Promise<PythonSnapshot | undefined> {
      await saving;
      const stored = await readSnapshot(fileName, directory);
      if (stored === undefined) return undefined;
      const parsed = pythonSnapshotSchema.safeParse(stored);
      // A malformed file is as good as none: the next normal boot overwrites it.
      return parsed.success ? parsed.data : undefined;
    },
    save(snapshot: PythonSnapshot): Promise<void> {
      // Only once a snapshot is kept here is the old copy useless; saves follow normal boots only.
      const saved = write(fileName, snapshot).then(removeLegacySnapshotDatabase);
      saving = saved.catch(() => undefined);
      return saved;
    },
  };
}
