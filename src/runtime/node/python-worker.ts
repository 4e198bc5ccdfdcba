import { parentPort, workerData } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter';
import { z } from 'zod';
import { parseMessage, sharedArrayBufferSchema } from '../protocol';
import { createWorkerApi } from '../worker-api';

/*
 * Node's worker-thread entry: the same `PythonWorkerApi` as the browser's sandboxed worker
 * (worker-api.ts), over Comlink's Node adapter. It runs as a bundle (vite.node.config.ts builds it
 * to dist-node/python-worker.mjs): Node 20 cannot load TypeScript, nor the `?raw` Python sources.
 */

const workerDataSchema = z.object({
  /** Pyodide's directory in node_modules, with a trailing slash. */
  indexURL: z.string().endsWith('/'),
  interruptBuffer: sharedArrayBufferSchema,
});

if (!parentPort) throw new Error('python-worker.mjs runs only as a Node worker thread');
const { indexURL, interruptBuffer } = parseMessage(workerDataSchema, workerData, 'Python worker data');

/**
 * Not a sandbox: in Node, Python's `js` module reaches the thread's globals, and through them Node's
 * APIs, whatever is removed here. The build runs the project owner's own scripts on their own
 * machine, as the desktop app does; the browser's frame is the boundary for everything else
 * (docs/security.md). Removing the network keeps a script that works here working in the browser.
 */
function removeNetwork(): void {
  for (const name of ['fetch', 'WebSocket', 'EventSource', 'XMLHttpRequest'])
    Reflect.deleteProperty(globalThis, name);
}

Comlink.expose(
  createWorkerApi({ indexURL, interruptBuffer, lockDown: removeNetwork }),
  nodeEndpoint(parentPort),
);
