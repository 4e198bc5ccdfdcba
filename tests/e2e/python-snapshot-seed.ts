/**
 * The Python memory snapshot a first visit stores, for the e2e contexts that stand for a later visit.
 * A fresh context has empty storage, so without it each context's first page boots Python the long
 * way (in both of the app's workers) and stores a 30 MB snapshot: about 30 such boots per run, each
 * costing more than most tests. The global setup (browser-server.ts) makes the snapshot once per run
 * by a real first visit of the built app; each preview server serves its bytes (`snapshotSeedRoutes`),
 * and `newAppContext` (harness.ts) stores them where the app keeps its snapshot before the app's
 * first page, where the app reads and checks them as it does any stored snapshot. Tests of the
 * first visit and of snapshots themselves (snapshot.test.ts) go without it.
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Connect, Plugin } from 'vite';
import { inject } from 'vitest';
import type { PythonSnapshot } from '../../src/runtime/snapshot';
import { defaultSnapshotDbName, snapshotStoreLayout } from '../../src/storage/snapshot-store';

/** A stored snapshot as the test files get it: its bytes in `file`, the rest as stored. */
export interface SnapshotSeed {
  file: string;
  key: string;
  digest: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** This run's snapshot seed; null when there was no build to make it with. */
    pythonSnapshotSeed: SnapshotSeed | null;
  }
}

const storedAt = { dbName: defaultSnapshotDbName, layout: snapshotStoreLayout };

/** A snapshot as the app's store keeps it: the bytes as a Blob (snapshot-store.ts). */
type StoredRecord = Omit<PythonSnapshot, 'bytes'> & { bytes: Blob };

/** Where the preview servers answer with a blank page (`seedPath`) and the seed's bytes (`/bytes` below it). */
const seedPath = '/e2e-python-snapshot-seed';

function providedSeed(): SnapshotSeed {
  const seed = inject('pythonSnapshotSeed');
  if (!seed)
    throw new Error('No Python snapshot seed: the e2e global setup found no build (`npm run build`).');
  return seed;
}

/**
 * Opens the app at `url` in a context of its own (a first visit), waits for the snapshot it stores,
 * and writes that snapshot's bytes to a file, which `remove` deletes.
 */
export async function makeSnapshotSeed(
  browser: Browser,
  url: string,
): Promise<{ seed: SnapshotSeed; remove(): void }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    // A normal boot under load takes up to two minutes; the save follows it.
    await storedSnapshotDigest(page, '', 300_000);
    const stored = await page.evaluate(readStoredSnapshot, { ...storedAt, withBytes: true });
    if (!stored?.bytes) throw new Error('the stored Python snapshot went away');
    const dir = mkdtempSync(join(tmpdir(), 'pymark-e2e-snapshot-'));
    const file = join(dir, 'snapshot.bin');
    writeFileSync(file, stored.bytes);
    return {
      seed: { file, key: stored.key, digest: stored.digest },
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } finally {
    await context.close();
  }
}

/**
 * For the servers of the test files (preview and dev): a blank page of the app's origin, which the
 * app never sees, and the seed's bytes, so that storing them costs a local fetch.
 */
export function snapshotSeedRoutes(): Plugin {
  const serveSeed = (server: { middlewares: Connect.Server }) => {
    server.middlewares.use(seedPath, (request, response) => {
      if (request.url === '/bytes') {
        response.setHeader('Content-Type', 'application/octet-stream');
        createReadStream(providedSeed().file).pipe(response);
        return;
      }
      response.setHeader('Content-Type', 'text/html');
      response.end('<!doctype html>');
    });
  };
  return { name: 'e2e-python-snapshot-seed', configurePreviewServer: serveSeed, configureServer: serveSeed };
}

