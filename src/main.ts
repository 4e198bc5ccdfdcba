// First: before any schema is made (see zod-jitless.ts).
import './core/zod-jitless';
import { createPythonRuntime } from './runtime/client';
import { sandboxedWorkers } from './runtime/sandbox-host';
import pythonWorkerUrl from './runtime/worker.ts?worker&url';
import { createSnapshotStore, defaultSnapshotDbName } from './storage/snapshot-store';
import { writeSnapshotInWorker } from './storage/snapshot-writer';

/*
 * The page's entry: starts Python, then loads the rest of the app (start-app.ts). Python's boot
 * waits on the sandbox frame, its files and the stored snapshot; started from this small script,
 * all of that begins before the browser has loaded and run the app's much larger one
 * (bench/RESULTS.md, "A repeat visit's way to Python ready"). Nothing here waits for Python: the
 * app starts at once.
 */

// Each worker runs in a sandbox frame: docs/security.md.
const runtime = createPythonRuntime({
  createWorker: sandboxedWorkers({
    workerScriptUrl: pythonWorkerUrl,
    pyodideBaseUrl: `${import.meta.env.BASE_URL}pyodide/`,
  }),
  snapshots: createSnapshotStore(defaultSnapshotDbName, writeSnapshotInWorker),
});
// When Python first became ready, on the page's clock from navigation (read by `npm run bench`).
let readyMarked = false;
runtime.subscribe((status) => {
  if (readyMarked || status.state !== 'ready') return;
  readyMarked = true;
  performance.mark('pymark:python-ready');
});

import('./start-app')
  .then(({ startApp }) => startApp(runtime))
  .catch((error: unknown) => {
    // Nothing else can say it: the app shell may not be wired up.
    const message = document.createElement('p');
    message.setAttribute('role', 'alert');
    message.textContent = `Pymark could not start: ${error instanceof Error ? error.message : String(error)}`;
    document.body.prepend(message);
    throw error;
  });
