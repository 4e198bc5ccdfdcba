import type { PythonSnapshot } from '../runtime/snapshot';
import type { SnapshotIoReply, SnapshotIoRequest } from './snapshot-io-worker';
import type { SnapshotWriter } from './snapshot-store';

/**
 * The app's `SnapshotWriter`: one dedicated worker on the app's origin (so it reaches the same
 * IndexedDB) per write, sent the snapshot's buffer by transfer and ended with its reply. The bytes
 * are gone from this thread afterwards.
 */
export const writeSnapshotInWorker: SnapshotWriter = (dbName: string, snapshot: PythonSnapshot) =>
  new Promise<void>((resolve, reject) => {
    const worker = new Worker(new URL('./snapshot-io-worker.ts', import.meta.url), { type: 'module' });
    worker.addEventListener('message', (event: MessageEvent<SnapshotIoReply>) => {
      worker.terminate();
      if (event.data.ok) resolve();
      else reject(new Error(event.data.error));
    });
    worker.addEventListener('error', () => {
      worker.terminate();
      reject(new Error('the snapshot worker failed'));
    });
    worker.postMessage({ dbName, snapshot } satisfies SnapshotIoRequest, [snapshot.bytes]);
  });