/**
 * Stores this run's snapshot in `context` for the app at `url`, as a first visit there would have.
 * The page that stores it stays open, blank, as long as the context: in an off-the-record context
 * (which `browser.newContext()` makes) Chromium 150 fails to read a large IndexedDB value once the
 * page that wrote it has closed ("UnknownError: Failed to read large IndexedDB value"), and the app
 * then boots Python the long way, as if there were no snapshot.
 */
export async function storeSnapshotSeed(context: BrowserContext, url: string): Promise<void> {
  const seed = providedSeed();
  const page = await context.newPage();
  try {
    await page.goto(new URL(seedPath, url).href);
    await page.evaluate(writeStoredSnapshot, {
      ...storedAt,
      bytesUrl: `${seedPath}/bytes`,
      key: seed.key,
      digest: seed.digest,
    });
  } catch (error) {
    await page.close();
    throw error;
  }
}

/** Deletes the snapshot stored for the page's origin, so that its next load boots Python the long way. */
export async function forgetStoredSnapshot(page: Page): Promise<void> {
  // The app's connections close when a deletion waits on them (snapshot-store.ts).
  await page.evaluate(
    (dbName) =>
      new Promise<void>((resolve, reject) => {
        const request = indexedDB.deleteDatabase(dbName);
        request.onsuccess = () => resolve();
        request.onerror = () => reject(request.error);
      }),
    storedAt.dbName,
  );
}

/**
 * Waits until the page's origin holds a stored snapshot whose digest is not `otherThan`, and returns
 * that digest: the save after a normal boot runs in the background. Polled from here, as Playwright's
 * `waitForFunction` takes the promise an async predicate returns for a truthy answer.
 */
export async function storedSnapshotDigest(page: Page, otherThan = '', timeout = 60_000): Promise<string> {
  const started = performance.now();
  for (;;) {
    const stored = await page.evaluate(readStoredSnapshot, { ...storedAt, withBytes: false });
    if (stored && stored.digest !== otherThan) return stored.digest;
    if (performance.now() - started > timeout) {
      throw new Error(
        `No stored Python snapshot${otherThan ? ` other than ${otherThan}` : ''} after ${timeout} ms`,
      );
    }
    await delay(250);
  }
}

/** Runs in the page: the stored snapshot (its bytes only `withBytes`), or null when there is none yet. */
async function readStoredSnapshot({
  dbName,
  layout,
  withBytes,
}: {
  dbName: string;
  layout: typeof snapshotStoreLayout;
  withBytes: boolean;
}): Promise<{ key: string; digest: string; bytes?: Uint8Array } | null> {
  // Opening a database that is not there would create it empty, before the app's own upgrade.
  if (!(await indexedDB.databases()).some((database) => database.name === dbName)) return null;
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(dbName);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    if (!db.objectStoreNames.contains(layout.store)) return null;
    const record = await new Promise<StoredRecord | undefined>((resolve, reject) => {
      const request = db.transaction(layout.store).objectStore(layout.store).get(layout.key);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    if (!record) return null;
    const { key, digest } = record;
    return withBytes
      ? { key, digest, bytes: new Uint8Array(await record.bytes.arrayBuffer()) }
      : { key, digest };
  } finally {
    db.close();
  }
}

/** Runs in the page: fetches the seed's bytes and stores the snapshot as the app's snapshot store does. */
async function writeStoredSnapshot({
  dbName,
  layout,
  bytesUrl,
  key,
  digest,
}: {
  dbName: string;
  layout: typeof snapshotStoreLayout;
  bytesUrl: string;
  key: string;
  digest: string;
}): Promise<void> {
  const bytes = await (await fetch(bytesUrl)).blob();
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(dbName, layout.version);
    request.onupgradeneeded = () => request.result.createObjectStore(layout.store);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    const snapshot: StoredRecord = { key, digest, bytes };
    await new Promise<void>((resolve, reject) => {
      const transaction = db.transaction(layout.store, 'readwrite');
      transaction.objectStore(layout.store).put(snapshot, layout.key);
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}
