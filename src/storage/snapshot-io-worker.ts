/// <reference lib="webworker" />
import { writeSnapshot } from './snapshot-store';

/*
 * Stores the Python memory snapshot off the page's main thread: the digest check of 30 MB and their
 * copy into the file cost this thread, not the one that draws the app while the second Python worker
 * boots, and the buffer crosses by transfer, with no copy. Started for one write and ended after it
 * (snapshot-io.ts). Reads need no worker: the page reads the file as a `Blob`, with no clone.
 */

export interface SnapshotWriteRequest {
  fileName: string;
  snapshot: unknown;
}
export type SnapshotWriteReply = { ok: true } | { ok: false; error: string };

addEventListener('message', ({ data }: MessageEvent<SnapshotWriteRequest>) => {
  writeSnapshot(String(data.fileName), data.snapshot).then(
    () => postMessage({ ok: true } satisfies SnapshotWriteReply),
    (error: unknown) =>
      postMessage({
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      } satisfies SnapshotWriteReply),
  );
});
