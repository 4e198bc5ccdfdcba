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
import { createPythonRunner, type PythonRunner } from './python-runner';

/*
 * Module worker entry: boots Pyodide and exposes `PythonWorkerApi` with Comlink. The running logic
 * lives in python-runner.ts; this file only wires it to the worker.
 */

let runner: PythonRunner | undefined;
let measureHeap = () => 0;

const api: PythonWorkerApi = {
  async boot(request: unknown) {
    const { interruptBuffer, snapshot } = parseMessage(bootRequestSchema, request, 'boot request');
    try {
      const booted = await bootPython({
        // Absolute, because Pyodide resolves its other files (wasm, stdlib, lock file) against it.
        indexURL: new URL(`${import.meta.env.BASE_URL}pyodide/`, self.location.href).href,
        // Nothing yet: runner.py is loaded after boot by createPythonRunner.
        preload: () => {},
        preloadSources: bundledPythonSources,
        snapshot,
      });
      // After the snapshot: the interrupt buffer belongs to this worker, not to the next boot.
      booted.pyodide.setInterruptBuffer(new Int32Array(interruptBuffer));
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

Comlink.expose(api);
