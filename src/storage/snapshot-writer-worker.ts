/// <reference lib="webworker" />
import { writeSnapshot } from './snapshot-store';

/*
 * Stores the Python memory snapshot off the page's main thread: the page transfers the 30 MB buffer
 * here (no copy), and the structured clone into IndexedDB and the digest check cost this thread, not
 * the one that draws the app. Started for one write and ended after it (snapshot-writer.ts).
 */

export interface SnapshotWriteRequest {
  dbName: string;
  snapshot: unknown;
}
export type SnapshotWriteReply = { ok: true } | { ok: false; error: string };

addEventListener('message', (event: MessageEvent<SnapshotWriteRequest>) => {
  const { dbName, snapshot } = event.data;
  void writeSnapshot(String(dbName), snapshot).then(
    () => postMessage({ ok: true } satisfies SnapshotWriteReply),
    (error: unknown) =>
      postMessage({
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      } satisfies SnapshotWriteReply),
  );
});
