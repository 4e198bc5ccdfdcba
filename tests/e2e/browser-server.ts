/**
 * The e2e project's global setup: one Chromium for every test file, which each file connects to
 * (`useBuiltApp` in harness.ts) and leaves through contexts of its own. Launching a browser per file
 * cost about as much CPU as booting Python once.
 */
import type { TestProject } from 'vitest/node';
import { launchBrowserServer } from './chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared Chromium's Playwright endpoint, for `chromium.connect`. */
    browserEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await launchBrowserServer();
  project.provide('browserEndpoint', server.wsEndpoint());
  return () => server.close();
}
