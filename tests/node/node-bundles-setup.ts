/**
 * The unit project's global setup: fresh folders for what this run's test files make once and share,
 * the Node bundles (`buildNodeBundles` in site-harness.ts) and a Python memory snapshot
 * (`sharedPythonSnapshot` in python-snapshot.ts). Nothing is made here: the first test file that
 * needs one makes it, so a run of tests that need neither pays nothing for them.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** This run's folder for the Node bundles (see site-harness.ts). */
    nodeBundlesDir: string;
    /** This run's folder for the shared Python snapshot (see python-snapshot.ts). */
    pythonSnapshotDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  // Inside node_modules, so the bundles resolve the packages they import, as dist-node/ does.
  const parent = new URL('../../node_modules/.cache/', import.meta.url).pathname;
  mkdirSync(parent, { recursive: true });
  const dirs = [
    mkdtempSync(join(parent, 'pymark-dist-node-')),
    mkdtempSync(join(parent, 'pymark-snapshot-')),
  ];
  const [bundles, snapshot] = dirs as [string, string];
  project.provide('nodeBundlesDir', bundles);
  project.provide('pythonSnapshotDir', snapshot);
  return () => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
}
