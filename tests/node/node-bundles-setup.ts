/**
 * The unit project's global setup: a fresh folder for this run's Node bundles, which the first test
 * file that needs them builds and the others share (`buildNodeBundles` in site-harness.ts). Nothing
 * is built here, so a run of tests that need no bundles pays nothing for them.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** This run's folder for the Node bundles (see site-harness.ts). */
    nodeBundlesDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  // Inside node_modules, so the bundles resolve the packages they import, as dist-node/ does.
  const parent = new URL('../../node_modules/.cache/', import.meta.url).pathname;
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'pymark-dist-node-'));
  project.provide('nodeBundlesDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
