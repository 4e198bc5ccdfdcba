import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { newAppPage, pythonStatus, useBuiltApp } from './harness';
import { storedSnapshotDigest } from './python-snapshot-seed';

/*
 * Fast boot in Chromium: the first visit boots Python normally and stores a memory snapshot; the
 * next load boots from it; a damaged snapshot is refused, Python still starts, and it is rebuilt.
 * The boot source is read from the status badge, where users see it as a tooltip.
 */

const suite = useBuiltApp();

/** Waits for Python to be ready and returns the badge's tooltip, e.g. "ready (snapshot boot, 180 ms)". */
async function readyTooltip(page: Page): Promise<string> {
  const badge = pythonStatus(page);
  await badge.and(page.locator('[data-state="ready"]')).waitFor({ timeout: 90_000 });
  return (await badge.getAttribute('title')) ?? '';
}

/** Overwrites a stretch in the middle of the stored snapshot's bytes, keeping its key and digest. */
async function corruptStoredSnapshot(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('pymark-python-snapshot');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const store = db.transaction('snapshots').objectStore('snapshots');
    const record = await new Promise<{ bytes: Blob }>((resolve, reject) => {
      const request = store.get('latest');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const bytes = new Uint8Array(await record.bytes.arrayBuffer());
    bytes.fill(0xff, bytes.byteLength / 2, bytes.byteLength / 2 + 65_536);
    // A fresh transaction: the one the record was read in ended while its bytes were read.
    const writable = db.transaction('snapshots', 'readwrite').objectStore('snapshots');
    await new Promise((resolve, reject) => {
      const request = writable.put({ ...record, bytes: new Blob([bytes]) }, 'latest');
      request.onsuccess = resolve;
      request.onerror = () => reject(request.error);
    });
    db.close();
  });
}

describe('fast boot from a Pyodide memory snapshot (Chromium)', () => {
  test('stores a snapshot on the first visit, boots from it after a reload, and survives a corrupt one', async () => {
    // A first visit: the context starts without the snapshot the other files' contexts are given.
    const app = await newAppPage(suite.browser, suite.server.url, { storedSnapshot: false });
    const { page } = app;
    // Python takes seconds to boot, so this listens long before the snapshot is written.
    const workerUrls: string[] = [];
    page.on('worker', (worker) => workerUrls.push(worker.url()));
    try {
      const first = await readyTooltip(page);
      expect(first).toMatch(/^ready \(normal boot, \d+ ms: no snapshot was provided\)$/);
      const firstDigest = await storedSnapshotDigest(page);
      // Written by the page's snapshot worker, not on its main thread (the page reads the Blob).
      expect(workerUrls.some((url) => url.includes('snapshot-io-worker'))).toBe(true);

      await page.reload();
      const second = await readyTooltip(page);
      expect(second).toMatch(/^ready \(snapshot boot, \d+ ms\)$/);
      expect(await pythonStatus(page).getAttribute('data-boot-source')).toBe('snapshot');

      await corruptStoredSnapshot(page);
      await page.reload();
      const third = await readyTooltip(page);
      expect(third).toMatch(
        /normal boot, \d+ ms: the snapshot was refused: its bytes do not match its digest/,
      );
      // Rebuilt: a fresh snapshot replaced the damaged one, and the next load uses it.
      await storedSnapshotDigest(page, firstDigest);
      await page.reload();
      expect(await readyTooltip(page)).toMatch(/^ready \(snapshot boot, \d+ ms\)$/);

      const ms = (tooltip: string) => Number(/(\d+) ms/.exec(tooltip)?.[1]);
      console.info(`Chromium: normal boot ${ms(first)} ms, snapshot boot ${ms(second)} ms`);
      expect(app.errors).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
