/// <reference lib="webworker" />
import { writeSnapshot } from './snapshot-store';

/*
 * Stores the Python memory snapshot off the page's main thread: the digest check of 30 MB and its
 * copy into a Blob for IndexedDB cost this thread, not the one that draws the app, and the buffer
 * crosses by transfer, with no copy. Started for one write and ended after it (snapshot-io.ts).
 * Reading needs no worker: the stored record holds the bytes as a Blob (snapshot-store.ts).
 */

export type SnapshotIoRequest = { dbName: string; snapshot: unknown };
export type SnapshotIoReply = { ok: true } | { ok: false; error: string };

addEventListener('message', (event: MessageEvent<SnapshotIoRequest>) => {
  const { dbName, snapshot } = event.data;
  writeSnapshot(String(dbName), snapshot).then(
    () => postMessage({ ok: true } satisfies SnapshotIoReply),
    (error: unknown) =>
      postMessage({
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      } satisfies SnapshotIoReply),
  );
});
