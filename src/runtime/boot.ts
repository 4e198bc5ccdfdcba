import { loadPyodide, type PyodideAPI, version as pyodideVersion } from 'pyodide';
import type { OfflinePyodideOptions } from './sandbox-worker';
import { type PreloadedSource, type PythonSnapshot, snapshotDigest, snapshotKey } from './snapshot';
import type { BootInfo } from './types';

export interface BootPythonOptions {
  /** Absolute URL (or, in Node, directory path) of Pyodide's files, with a trailing slash. */
  indexURL: string;
  /** How the sandboxed worker loads Pyodide's module without a network; omitted under Node. */
  pyodideOptions?: OfflinePyodideOptions;
  /**
   * Runs on a normal boot, before the snapshot is taken: what it leaves in the interpreter (imported
   * modules, installed Pymark modules) is what a snapshot boot starts with. Only pure Python state
   * survives a snapshot; files written to Pyodide's file system do not.
   */
  preload(pyodide: PyodideAPI): void;
  /** Everything `preload` runs, e.g. the bundled Python files; hashed into the snapshot key. */
  preloadSources: readonly PreloadedSource[];
  /** Restored instead of a normal boot when it is intact and was made for this build. */
  snapshot?: PythonSnapshot;
}

interface BootedPython {
  pyodide: PyodideAPI;
  info: BootInfo;
  /** Made by a normal boot, before any other code ran, for the caller to store for the next boot. */
  snapshot?: PythonSnapshot;
}

/**
 * Boots Pyodide from `options.snapshot` if it passes every check, otherwise normally (and then makes
 * a fresh snapshot). Never fails because of the snapshot: any problem with it becomes
 * `info.fallbackReason`. Free of worker and DOM APIs so it runs under Node with a real Pyodide.
 */
export async function bootPython(options: BootPythonOptions): Promise<BootedPython> {
  const started = performance.now();
  const key = snapshotKey(pyodideVersion, options.preloadSources);
  let fallbackReason = 'no snapshot was provided';
  if (options.snapshot) {
    try {
      const pyodide = await restoreSnapshot(options, options.snapshot, key);
      return { pyodide, info: { source: 'snapshot', ms: performance.now() - started } };
    } catch (error) {
      fallbackReason = `the snapshot was refused: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  const pyodide = await loadPyodide({
    ...options.pyodideOptions,
    indexURL: options.indexURL,
    _makeSnapshot: true,
  });
  options.preload(pyodide);
  const snapshot = await makeSnapshot(pyodide, key);
  return { pyodide, snapshot, info: { source: 'normal', ms: performance.now() - started, fallbackReason } };
}

async function restoreSnapshot(
  { indexURL, pyodideOptions }: BootPythonOptions,
  snapshot: PythonSnapshot,
  key: string,
): Promise<PyodideAPI> {
  if (snapshot.key !== key) throw new Error(`it was made for ${snapshot.key}, not ${key}`);
  // Pyodide copies the bytes straight into WASM memory; damage there shows up later, if at all.
  if (snapshotDigest(snapshot.bytes) !== snapshot.digest)
    throw new Error('its bytes do not match its digest');
  const pyodide = await loadPyodide({
    ...pyodideOptions,
    indexURL,
    _loadSnapshot: new Uint8Array(snapshot.bytes),
  });
  const restoredKey: unknown = pyodide.runPython(checkRestoredInterpreter);
  if (restoredKey !== key) throw new Error(`the restored interpreter is not the one made for ${key}`);
  return pyodide;
}

/**
 * Snapshots the interpreter as it is now. A snapshot is an optimisation: if Pyodide cannot make one
 * (say, `preload` left Python holding a JavaScript object), the boot still succeeds without it.
 */
async function makeSnapshot(pyodide: PyodideAPI, key: string): Promise<PythonSnapshot | undefined> {
  const namespace = pyodide.toPy({ snapshot_key: key });
  try {
    pyodide.runPython(recordSnapshotKey, { globals: namespace, filename: '<pymark-boot>' });
    const bytes = ownBuffer(pyodide.makeMemorySnapshot());
    return { key, digest: snapshotDigest(bytes), bytes };
  } catch (error) {
    console.warn(
      'Pymark could not snapshot the Python interpreter; the next boot will be a normal one',
      error,
    );
    return undefined;
  } finally {
    namespace.destroy();
  }
}

/**
 * Runs before the snapshot: the key lives inside the interpreter, so a mislabelled snapshot shows.
 * `random` is imported here so that reseeding it after a restore costs nothing.
 */
const recordSnapshotKey = `
import random, sys, types

boot = types.ModuleType("_pymark_boot", "What this interpreter was booted from.")
boot.snapshot_key = snapshot_key
sys.modules[boot.__name__] = boot
`;

/**
 * Runs after a restore; its value is the key the snapshot was made for. That it runs, imports and
 * finds the key is the check that the restored interpreter works.
 */
const checkRestoredInterpreter = `
import random
import _pymark_boot

# The snapshot froze random's state: without a fresh seed every session would repeat one sequence.
random.seed()
_pymark_boot.snapshot_key
`;

/** The snapshot's bytes as a transferable buffer, copied only if the view does not own its buffer. */
function ownBuffer(view: Uint8Array): ArrayBuffer {
  const { buffer } = view;
  const ownsAll =
    buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === buffer.byteLength;
  return ownsAll ? buffer : view.slice().buffer;
}

/** Size of Pyodide's WASM memory. It grows with use and never shrinks; only a new worker frees it. */
export function wasmHeapBytes(pyodide: PyodideAPI): number {
  // `_module` (the Emscripten module) is public at runtime but missing from Pyodide's types.
  const { _module } = pyodide as PyodideAPI & { _module: { HEAP8: Int8Array } };
  return _module.HEAP8.buffer.byteLength;
}
