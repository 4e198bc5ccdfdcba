import * as Comlink from 'comlink';
import { bootPython, wasmHeapBytes } from './boot';
import { bundledPythonSources } from './bundled-python';
import {
  bootRequestSchema,
  outputCallbackSchema,
  type PythonWorkerApi,
  parseMessage,
  workerRunRequestSchema,
} from './protocol';
import { lockDown } from './lockdown';
import { createPythonRunner, type PythonRunner } from './python-runner';
import { connectToSandboxHost } from './sandbox-worker';

/*
 * Module worker entry: boots Pyodide and exposes `PythonWorkerApi` with Comlink. The running logic
 * lives in python-runner.ts; this file only wires it to the worker.
 */

// Sandbox (docs/security.md): the frame hands over the page's Comlink port, the interrupt buffer and
// Pyodide's files; the worker has no network to fetch them itself.
const host = await connectToSandboxHost();

let runner: PythonRunner | undefined;
let measureHeap = () => 0;

const api: PythonWorkerApi = {
  async boot(request: unknown) {
    const { snapshot } = parseMessage(bootRequestSchema, request, 'boot request');
    try {
      const booted = await bootPython({
        indexURL: host.indexURL,
        pyodideOptions: host.pyodideOptions,
        // Nothing yet: runner.py is loaded after boot by createPythonRunner.
        preload: () => {},
        preloadSources: bundledPythonSources,
        snapshot,
      });
      // After the snapshot: the interrupt buffer belongs to this worker, not to the next boot.
      booted.pyodide.setInterruptBuffer(new Int32Array(host.interruptBuffer));
      // Sandbox: from here on user code can run, so everything that reaches outside goes first.
      lockDown();
      runner = createPythonRunner(booted.pyodide);
      measureHeap = () => wasmHeapBytes(booted.pyodide);
      const result = { ok: true as const, bootInfo: booted.info, snapshot: booted.snapshot };
      return booted.snapshot ? Comlink.transfer(result, [booted.snapshot.bytes]) : result;
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  },

  async heapBytes() {
    return measureHeap();
  },

  async run(request: unknown, onOutput: unknown) {
    if (!runner) throw new Error('Python has not finished booting');
    const script = parseMessage(workerRunRequestSchema, request, 'run request');
    const deliver = parseMessage(outputCallbackSchema, onOutput, 'output callback');
    let lastDelivery: Promise<void> = Promise.resolve();
    try {
      const result = runner.run({
        ...script,
        onOutput: (chunks) => {
          lastDelivery = deliver(chunks);
        },
      });
      // Batches travel on the callback's own port and the result on the worker's, and two ports
      // are not ordered. Waiting until the main thread has handled the last batch keeps the
      // contract that all output arrives before `run` settles.
      await lastDelivery;
      return result;
    } finally {
      deliver[Comlink.releaseProxy]();
    }
  },
};

Comlink.expose(api, host.endpoint);
