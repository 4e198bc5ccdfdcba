import { createPythonRuntime } from '../../src/runtime/client';
import { sandboxedWorkers } from '../../src/runtime/sandbox-host';
import type { SnapshotCache } from '../../src/runtime/snapshot';
import type { PythonRuntime, RunOutcome, RunRequest, RuntimeStatus } from '../../src/runtime/types';
import pythonWorkerUrl from '../../src/runtime/worker.ts?worker&url';
import { createSnapshotStore } from '../../src/storage/snapshot-store';
import type { BootSample, RecoverySample } from './api';

/*
 * The Python runtime exactly as src/main.ts composes it: the real worker in a sandbox frame, the
 * typed client, a snapshot store on IndexedDB (a database of the bench's own). Only the time
 * measurements are added.
 */

export const pyodideBaseUrl = `${import.meta.env.BASE_URL}pyodide/`;

/** One factory for every runtime of the page: Pyodide's files are fetched once, as in the app. */
const pythonWorkers = sandboxedWorkers({ workerScriptUrl: pythonWorkerUrl, pyodideBaseUrl });

const snapshotStore = createSnapshotStore('pymark-bench-snapshot');

function startRuntime(snapshots: SnapshotCache | undefined): PythonRuntime {
  return createPythonRuntime({ createWorker: pythonWorkers, snapshots });
}

/** Resolves when the runtime reaches `state`; rejects if Python failed to start. */
function whenStatus(runtime: PythonRuntime, state: RuntimeStatus['state']): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (status: RuntimeStatus) => {
      if (status.state === state) resolve();
      else if (status.state === 'failed') reject(new Error(status.reason));
      else return;
      unsubscribe();
    };
    const unsubscribe = runtime.subscribe(check);
    check(runtime.status);
  });
}

export const whenReady = (runtime: PythonRuntime) => whenStatus(runtime, 'ready');

/** One boot: `normal` without a snapshot store (the app's first visit), `snapshot` from the primed store. */
export async function bootOnce(source: BootSample['source']): Promise<BootSample> {
  const started = performance.now();
  const runtime = startRuntime(source === 'snapshot' ? snapshotStore : undefined);
  try {
    await whenReady(runtime);
    const ms = performance.now() - started;
    const info = runtime.bootInfo!;
    return { ms, workerMs: info.ms, source: info.source };
  } finally {
    runtime.dispose();
  }
}

/**
 * Stores a snapshot the way the app's first visit does (a normal boot, saved in the background),
 * and waits for the save, which the runtime does not expose.
 */
export async function primeSnapshot(): Promise<void> {
  if (await snapshotStore.load()) return;
  let saved: Promise<void> | undefined;
  const runtime = startRuntime({
    load: async () => undefined,
    save: (snapshot) => {
      saved = snapshotStore.save(snapshot);
      return saved;
    },
  });
  try {
    await whenReady(runtime);
    // The worker lifecycle hands the snapshot over before the runtime reports `ready`.
    if (!saved) throw new Error('the normal boot made no memory snapshot');
    await saved;
  } finally {
    runtime.dispose();
  }
}

let warm: Promise<PythonRuntime> | undefined;

/** The runtime shared by the batch and posts figures, booted from the snapshot. */
export function warmRuntime(): Promise<PythonRuntime> {
  warm ??= primeSnapshot().then(async () => {
    const started = startRuntime(snapshotStore);
    await whenReady(started);
    return started;
  });
  return warm;
}

const run = (
  runtime: PythonRuntime,
  fileName: string,
  code: string,
  onOutput: RunRequest['onOutput'] = () => {},
): Promise<RunOutcome> => {
  // The time limit is far away: Stop, not the limit, must end the loop.
  const request: RunRequest = { fileName, code, onOutput, timeoutMs: 600_000 };
  return runtime.run(request);
};

/** The line a recovery sample's code prints just before its loop: Stop waits for it. */
export const aboutToLoop = 'print("looping", flush=True)\n';

/**
 * Starts `code` (a loop that never ends by itself), presses Stop once it runs, and times until a
 * trivial run after it has finished: what a user waits for between Stop and their next run.
 */
export async function recoverySamples(
  code: string,
  runs: number,
  expected: RecoverySample['via'],
): Promise<RecoverySample[]> {
  await primeSnapshot();
  // With the store, as in the app: a restart boots from the snapshot.
  const runtime = startRuntime(snapshotStore);
  const samples: RecoverySample[] = [];
  try {
    await whenReady(runtime);
    for (let index = 0; index < runs; index++) {
      // Stop once the code says it is about to loop: under load, a Stop at a fixed delay could land
      // before the code above the loop (a SIGINT handler) had run, and end the sample the other way.
      let entered!: () => void;
      const inLoop = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const looping = run(runtime, 'loop.py', code, (chunks) => {
        if (chunks.some((chunk) => chunk.text.includes('looping'))) entered();
      });
      await inLoop;
      const started = performance.now();
      runtime.stop();
      const stopped = await looping;
      const next = await run(runtime, 'next.py', 'x = 1');
      const ms = performance.now() - started;
      if (stopped.kind !== 'stopped' || next.kind !== 'ok') {
        throw new Error(`unexpected outcomes: ${stopped.kind} then ${next.kind}`);
      }
      // A sample that ended the other way measures the other figure: it would be wrong here.
      if (stopped.via !== expected) throw new Error(`stopped via ${stopped.via}, not ${expected}`);
      samples.push({ ms, via: stopped.via, bootSource: runtime.bootInfo!.source });
    }
    return samples;
  } finally {
    runtime.dispose();
  }
}
