import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { PyodideAPI } from 'pyodide';
import { inject } from 'vitest';
import { SnapshotFile } from '../../src/cli/snapshot-file.ts';
import { bootPython } from '../../src/runtime/boot.ts';
import { bundledPythonSources, pymarkPython } from '../../src/runtime/python-modules.ts';
import type { PythonSnapshot, SnapshotCache } from '../../src/runtime/snapshot.ts';
import { madeOncePerRun } from './once-per-run.ts';

/*
 * One Python memory snapshot per run for the test files that boot real Pyodide, in this process or
 * in the workers of a runtime: a normal boot costs seconds of CPU and a restore a fraction of that,
 * and a dozen files (and the workers they start and restart) each booted the long way. It is made
 * as the app's worker makes it (`bootPython` with Pymark's modules preloaded, worker-api.ts), by the
 * first file that needs it (once-per-run.ts), and kept in a file as `pymark build` keeps its own.
 * The tests of snapshots themselves (snapshot-boot.test.ts, site-cli.test.ts) make their own.
 */

const indexURL = `${dirname(createRequire(import.meta.url).resolve('pyodide/package.json'))}/`;

/** Boots as the worker does: Pymark's modules live in the heap, so a restore starts with them installed. */
const bootWithPymark = (snapshot?: PythonSnapshot) =>
  bootPython({
    indexURL,
    preload: (pyodide) => void pymarkPython(pyodide),
    preloadSources: bundledPythonSources,
    snapshot,
  });

/** The run's snapshot file, and the interpreter that made it when this call was the run's first. */
async function sharedSnapshotFile(): Promise<{ file: SnapshotFile; maker?: PyodideAPI }> {
  const dir = inject('pythonSnapshotDir');
  const file = new SnapshotFile(dir);
  let maker: PyodideAPI | undefined;
  await madeOncePerRun(dir, 'the Python snapshot', async () => {
    const booted = await bootWithPymark();
    if (!booted.snapshot) throw new Error('Pyodide made no memory snapshot');
    await file.save(booted.snapshot);
    maker = booted.pyodide;
  });
  return maker ? { file, maker } : { file };
}

/** A Pyodide with Pymark's modules installed, restored from the run's snapshot. */
export async function bootSharedPython(): Promise<PyodideAPI> {
  const { file, maker } = await sharedSnapshotFile();
  if (maker) return maker;
  const booted = await bootWithPymark(await file.load());
  if (booted.info.source !== 'snapshot')
    throw new Error(`The run's Python snapshot was not restored: ${booted.info.fallbackReason}`);
  return booted.pyodide;
}

/**
 * For a runtime (`snapshots`): its workers boot from the run's snapshot. The file stays as it was
 * made: a worker that saves has refused it and booted the long way, which the warning this causes shows.
 */
export const sharedSnapshots: SnapshotCache = {
  load: async () => (await sharedSnapshotFile()).file.load(),
  save: () => Promise.reject(new Error("a worker refused the run's Python snapshot and booted normally")),
};
