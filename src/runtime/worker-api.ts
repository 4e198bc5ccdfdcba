import * as Comlink from 'comlink';
import { type BootPythonOptions, bootPython, wasmHeapBytes } from './boot';
import {
  bootRequestSchema,
  outputCallbackSchema,
  type PythonWorkerApi,
  parseMessage,
  workerCheckRequestSchema,
  workerRenderRequestSchema,
  workerRunRequestSchema,
  workerTransformRequestSchema,
} from './protocol';
import { type GlobalsGuard, guardInterpreter } from './python-guard';
import { bundledPythonSources, pymarkPython } from './python-modules';
import { createPythonServices, type PythonServices } from './python-services';

/** What a worker's host (the browser's sandbox frame, or Node's worker_threads) gives the API. */
export interface WorkerHost extends Pick<BootPythonOptions, 'indexURL' | 'pyodideOptions'> {
  /** Pyodide's interrupt buffer, shared with the client, which writes SIGINT into it. */
  interruptBuffer: SharedArrayBuffer;
  /** Removes what reaches outside the worker, after boot and before any user code runs. */
  lockDown(): void;
  /**
   * After the lockdown, in a real worker (python-guard.ts): keeps a call's timers and globals from
   * outliving it. Omitted where the API runs on a test's own thread.
   */
  guardGlobals?(): GlobalsGuard;
}

/**
 * The `PythonWorkerApi` a worker exposes with Comlink: the same in the browser's sandboxed worker
 * (worker.ts) and in a Node worker thread (node/python-worker.ts). The Python work lives in
 * python-services.ts and the modules it composes; this only checks what crosses and routes it.
 */
export function createWorkerApi(host: WorkerHost): PythonWorkerApi {
  let python: PythonServices | undefined;
  let heapBytes = () => 0;
  let globals: GlobalsGuard | undefined;

  function services(): PythonServices {
    if (!python) throw new Error('Python has not finished booting');
    return python;
  }

  /** Runs a call's Python; its timers and globals end with it. */
  function ended<T>(call: () => T): T {
    try {
      return call();
    } finally {
      globals?.endCall();
    }
  }

  /** A one-call answer: the result, its time in Python and the heap size after it. */
  function timed<Result>(call: () => Result) {
    const started = performance.now();
    const result = ended(call);
    return { result, pythonMs: performance.now() - started, heapBytes: heapBytes() };
  }

  return {
    async boot(request: unknown) {
      const { snapshot } = parseMessage(bootRequestSchema, request, 'boot request');
      try {
        const booted = await bootPython({
          indexURL: host.indexURL,
          pyodideOptions: host.pyodideOptions,
          // Pymark's modules live in the heap, so a snapshot boot starts with them installed.
          preload: (pyodide) => void pymarkPython(pyodide),
          preloadSources: bundledPythonSources,
          snapshot,
        });
        // After the snapshot: the interrupt buffer belongs to this worker, not to the next boot.
        booted.pyodide.setInterruptBuffer(new Int32Array(host.interruptBuffer));
        // Sandbox: from here on user code can run, so everything that reaches outside goes first.
        host.lockDown();
        python = createPythonServices(booted.pyodide);
        // Last: Python keeps no way to the interrupt buffer, and each call's timers die with it.
        globals = host.guardGlobals?.();
        guardInterpreter(booted.pyodide, globals);
        heapBytes = () => wasmHeapBytes(booted.pyodide);
        const result = { ok: true as const, bootInfo: booted.info, snapshot: booted.snapshot };
        return booted.snapshot ? Comlink.transfer(result, [booted.snapshot.bytes]) : result;
      } catch (error) {
        return { ok: false, reason: error instanceof Error ? error.message : String(error) };
      }
    },

    async run(request: unknown, onOutput: unknown) {
      const { runner, macros } = services();
      const { site, ...script } = parseMessage(workerRunRequestSchema, request, 'run request');
      if (site !== undefined) macros.updateSite(site);
      const deliver = parseMessage(outputCallbackSchema, onOutput, 'output callback');
      let lastDelivery: Promise<void> = Promise.resolve();
      try {
        const answer = timed(() =>
          runner.run({
            ...script,
            onOutput: (chunks) => {
              lastDelivery = deliver(chunks);
            },
          }),
        );
        // Batches travel on the callback's own port and the result on the worker's, and two ports
        // are not ordered. Waiting until the main thread has handled the last batch keeps the
        // contract that all output arrives before `run` settles.
        await lastDelivery;
        return answer;
      } finally {
        deliver[Comlink.releaseProxy]();
      }
    },

    async render(request: unknown) {
      const { macros } = services();
      const { site, batch } = parseMessage(workerRenderRequestSchema, request, 'render request');
      if (site !== undefined) macros.updateSite(site);
      return ended(() => ({ results: macros.render(batch), heapBytes: heapBytes() }));
    },

    async check(request: unknown) {
      const { code, fileName } = parseMessage(workerCheckRequestSchema, request, 'check request');
      return { check: services().checker.check(code, fileName), heapBytes: heapBytes() };
    },

    async transform(request: unknown) {
      const { site, ...transform } = parseMessage(workerTransformRequestSchema, request, 'transform request');
      const { macros, transforms } = services();
      if (site !== undefined) macros.updateSite(site);
      return timed(() => transforms.transform(transform));
    },
  };
}
