// First: before any schema is made (see zod-jitless.ts).
import '../core/zod-jitless';
import * as Comlink from 'comlink';
import { lockDown } from './lockdown';
import { capWasmMemory, guardWorkerGlobals, heapCapBytes } from './python-guard';
import { connectToSandboxHost } from './sandbox-worker';
import { createWorkerApi } from './worker-api';

/*
 * The browser's module worker entry: boots Pyodide and exposes `PythonWorkerApi` with Comlink
 * (worker-api.ts). Node's worker thread does the same from node/python-worker.ts.
 */

// Sandbox (docs/security.md): the frame hands over the page's Comlink port, the interrupt buffer and
// Pyodide's files; the worker has no network to fetch them itself.
const { port, ...host } = await connectToSandboxHost();
capWasmMemory(heapCapBytes);

Comlink.expose(createWorkerApi({ ...host, lockDown, guardGlobals: guardWorkerGlobals }), port);
