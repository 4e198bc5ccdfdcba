import * as Comlink from 'comlink';
import { loadPyodide } from 'pyodide';
import {
  bootRequestSchema,
  outputCallbackSchema,
  type PythonWorkerApi,
  parseMessage,
  workerRunRequestSchema,
} from './protocol';
import { createPythonRunner, type PythonRunner } from './python-runner';

/*
 * Module worker entry: boots Pyodide and exposes `PythonWorkerApi` with Comlink. The running logic
 * lives in python-runner.ts; this file only wires it to the worker.
 */

let runner: PythonRunner | undefined;

const api: PythonWorkerApi = {
  async boot(request: unknown) {
    const { interruptBuffer } = parseMessage(bootRequestSchema, request, 'boot request');
    try {
      const pyodide = await loadPyodide({
        // Absolute, because Pyodide resolves its other files (wasm, stdlib, lock file) against it.
        indexURL: new URL(`${import.meta.env.BASE_URL}pyodide/`, self.location.href).href,
      });
      pyodide.setInterruptBuffer(new Int32Array(interruptBuffer));
      runner = createPythonRunner(pyodide);
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
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

Comlink.expose(api);
