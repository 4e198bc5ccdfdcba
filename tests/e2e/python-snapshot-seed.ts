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
import type { Plugin } from 'vite';
import { inject } from 'vitest';
import { defaultSnapshotFileName, snapshotFileLayout } from '../../src/storage/snapshot-store';

/** A stored snapshot as the test files get it: the app's snapshot file, copied to `file`. */
export interface SnapshotSeed {
  file: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** This run's snapshot seed; null when there was no build to make it with. */
    pythonSnapshotSeed: SnapshotSeed | null;
  }
}

const storedAt = { fileName: defaultSnapshotFileName, layout: snapshotFileLayout };

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
 * and copies the app's snapshot file to a file here, which `remove` deletes.
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
    if (!stored?.file) throw new Error('the stored Python snapshot went away');
    const dir = mkdtempSync(join(tmpdir(), 'pymark-e2e-snapshot-'));
    const file = join(dir, 'snapshot.bin');
    writeFileSync(file, stored.file);
    return {
      seed: { file },
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } finally {
    await context.close();
  }
}

/**
 * For the preview servers of the test files: a blank page of the app's origin, which the app never
 * sees, and the seed's bytes, so that storing them costs a local fetch.
 */
export function snapshotSeedRoutes(): Plugin {
  return {
    name: 'e2e-python-snapshot-seed',
    configurePreviewServer(server) {
      server.middlewares.use(seedPath, (request, response) => {
        if (request.url === '/bytes') {
          response.setHeader('Content-Type', 'application/octet-stream');
          createReadStream(providedSeed().file).pipe(response);
          return;
        }
        response.setHeader('Content-Type', 'text/html');
        response.end('<!doctype html>');
      });
    },
  };
}

/** Stores this run's snapshot in `context` for the app at `url`, as a first visit there would have. */
export async function storeSnapshotSeed(context: BrowserContext, url: string): Promise<void> {
  providedSeed();
  const page = await context.newPage();
  try {
    await page.goto(new URL(seedPath, url).href);
    await page.evaluate(writeStoredSnapshot, { fileName: storedAt.fileName, bytesUrl: `${seedPath}/bytes` });
  } finally {
    await page.close();
  }
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

/**
 * Runs in the page: the stored snapshot's key and digest (and the whole file `withBytes`), or null
 * when there is none yet.
 */
async function readStoredSnapshot({
  fileName,
  layout,
  withBytes,
}: {
  fileName: string;
  layout: typeof snapshotFileLayout;
  withBytes: boolean;
}): Promise<{ key: string; digest: string; file?: Uint8Array } | null> {
  const root = await navigator.storage.getDirectory();
  let file: File;
  try {
    file = await (await root.getFileHandle(fileName)).getFile();
  } catch (error) {
    if (error instanceof DOMException && error.name === 'NotFoundError') return null;
    throw error;
  }
  if (file.size < layout.headerLengthBytes) return null;
  const headerLength = new DataView(await file.slice(0, layout.headerLengthBytes).arrayBuffer()).getUint32(
    0,
    true,
  );
  const headerEnd = layout.headerLengthBytes + headerLength;
  const { key, digest } = JSON.parse(await file.slice(layout.headerLengthBytes, headerEnd).text()) as {
    key: string;
    digest: string;
  };
  return withBytes ? { key, digest, file: new Uint8Array(await file.arrayBuffer()) } : { key, digest };
}

/** Runs in the page: fetches the seed's file and stores it as the app's snapshot file. */
async function writeStoredSnapshot({
  fileName,
  bytesUrl,
}: {
  fileName: string;
  bytesUrl: string;
}): Promise<void> {
  const contents = await (await fetch(bytesUrl)).blob();
  const root = await navigator.storage.getDirectory();
  const writable = await (await root.getFileHandle(fileName, { create: true })).createWritable();
  await writable.write(contents);
  await writable.close();
}
