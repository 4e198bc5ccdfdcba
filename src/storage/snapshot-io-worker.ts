/// <reference lib="webworker" />
import { readSnapshot, writeSnapshot } from './snapshot-store';

/*
 * Reads and stores the Python memory snapshot off the page's main thread: the structured clone of
 * 30 MB out of or into IndexedDB (and a write's digest check) cost this thread, not the one that
 * draws the app, and the buffer crosses by transfer, with no copy. Started for one read or write
 * and ended after it (snapshot-io.ts).
 */

export type SnapshotIoRequest = { dbName: string } & ({ read: true } | { read: false; snapshot: unknown });
export type SnapshotIoReply = { ok: true; snapshot?: unknown } | { ok: false; error: string };

async function serve({ dbName, ...request }: SnapshotIoRequest): Promise<void> {
  if (!request.read) {
    await writeSnapshot(String(dbName), request.snapshot);
    postMessage({ ok: true } satisfies SnapshotIoReply);
    return;
  }
  const snapshot = await readSnapshot(String(dbName));
  const bytes = (snapshot as { bytes?: unknown } | undefined)?.bytes;
  postMessage({ ok: true, snapshot } satisfies SnapshotIoReply, bytes instanceof ArrayBuffer ? [bytes] : []);
}

addEventListener('message', (event: MessageEvent<SnapshotIoRequest>) => {
  serve(event.data).catch((error: unknown) =>
    postMessage({
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    } satisfies SnapshotIoReply),
  );
});
