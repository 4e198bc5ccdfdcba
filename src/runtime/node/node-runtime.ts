import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { SiteSnapshot } from '../../core/abi';
import { createPythonRuntime, defaultMaxHeapBytes, type PythonRuntimeOptions } from '../client';
import type { PythonRuntime, RenderItem, RenderOutcome } from '../types';
import { type WorkerEndpoint, whenUp, workerEndpoint } from '../worker-lifecycle';

/*
 * The Python runtime for Node (the site build): real Pyodide in `worker_threads`, each worker behind
 * the same client and the same Comlink API as the browser's sandboxed worker, so a macro renders
 * the same in the build as in the preview. `NodeRuntime` is the contract the site build CLI keeps.
 *
 * The worker thread runs dist-node/python-worker.mjs, built by `npm run build:node`
 * (vite.node.config.ts): Node 20 runs neither TypeScript nor Vite's `?raw` imports, so the worker is
 * a bundle. A CLI built by the same config into the same directory finds it without `workerUrl`.
 */

/** `snapshots`: e.g. a file, kept between processes. */
export interface NodeRuntimeOptions extends Pick<PythonRuntimeOptions, 'maxHeapBytes' | 'snapshots'> {
  /** Worker threads, each with its own Pyodide; a batch is shared out between them. Default 1. */
  workers?: number;
  /** Time limit of one worker call (at most `itemsPerCall` macro calls); default 5 s. */
  timeLimitMs?: number;
  /** Macro calls sent to a worker at once; a call that runs past the limit costs only its own. Default 500. */
  itemsPerCall?: number;
  /** The built worker (python-worker.mjs); default: next to the module that bundles this one. */
  workerUrl?: URL;
}

export interface NodeRuntime {
  /** Resolves once every worker has booted; rejects with the reason if one could not. */
  ready(): Promise<void>;
  /** Renders the items across the workers; each succeeds or fails on its own, outcomes in item order. */
  renderMany(items: readonly RenderItem[]): Promise<RenderOutcome[]>;
  /** The data behind `from pymark import site`, for every worker, before its next call. */
  setSiteData(snapshot: SiteSnapshot): void;
  /**
   * Starts more workers, up to `workers` in all: for a pool started before its caller knew how much
   * work there is. `ready()` waits for them too.
   */
  grow(workers: number): void;
  dispose(): void;
}

export function createNodeRuntime(options: NodeRuntimeOptions = {}): NodeRuntime {
  const workerUrl = options.workerUrl ?? new URL('./python-worker.mjs', import.meta.url);
  const itemsPerCall = options.itemsPerCall ?? 500;
  const startWorker = () =>
    createPythonRuntime({
      // Twice the bound past which a worker is replaced between calls, as in the browser (python-guard.ts).
      createWorker: () => nodeWorker(workerUrl, 2 * (options.maxHeapBytes ?? defaultMaxHeapBytes)),
      renderTimeoutMs: options.timeLimitMs,
      maxHeapBytes: options.maxHeapBytes,
      snapshots: options.snapshots,
    });
  const pool: PythonRuntime[] = Array.from({ length: Math.max(1, options.workers ?? 1) }, startWorker);
  const queue = callQueue(pool);
  let siteData: SiteSnapshot | undefined;
  return {
    ready: () => Promise.all(pool.map((python) => whenUp(python, () => {}))).then(() => {}),
    async renderMany(items) {
      const calls: Promise<RenderOutcome[]>[] = [];
      for (let start = 0; start < items.length; start += itemsPerCall)
        calls.push(queue.render(items.slice(start, start + itemsPerCall)));
      return (await Promise.all(calls)).flat();
    },
    setSiteData(snapshot) {
      siteData = snapshot;
      for (const python of pool) python.setSiteData(snapshot);
    },
    grow(workers) {
      while (pool.length < workers) {
        const python = startWorker();
        if (siteData) python.setSiteData(siteData);
        pool.push(python);
      }
      queue.dispatch();
    },
    dispose() {
      for (const python of pool) python.dispose();
    },
  };
}

/**
 * Worker calls from every `renderMany` in one queue, each taken by the next free worker, so a slow
 * call holds up no other. One queue for all: a build streams its macro calls a worker call at a
 * time, and each `renderMany` starting from the first worker queued them all on it.
 */
export function callQueue(workers: readonly Pick<PythonRuntime, 'renderMany'>[]): {
  render(items: RenderItem[]): Promise<RenderOutcome[]>;
  /** Hands waiting calls to free workers; call it when a worker joins. */
  dispatch(): void;
} {
  const waiting: {
    items: RenderItem[];
    resolve(outcomes: RenderOutcome[]): void;
    reject(error: unknown): void;
  }[] = [];
  const busy = new Set<object>();
  const dispatch = () => {
    for (const worker of workers) {
      if (waiting.length === 0) return;
      if (busy.has(worker)) continue;
      const call = waiting.shift()!;
      busy.add(worker);
      worker
        .renderMany(call.items)
        .then(call.resolve, call.reject)
        .finally(() => {
          busy.delete(worker);
          dispatch();
        });
    }
  };
  return {
    render: (items) =>
      new Promise((resolve, reject) => {
        waiting.push({ items, resolve, reject });
        dispatch();
      }),
    dispatch,
  };
}

function pyodideDirectory(): string {
  return `${dirname(createRequire(import.meta.url).resolve('pyodide/package.json'))}/`;
}

/**
 * A worker thread as the client sees a worker: Comlink messages, `error` when it dies, SIGINT,
 * terminate. Its heap may not grow past `heapCapBytes` during a call.
 */
export function nodeWorker(workerUrl: URL, heapCapBytes: number): WorkerEndpoint {
  const interruptBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const worker = new Worker(workerUrl, {
    workerData: { indexURL: pyodideDirectory(), interruptBuffer, heapCapBytes },
  });
  // Comlink's adapter carries messages only (it listens for `message` whatever the type asked for).
  const endpoint = workerEndpoint(nodeEndpoint(worker), new Int32Array(interruptBuffer), () => {
    void worker.terminate();
  });
  worker.on('error', (error) => endpoint.fail(error.message));
  worker.on('exit', (code) => endpoint.fail(`the worker thread exited with code ${code}`));
  return endpoint;
}
