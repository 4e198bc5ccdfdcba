import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPythonRuntime, type WorkerEndpoint } from '../../src/runtime/client';
import type { PythonRuntime } from '../../src/runtime/types';
import { fakeWorkerEndpoint } from './fake-worker-endpoint';
import { manualClock } from './manual-clock';

/*
 * Every call kind goes through one executor (src/runtime/call-executor.ts), so each must stop, time
 * out, survive a crash and honour an AbortSignal the same way. One suite, run for each kind, against
 * fake workers over real Comlink ports.
 */

type Kind = 'run' | 'render' | 'transform' | 'check';
/** How a fake worker meets a call: answers once SIGINT arrives, or never. */
type Behaviour = 'honours SIGINT' | 'ignores SIGINT';
/** How a call ended, in the same words for every kind. */
type Ending = 'timeout' | 'stopped' | 'worker-failed' | 'answered';

const timeLimitMs = 1_000;
const graceMs = 500;

/** What each kind's worker answers once KeyboardInterrupt ended it. */
const interruptedAnswers: Record<Kind, unknown> = {
  run: {
    result: {
      kind: 'interrupted',
      traceback: 'KeyboardInterrupt\n',
      message: 'KeyboardInterrupt',
      truncatedChars: 0,
    },
    pythonMs: 1,
    heapBytes: 0,
  },
  render: {
    results: [
      JSON.stringify({
        items: [],
        reads: [],
        interrupted: { message: 'KeyboardInterrupt', line: null, traceback: 'KeyboardInterrupt\n' },
      }),
    ],
    heapBytes: 0,
  },
  transform: {
    result: {
      kind: 'interrupted',
      message: 'KeyboardInterrupt',
      line: null,
      traceback: 'KeyboardInterrupt\n',
    },
    pythonMs: 1,
    heapBytes: 0,
  },
  check: { check: { diagnostics: [], entrypoints: [] }, heapBytes: 0 },
};

interface FakeWorker {
  interrupt: Int32Array;
  calls: number;
  terminated: boolean;
  crash(message: string): void;
}

function setUp(kind: Kind, behaviour: Behaviour) {
  const workers: FakeWorker[] = [];
  const clock = manualClock();
  const createWorker = (): WorkerEndpoint => {
    const interrupt = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const worker: FakeWorker = { interrupt, calls: 0, terminated: false, crash: () => {} };
    workers.push(worker);
    const answer = async () => {
      worker.calls += 1;
      if (behaviour === 'ignores SIGINT') return new Promise(() => {});
      await vi.waitFor(() => expect(Atomics.load(interrupt, 0)).toBe(2), { timeout: 30_000, interval: 1 });
      return interruptedAnswers[kind];
    };
    const fake = fakeWorkerEndpoint(
      {
        boot: async () => ({ ok: true, bootInfo: { source: 'normal', ms: 1 } }),
        [kind]: answer,
      },
      interrupt,
      () => {
        worker.terminated = true;
      },
    );
    worker.crash = fake.crash;
    return fake.endpoint;
  };
  const runtime = createPythonRuntime({
    createWorker,
    schedule: clock.schedule,
    graceMs,
    renderTimeoutMs: timeLimitMs,
  });
  runtimes.push(runtime);
  return { runtime, workers, clock };
}

const runtimes: PythonRuntime[] = [];
afterEach(() => {
  for (const runtime of runtimes.splice(0)) runtime.dispose();
});

const script = { id: 's', version: 1, slug: 'probe', body: '', entrypoint: 'render' };
const post = { id: 'p', title: 'P', slug: 'p', status: 'draft', tags: [], categories: [] };
const context = {
  macro: 'probe',
  params: {},
  args: [],
  env: { preview: true, language: 'en', base_url: '' },
  post,
};
const draft = {
  title: 'T',
  body: 'b',
  tags: [],
  categories: [],
  source: { kind: 'share' as const, title: 'T', text: 'b', url: '' },
};

