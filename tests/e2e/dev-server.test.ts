/**
 * `npm run dev` boots Python through the same sandbox frame as the built app: the dev server hands
 * the page a one-file bundle of the worker (scripts/vite-dev-worker-bundle.ts). Needs no build.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import {
  type AppPage,
  newAppPage,
  newScript,
  output,
  pythonStatus,
  startDevServer,
  startRun,
  useBuiltApp,
  waitFor,
} from './harness';

const suite = useBuiltApp(startDevServer);
let app: AppPage;
let page: Page;

beforeAll(async () => {
  // Python boots from the files the dev server serves: from the run's snapshot when there is a build
  // to make one (its key holds the Python the dev bundle preloads, so it is refused if that differs),
  // else the long way.
  app = await newAppPage(suite.browser, suite.server.url, {
    storedSnapshot: inject('pythonSnapshotSeed') !== null,
  });
  page = app.page;
  await newScript(page);
  await page.locator('.cm-content').waitFor();
});

afterAll(async () => {
  await app?.close();
});

describe('the dev server', () => {
  test('boots Python in the sandbox frame and runs a script', async () => {
    await waitFor(pythonStatus(page), /ready/, 90_000);
    const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
    expect(
      await frame?.evaluate(() => (window as Window & { credentialless?: boolean }).credentialless),
    ).toBe(true);
    await startRun(page, 'print("dev", 6 * 7)\n');
    await waitFor(output(page).getByRole('note'), /Finished/);
    expect(await output(page).textContent()).toContain('dev 42');
  });

  test('Stop interrupts a busy loop', async () => {
    await startRun(page, 'while True:\n    pass\n');
    await waitFor(pythonStatus(page), /running/);
    await page.getByRole('button', { name: 'Stop' }).click();
    await waitFor(output(page).getByRole('note'), /interrupted with KeyboardInterrupt/);
  });

  test('logs no errors on the page', () => {
    expect(app.errors).toEqual([]);
  });
});
