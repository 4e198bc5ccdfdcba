import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPythonRuntime, type WorkerEndpoint } from '../../src/runtime/client.ts';
import type { MacroScript, PythonRuntime, RenderItem } from '../../src/runtime/types.ts';
import { createWorkerApi } from '../../src/runtime/worker-api.ts';
import { workerEndpoint } from '../../src/runtime/worker-lifecycle.ts';
import { sharedSnapshots } from './python-snapshot.ts';

/*
 * A newer preview cancels an older one still waiting, with a real Pyodide: the worker API on this
 * thread behind a real MessageChannel, holding each render it receives until the test lets it go,
 * so that "in flight" (the worker has the call) and "queued" (it does not) are exact.
 */

const indexURL = `${dirname(createRequire(import.meta.url).resolve('pyodide/package.json'))}/`;

interface HeldWorker {
  /** Render requests the worker has received. */
  received: number;
  /** Lets the held renders run. */
  release(): void;
  created: number;
}

function heldWorker(held: HeldWorker): WorkerEndpoint {
  const { port1, port2 } = new MessageChannel();
  const interruptBuffer = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const api = createWorkerApi({ indexURL, interruptBuffer, lockDown: () => {} });
  let released = false;
  const waiting: (() => void)[] = [];
  held.created += 1;
  held.release = () => {
    released = true;
    for (const go of waiting.splice(0)) go();
  };
  const holding = {
    ...api,
    async render(...args: Parameters<typeof api.render>) {
      held.received += 1;
      if (!released) await new Promise<void>((go) => waiting.push(go));
      return api.render(...args);
    },
  };
  Comlink.expose(holding, port2);
  return workerEndpoint(port1, new Int32Array(interruptBuffer), () => {
    port1.close();
    port2.close();
  });
}

/** Counts its calls in its module's globals: the count shows which renders reached Python. */
const counter: MacroScript = {
  id: 'counter',
  version: 1,
  slug: 'counter',
  body: 'calls = 0\n\ndef render(context):\n    global calls\n    calls += 1\n    return f"{context[\'args\'][0]}:{calls}"\n',
  entrypoint: 'render',
};

const item = (label: string): RenderItem => ({
  script: counter,
  context: {
    macro: 'counter',
    params: {},
    args: [{ type: 'str', value: label }],
    env: { preview: true, language: 'en', base_url: '' },
    post: { id: 'p', title: 'P', slug: 'p', status: 'draft', tags: [], categories: [] },
  },
});

const runtimes: PythonRuntime[] = [];
afterEach(() => {
  for (const runtime of runtimes.splice(0)) runtime.dispose();
});

describe('a newer preview, with real Pyodide', () => {
  it('drops an older render still queued; one the worker already has finishes, not stopped', async () => {
    const held: HeldWorker = { received: 0, release: () => {}, created: 0 };
    const runtime = createPythonRuntime({
      createWorker: () => heldWorker(held),
      graceMs: 50,
      snapshots: sharedSnapshots,
    });
    runtimes.push(runtime);

    const first = new AbortController();
    const inFlight = runtime.renderMany([item('first')], first.signal, 'queued');
    await vi.waitFor(() => expect(held.received).toBe(1), { timeout: 120_000 });

    // A newer preview while the first is in the worker: the first is moot, but keeps going.
    const second = new AbortController();
    first.abort();
    const queued = runtime.renderMany([item('second')], second.signal, 'queued');
    // And a newer one still: the second never reached the worker, so it is dropped.
    second.abort();
    const newest = runtime.renderMany([item('newest')], new AbortController().signal, 'queued');
    held.release();

    const ok = (html: string) => ({ ok: true, html, warnings: [], reads: { site: [], post: [] } });
    expect(await inFlight).toEqual([ok('first:1')]);
    expect(await queued).toEqual([
      {
        ok: false,
        kind: 'cancelled',
        script: 'counter.py',
        message: 'Not rendered: the render was cancelled',
      },
    ]);
    // Python ran the macro twice: the second render never got there.
    expect(await newest).toEqual([ok('newest:2')]);
    expect(held.received).toBe(2);
    // No SIGINT, no restart: the worker that had the first render is the one that rendered the newest.
    expect(held.created).toBe(1);
    expect(runtime.status).toEqual({ state: 'ready' });
  }, 180_000);
});