/** Makes one call of `kind` and words how it ended. */
async function call(runtime: PythonRuntime, kind: Kind, signal?: AbortSignal): Promise<Ending> {
  switch (kind) {
    case 'run': {
      const outcome = await runtime.run({
        fileName: 'probe.py',
        code: '',
        timeoutMs: timeLimitMs,
        onOutput: () => {},
        ...(signal ? { signal } : {}),
      });
      if (outcome.kind === 'stopped') return outcome.cause === 'timeout' ? 'timeout' : 'stopped';
      return outcome.kind === 'error' && /crashed/.test(outcome.message) ? 'worker-failed' : 'answered';
    }
    case 'render': {
      const [outcome] = await runtime.renderMany([{ script, context }], signal);
      if (outcome!.ok) return 'answered';
      return outcome!.kind === 'cancelled' ? 'stopped' : (outcome!.kind as Ending);
    }
    case 'transform': {
      const outcome = await runtime.transformPost(script, draft, signal);
      if (outcome.ok) return 'answered';
      return outcome.kind === 'cancelled' ? 'stopped' : (outcome.kind as Ending);
    }
    case 'check':
      try {
        await runtime.checkScript('', 'probe.py', signal);
        return 'answered';
      } catch (error) {
        const message = String(error);
        if (/time limit/.test(message)) return 'timeout';
        if (/stopped/.test(message)) return 'stopped';
        if (/crashed/.test(message)) return 'worker-failed';
        throw error;
      }
  }
}

const kinds: Kind[] = ['run', 'render', 'transform', 'check'];

describe.each(kinds)('a %s call', (kind) => {
  // Transforms and checks run in a worker of their own, started after the one for runs and renders
  // (docs/security.md, "One script, one call"): `own` is the index of the first worker of the call's kind.
  const own = kind === 'transform' || kind === 'check' ? 1 : 0;

  it('times out through KeyboardInterrupt when Python honours it, keeping the worker', async () => {
    const { runtime, workers, clock } = setUp(kind, 'honours SIGINT');
    const ending = call(runtime, kind);
    await vi.waitFor(() => expect(workers[own]!.calls).toBe(1), { timeout: 30_000, interval: 1 });
    clock.advance(timeLimitMs - 1);
    expect(Atomics.load(workers[own]!.interrupt, 0)).toBe(0);
    clock.advance(1);
    expect(await ending).toBe('timeout');
    expect(workers).toHaveLength(own + 1);
  });

  it('times out by replacing the worker when Python ignores the interrupt', async () => {
    const { runtime, workers, clock } = setUp(kind, 'ignores SIGINT');
    const ending = call(runtime, kind);
    await vi.waitFor(() => expect(workers[own]!.calls).toBe(1), { timeout: 30_000, interval: 1 });
    clock.advance(timeLimitMs);
    clock.advance(graceMs);
    expect(await ending).toBe('timeout');
    expect(workers[own]!.terminated).toBe(true);
    await vi.waitFor(() => expect(workers).toHaveLength(own + 2), { timeout: 30_000, interval: 1 });
  });

  it('stops when its AbortSignal aborts, through KeyboardInterrupt', async () => {
    const { runtime, workers } = setUp(kind, 'honours SIGINT');
    const abort = new AbortController();
    const ending = call(runtime, kind, abort.signal);
    await vi.waitFor(() => expect(workers[own]!.calls).toBe(1), { timeout: 30_000, interval: 1 });
    abort.abort();
    expect(await ending).toBe('stopped');
    expect(workers).toHaveLength(own + 1);
  });

  it('stops by replacing the worker when Python ignores the abort', async () => {
    const { runtime, workers, clock } = setUp(kind, 'ignores SIGINT');
    const abort = new AbortController();
    const ending = call(runtime, kind, abort.signal);
    await vi.waitFor(() => expect(workers[own]!.calls).toBe(1), { timeout: 30_000, interval: 1 });
    abort.abort();
    clock.advance(graceMs);
    expect(await ending).toBe('stopped');
    expect(workers[own]!.terminated).toBe(true);
  });

  it('never reaches the worker when aborted while it waits', async () => {
    const { runtime, workers } = setUp(kind, 'honours SIGINT');
    const abort = new AbortController();
    abort.abort();
    expect(await call(runtime, kind, abort.signal)).toBe('stopped');
    expect(workers.reduce((calls, worker) => calls + worker.calls, 0)).toBe(0);
  });

  it('fails as a broken worker when the worker crashes, and a fresh worker starts', async () => {
    const { runtime, workers } = setUp(kind, 'ignores SIGINT');
    const ending = call(runtime, kind);
    await vi.waitFor(() => expect(workers[own]!.calls).toBe(1), { timeout: 30_000, interval: 1 });
    workers[own]!.crash('boom');
    expect(await ending).toBe('worker-failed');
    await vi.waitFor(() => expect(workers).toHaveLength(own + 2), { timeout: 30_000, interval: 1 });
  });
});
