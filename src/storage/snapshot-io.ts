import type { PythonSnapshot } from '../runtime/snapshot';
import type { SnapshotWriteReply, SnapshotWriteRequest } from './snapshot-io-worker';
import type { SnapshotWriter } from './snapshot-store';

/**
 * The app's `SnapshotWriter`: a dedicated worker on the app's origin (so it reaches the same private
 * file system) gets the snapshot's buffer by transfer, stores it and ends with its reply. The bytes
 * are gone from this thread afterwards.
 */
export const writeSnapshotInWorker: SnapshotWriter = (fileName: string, snapshot: PythonSnapshot) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./snapshot-io-worker.ts', import.meta.url), { type: 'module' });
    worker.addEventListener('message', (event: MessageEvent<SnapshotWriteReply>) => {
      worker.terminate();
      if (event.data.ok) resolve();
      else reject(new Error(event.data.error));
    });
    worker.addEventListener('error', () => {
      worker.terminate();
      reject(new Error('the snapshot worker failed'));
    });
    worker.postMessage({ fileName, snapshot } satisfies SnapshotWriteRequest, [snapshot.bytes]);
  });
