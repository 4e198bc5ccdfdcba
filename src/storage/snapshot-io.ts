import type { PythonSnapshot } from '../runtime/snapshot';
import type { SnapshotIoReply, SnapshotIoRequest } from './snapshot-io-worker';
import type { SnapshotReader, SnapshotWriter } from './snapshot-store';

/**
 * Sends one request to a dedicated worker on the app's origin (so it reaches the same IndexedDB),
 * the snapshot's buffer by transfer, and ends the worker with its reply.
 */
function inSnapshotWorker(request: SnapshotIoRequest, transfer: Transferable[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./snapshot-io-worker.ts', import.meta.url), { type: 'module' });
    worker.addEventListener('message', (event: MessageEvent<SnapshotIoReply>) => {
      worker.terminate();
      if (event.data.ok) resolve(event.data.snapshot);
      else reject(new Error(event.data.error));
    });
    worker.addEventListener('error', () => {
      worker.terminate();
      reject(new Error('the snapshot worker failed'));
    });
    worker.postMessage(request, transfer);
  });
}

/** The app's `SnapshotWriter`: the snapshot's bytes are gone from this thread afterwards. */
export const writeSnapshotInWorker: SnapshotWriter = async (dbName: string, snapshot: PythonSnapshot) => {
  await inSnapshotWorker({ dbName, read: false, snapshot }, [snapshot.bytes]);
};

/**
 * The app's `SnapshotReader`: reading 30 MB out of IndexedDB on the page's thread cost it a task of
 * 200-500 ms at every start (twice: each Python worker boots from its own copy).
 */
export const readSnapshotInWorker: SnapshotReader = (dbName: string) =>
  inSnapshotWorker({ dbName, read: true }, []);
