import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { createPythonRuntime, type WorkerEndpoint } from '../../src/runtime/client.ts';
import type { MacroScript, PythonRuntime } from '../../src/runtime/types.ts';
import { createWorkerApi } from '../../src/runtime/worker-api.ts';
import { workerEndpoint } from '../../src/runtime/worker-lifecycle.ts';
import { sharedSnapshots } from './python-snapshot.ts';

/*
 * The heap bound with a real Pyodide: its WASM memory grows when a script allocates and never
 * shrinks, the client notices from the call's answer and replaces the worker, and work queued
 * meanwhile runs on the new one. Each "worker" is the real worker API (worker-api.ts) with a real
 * Pyodide on this thread, behind a real MessageChannel.
 */

const indexURL = `${dirname(createRequire(import.meta.url).resolve('pyodide/package.json'))}/`;

interface RealWorker {
  heapBytes(): number;
  terminated: boolean;
}

function realWorker(created: RealWorker[]): WorkerEndpoint {
  const { port1, port2 } = new MessageChannel();
  const interruptBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  let heapBytes = 0;
  const worker: RealWorker = { heapBytes: () => heapBytes, terminated: false };
  created.push(worker);
  const api = createWorkerApi({ indexURL, interruptBuffer, lockDown: () => {} });
  // The heap size as the worker last reported it, with every answer.
  const reporting = {
    ...api,
    async run(...args: Parameters<typeof api.run>) {
      const answer = await api.run(...args);
      heapBytes = answer.heapBytes;
      return answer;
    },
    async render(...args: Parameters<typeof api.render>) {
      const answer = await api.render(...args);
      heapBytes = answer.heapBytes;
      return answer;
    },
  };
  Comlink.expose(reporting, port2);
  return workerEndpoint(port1, new Int32Array(interruptBuffer), () => {
    worker.terminated = true;
    port1.close();
    port2.close();
  });
}

const echo: MacroScript = {
  id: 'echo',
  version: 1,
  slug: 'echo',
  body: 'def render(context):\n    return context["args"][0]\n',
  entrypoint: 'render',
};
const context = {
  macro: 'echo',
  params: {},
  args: [{ type: 'str' as const, value: 'after the recycle' }],
  env: { preview: true, language: 'en', base_url: '' },
  post: { id: 'p', title: 'P', slug: 'p', status: 'draft', tags: [], categories: [] },
};

const runtimes: PythonRuntime[] = [];
afterEach(() => {
  for (const runtime of runtimes.splice(0)) runtime.dispose();
});

describe('the heap bound, with real Pyodide', () => {
  it('replaces a worker whose heap grew past the bound, and a render queued behind the run still runs', async () => {
    const workers: RealWorker[] = [];
    const maxHeapBytes = 192 * 2 ** 20;
    const runtime = createPythonRuntime({
      createWorker: () => realWorker(workers),
      maxHeapBytes,
      snapshots: sharedSnapshots,
    });
    runtimes.push(runtime);

    // A small run first: a fresh interpreter stays under the bound, so nothing is replaced.
    const small = await runtime.run({
      fileName: 'small.py',
      code: 'x = 1\n',
      timeoutMs: 60_000,
      onOutput: () => {},
    });
    expect(small.kind).toBe('ok');
    expect(workers[0]!.heapBytes()).toBeLessThan(maxHeapBytes);
    expect(workers).toHaveLength(1);

    const output: string[] = [];
    const big = runtime.run({
      fileName: 'big.py',
      code: 'block = bytearray(256 * 2**20)\nprint(len(block))\n',
      timeoutMs: 60_000,
      onOutput: (chunks) => output.push(...chunks.map((chunk) => chunk.text)),
    });
    const queued = runtime.renderMacro(echo, context);
    expect(await big).toMatchObject({ kind: 'ok' });
    expect(output.join('')).toBe(`${256 * 2 ** 20}\n`);
    // WASM memory never shrinks: the first worker still holds what the script took.
    expect(workers[0]!.heapBytes()).toBeGreaterThan(maxHeapBytes);
    expect(runtime.status).toEqual({
      state: 'restarting',
      reason: "Python's memory grew past 192 MiB; starting a fresh worker to free it",
    });

    expect(await queued).toEqual({
      ok: true,
      html: 'after the recycle',
      warnings: [],
      reads: { site: [], post: [] },
    });
    expect(workers).toHaveLength(2);
    expect(workers[0]!.terminated).toBe(true);
    expect(workers[1]!.heapBytes()).toBeLessThan(maxHeapBytes);
    expect(runtime.status).toEqual({ state: 'ready' });
  }, 120_000);
});
