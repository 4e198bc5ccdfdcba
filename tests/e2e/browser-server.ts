/**
 * The e2e project's global setup: one Chromium for every test file, which each file connects to
 * (`useBuiltApp` in harness.ts) and leaves through contexts of its own. Launching a browser per file
 * cost about as much CPU as booting Python once. When there is a build (the dev server's test needs
 * none), it also makes the run's Python snapshot seed (python-snapshot-seed.ts).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';
import { launchBrowserServer } from './chromium';
import { repoRoot, startPreviewServer } from './harness';
import { makeSnapshotSeed } from './python-snapshot-seed';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared Chromium's Playwright endpoint, for `chromium.connect`. */
    browserEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await launchBrowserServer();
  project.provide('browserEndpoint', server.wsEndpoint());
  const seed = existsSync(resolve(repoRoot, 'dist/index.html'))
    ? await seedFromFirstVisit(server.wsEndpoint())
    : undefined;
  project.provide('pythonSnapshotSeed', seed?.seed ?? null);
  return async () => {
    seed?.remove();
    await server.close();
  };
}

async function seedFromFirstVisit(browserEndpoint: string): ReturnType<typeof makeSnapshotSeed> {
  const app = await startPreviewServer();
  const browser = await chromium.connect(browserEndpoint);
  try {
    return await makeSnapshotSeed(browser, app.url);
  } finally {
    await browser.close();
    await app.close();
  }
}
