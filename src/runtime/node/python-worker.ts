// First: before any schema is made (see zod-jitless.ts).
import '../../core/zod-jitless';
import { parentPort, workerData } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter';
import { z } from 'zod';
import { lockDownNodeWorker } from '../lockdown';
import { capWasmMemory, guardWorkerGlobals } from '../python-guard';

/*
 * Node's worker-thread entry: the same `PythonWorkerApi` as the browser's sandboxed worker
 * (worker-api.ts), over Comlink's Node adapter. It runs as a bundle (vite.node.config.ts builds it
 * to dist-node/python-worker.mjs): Node 20 cannot load TypeScript, nor the `?raw` Python sources.
 * The modules that make Zod schemas are imported dynamically: the bundler evaluates a statically
 * imported chunk before this module's own code, so before Zod is told not to compile.
 */
const { parseMessage, sharedArrayBufferSchema } = await import('../protocol');
const { createWorkerApi } = await import('../worker-api');

const workerDataSchema = z.object({
  /** Pyodide's directory in node_modules, with a trailing slash. */
  indexURL: z.string().endsWith('/'),
  interruptBuffer: sharedArrayBufferSchema,
  /** The most Pyodide's heap may grow to during a call (python-guard.ts). */
  heapCapBytes: z.number().int().positive(),
});

if (!parentPort) throw new Error('python-worker.mjs runs only as a Node worker thread');
const { indexURL, interruptBuffer, heapCapBytes } = parseMessage(
  workerDataSchema,
  workerData,
  'Python worker data',
);
capWasmMemory(heapCapBytes);

Comlink.expose(
  createWorkerApi({
    indexURL,
    interruptBuffer,
    lockDown: lockDownNodeWorker,
    guardGlobals: guardWorkerGlobals,
  }),
  nodeEndpoint(parentPort),
);
