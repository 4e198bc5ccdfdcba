import type { PythonSnapshot } from '../runtime/snapshot';
import type { SnapshotWriter } from './snapshot-store';
import type { SnapshotWriteReply, SnapshotWriteRequest } from './snapshot-writer-worker';

/**
 * The app's `SnapshotWriter`: a dedicated worker on the app's origin (so it reaches the same
 * IndexedDB) takes the snapshot's buffer by transfer and writes it; the worker ends with the write.
 * The snapshot's bytes are gone from this thread afterwards.
 */
export const writeSnapshotInWorker: SnapshotWriter = (dbName: string, snapshot: PythonSnapshot) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./snapshot-writer-worker.ts', import.meta.url), { type: 'module' });
    const settle = (error?: Error) => {
      worker.terminate();
      if (error) reject(error);
      else resolve();
    };
    worker.addEventListener('message', (event: MessageEvent<SnapshotWriteReply>) =>
      settle(event.data.ok ? undefined : new Error(event.data.error)),
    );
    worker.addEventListener('error', () => settle(new Error('the snapshot writer worker failed')));
    worker.postMessage({ dbName, snapshot } satisfies SnapshotWriteRequest, [snapshot.bytes]);
  });
