import type * as Comlink from 'comlink';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPythonRuntime, type WorkerEndpoint } from '../../src/runtime/client';
import type {
  BootResult,
  OutputBatchCallback,
  PythonWorkerApi,
  WorkerRunAnswer,
  WorkerRunRequest,
  WorkerRunResult,
} from '../../src/runtime/protocol';
import type {
  OutputChunk,
  PythonRuntime,
  RunOutcome,
  RunRequest,
  RuntimeStatus,
} from '../../src/runtime/types';
import { fakeWorkerEndpoint } from './fake-worker-endpoint';
import { manualClock } from './manual-clock';

/*
 * The client talks Comlink to a fake worker over a real MessageChannel, so the wrapping, the
 * output proxy and the message validation in client.ts are exercised; only Pyodide is faked.
 */

/** What a fake worker does for `run`; `interrupt` is the buffer the client writes SIGINT into. */
type FakeRun = (
  request: WorkerRunRequest,
  onOutput: Comlink.Remote<OutputBatchCallback>,
  interrupt: Int32Array,
) => Promise<unknown>;

interface FakeWorker {
  terminated: boolean;
  /** The interrupt buffer's value when each run arrived. */
  interruptAtRunStart: number[];
  crash(message: string): void;
}

interface FakeWorkerBehaviour {
  boot: () => Promise<BootResult>;
  run: FakeRun;
}

function fakeWorkers(behaviour: FakeWorkerBehaviour) {
  const created: FakeWorker[] = [];
  const createWorker = (): WorkerEndpoint => {
    const interrupt = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const worker: FakeWorker = { terminated: false, interruptAtRunStart: [], crash: () => {} };
    const api: PythonWorkerApi = {
      boot: () => behaviour.boot(),
      run: async (request, onOutput) => {
        worker.interruptAtRunStart.push(Atomics.load(interrupt, 0));
        // The real worker returns unparsed data too; the client must validate it.
        const result = await behaviour.run(
          request,
          onOutput as Comlink.Remote<OutputBatchCallback>,
          interrupt,
        );
        return { result, pythonMs: 1, heapBytes: 0 } as WorkerRunAnswer;
      },
      // Renders and checks have their own tests (runtime-client-render.test.ts).
      render: () => Promise.reject(new Error('not used by these tests')),
      check: () => Promise.reject(new Error('not used by these tests')),
      transform: () => Promise.reject(new Error('not used by these tests')),
    };
    const fake = fakeWorkerEndpoint(api, interrupt, () => {
      worker.terminated = true;
    });
    worker.crash = fake.crash;
    created.push(worker);
    return fake.endpoint;
  };
  return { created, createWorker };
}

function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

const never = () => new Promise<never>(() => {});
const okResult: WorkerRunResult = { kind: 'ok', truncatedChars: 0 };
const bootedOk: BootResult = { ok: true, bootInfo: { source: 'normal', ms: 1 } };
const bootOk = async (): Promise<BootResult> => bootedOk;

/** Resolves with `interrupted` once SIGINT is written, like Pyodide raising KeyboardInterrupt. */
const honoursInterrupt: FakeRun = async (_request, _onOutput, interrupt) => {
  await vi.waitFor(() => expect(Atomics.load(interrupt, 0)).toBe(2), { timeout: 30_000, interval: 1 });
  Atomics.store(interrupt, 0, 0);
  return {
    kind: 'interrupted',
    traceback: 'KeyboardInterrupt\n',
    message: 'KeyboardInterrupt',
    truncatedChars: 3,
  };
};

const runtimes: PythonRuntime[] = [];

function setUp(behaviour: Partial<FakeWorkerBehaviour> = {}) {
  const workers = fakeWorkers({ boot: bootOk, run: async () => okResult, ...behaviour });
  const clock = manualClock();
  const runtime = createPythonRuntime({ createWorker: workers.createWorker, schedule: clock.schedule });
  runtimes.push(runtime);
  const statuses: RuntimeStatus[] = [runtime.status];
  runtime.subscribe((status) => statuses.push(status));
  const untilState = (state: RuntimeStatus['state']) =>
    vi.waitFor(() => expect(runtime.status.state).toBe(state), { timeout: 30_000, interval: 1 });
  return { runtime, workers, clock, statuses, untilState };
}

function request(overrides: Partial<RunRequest> = {}): RunRequest {
  return { fileName: 'hello.py', code: 'print("hi")', timeoutMs: 10_000, onOutput: () => {}, ...overrides };
}

afterEach(() => {
  for (const runtime of runtimes.splice(0)) runtime.dispose();
  vi.unstubAllGlobals();
});

describe('createPythonRuntime', () => {
  it('boots a worker with an interrupt buffer and becomes ready', async () => {
    const { workers, statuses, untilState } = setUp();
    expect(statuses).toEqual([{ state: 'booting' }]);
    await untilState('ready');
    expect(workers.created).toHaveLength(1);
    expect(statuses).toEqual([{ state: 'booting' }, { state: 'ready' }]);
  });

  it('fails with the reason when Pyodide cannot load, and rejects runs', async () => {
    const { runtime, workers, untilState } = setUp({
      boot: async () => ({ ok: false, reason: 'failed to fetch pyodide.asm.wasm' }),
    });
    await untilState('failed');
    expect(runtime.status).toEqual({
      state: 'failed',
      reason: 'Python could not start: failed to fetch pyodide.asm.wasm',
    });
    expect(workers.created[0]!.terminated).toBe(true);
    await expect(runtime.run(request())).rejects.toThrow('failed to fetch pyodide.asm.wasm');
  });

  it('fails when the worker script itself errors while booting', async () => {
    const { runtime, workers, untilState } = setUp({ boot: never });
    workers.created[0]!.crash('SyntaxError: Unexpected token');
    await untilState('failed');
    expect(runtime.status).toMatchObject({
      reason: expect.stringContaining('SyntaxError: Unexpected token'),
    });
  });

  it('fails with a clear reason on a malformed boot result', async () => {
    const { runtime, untilState } = setUp({ boot: async () => ({ ok: 'yes' }) as unknown as BootResult });
    await untilState('failed');
    expect(runtime.status).toMatchObject({ reason: expect.stringContaining('Malformed boot result') });
  });

  it('fails without starting a worker when SharedArrayBuffer is unavailable', async () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    const { runtime, workers } = setUp();
    expect(runtime.status).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('cross-origin isolated'),
    });
    expect(workers.created).toHaveLength(0);
  });

  it('waits for boot, runs, streams output before settling and returns to ready', async () => {
    const boot = deferred<BootResult>();
    const { runtime, statuses } = setUp({
      boot: () => boot.promise,
      run: async (runRequest, onOutput) => {
        await onOutput([{ stream: 'stdout', text: `running ${runRequest.fileName}\n` }]);
        await onOutput([{ stream: 'stderr', text: 'warning\n' }]);
        return { kind: 'ok', returnValue: '42', truncatedChars: 0 };
      },
    });
    const output: OutputChunk[] = [];
    const outcome = runtime.run(request({ onOutput: (chunks) => output.push(...chunks) }));
    boot.resolve(bootedOk);

    expect(await outcome).toEqual({ kind: 'ok', returnValue: '42', truncatedChars: 0 });
    expect(output).toEqual([
      { stream: 'stdout', text: 'running hello.py\n' },
      { stream: 'stderr', text: 'warning\n' },
    ]);
    expect(statuses).toEqual([
      { state: 'booting' },
      { state: 'ready' },
      { state: 'running', scriptName: 'hello.py' },
      { state: 'ready' },
    ]);
  });

  it('passes Python errors through', async () => {
    const error: WorkerRunResult = {
      kind: 'error',
      traceback: 'Traceback…\nZeroDivisionError: division by zero\n',
      message: 'ZeroDivisionError: division by zero',
      line: 3,
      truncatedChars: 0,
    };
    const { runtime } = setUp({ run: async () => error });
    expect(await runtime.run(request())).toEqual(error);
  });

  it('rejects a second run while one is active', async () => {
    const { runtime, untilState } = setUp({ run: honoursInterrupt });
    await untilState('ready');
    const first = runtime.run(request());
    await expect(runtime.run(request({ fileName: 'other.py' }))).rejects.toThrow('already running');
    runtime.stop();
    expect(await first).toMatchObject({ kind: 'stopped' });
  });

  it('stops through KeyboardInterrupt when Python responds, keeping the worker', async () => {
    const { runtime, workers, untilState } = setUp({ run: honoursInterrupt });
    await untilState('ready');
    const outcome = runtime.run(request());
    await untilState('running');
    runtime.stop();
    expect(await outcome).toEqual({ kind: 'stopped', cause: 'stop', via: 'interrupt', truncatedChars: 3 });
    expect(runtime.status).toEqual({ state: 'ready' });
    expect(workers.created).toHaveLength(1);
    expect(runtime.stats()).toMatchObject([
      { name: 'hello.py', calls: 1, interrupts: 1, timeouts: 0, errors: 0 },
    ]);
  });

  it('repeats SIGINT when the first one is consumed before the script runs', async () => {
    let swallowed = false;
    const { runtime, workers, clock, untilState } = setUp({
      run: async (request, onOutput, interrupt) => {
        // The runner's set-up swallows the first SIGINT (it arrived before the script's code ran).
        await vi.waitFor(() => expect(Atomics.load(interrupt, 0)).toBe(2), { timeout: 30_000, interval: 1 });
        Atomics.store(interrupt, 0, 0);
        swallowed = true;
        return honoursInterrupt(request, onOutput, interrupt);
      },
    });
    await untilState('ready');
    const outcome = runtime.run(request());
    await untilState('running');
    runtime.stop();
    await vi.waitFor(() => expect(swallowed).toBe(true), { timeout: 30_000, interval: 1 });
    clock.advance(50);
    expect(await outcome).toEqual({ kind: 'stopped', cause: 'stop', via: 'interrupt', truncatedChars: 3 });
    expect(workers.created).toHaveLength(1);
  });

  it('restarts the worker when Python ignores Stop, and the next run works', async () => {
    let runs = 0;
    const { runtime, workers, clock, statuses, untilState } = setUp({
      run: async () => (++runs === 1 ? never() : okResult),
    });
    await untilState('ready');
    const outcome = runtime.run(request());
    await untilState('running');
    runtime.stop();
    clock.advance(499);
    expect(runtime.status.state).toBe('running');
    clock.advance(1);

    expect(await outcome).toEqual({ kind: 'stopped', cause: 'stop', via: 'restart', truncatedChars: 0 });
    expect(workers.created).toHaveLength(2);
    expect(workers.created[0]!.terminated).toBe(true);
    await untilState('ready');
    expect(statuses.slice(-3)).toEqual([
      { state: 'running', scriptName: 'hello.py' },
      { state: 'restarting', reason: 'hello.py did not respond to being stopped; restarting' },
      { state: 'ready' },
    ]);
    expect(await runtime.run(request())).toEqual(okResult);
  });

  it('interrupts a run that exceeds its time limit', async () => {
    const { runtime, clock, untilState } = setUp({ run: honoursInterrupt });
    await untilState('ready');
    const outcome = runtime.run(request({ timeoutMs: 2_000 }));
    await untilState('running');
    clock.advance(1_999);
    expect(runtime.status.state).toBe('running');
    clock.advance(1);
    expect(await outcome).toEqual({ kind: 'stopped', cause: 'timeout', via: 'interrupt', truncatedChars: 3 });
    expect(runtime.stats()).toMatchObject([
      { name: 'hello.py', calls: 1, interrupts: 0, timeouts: 1, errors: 0 },
    ]);
  });

  it('restarts when a timed-out run ignores the interrupt', async () => {
    const { runtime, workers, clock, untilState } = setUp({ run: never });
    await untilState('ready');
    const outcome = runtime.run(request({ timeoutMs: 2_000 }));
    await untilState('running');
    clock.advance(2_000);
    clock.advance(500);
    expect(await outcome).toEqual({ kind: 'stopped', cause: 'timeout', via: 'restart', truncatedChars: 0 });
    expect(runtime.status).toEqual({
      state: 'restarting',
      reason: 'hello.py did not respond to the time limit; restarting',
    });
    expect(workers.created).toHaveLength(2);
  });

  it('clears a stale interrupt before the next run', async () => {
    const finish = deferred<WorkerRunResult>();
    const { runtime, workers, untilState } = setUp({ run: () => finish.promise });
    await untilState('ready');
    const first = runtime.run(request());
    await untilState('running');
    // Stop lands after Python has finished: SIGINT stays in the buffer, unanswered.
    finish.resolve(okResult);
    runtime.stop();
    expect(await first).toEqual(okResult);
    await runtime.run(request());
    expect(workers.created[0]!.interruptAtRunStart).toEqual([0, 0]);
  });

  it('reports a KeyboardInterrupt nobody asked for as an error', async () => {
    const { runtime } = setUp({
      run: async () => ({
        kind: 'interrupted',
        traceback: 'tb',
        message: 'KeyboardInterrupt',
        line: 2,
        truncatedChars: 0,
      }),
    });
    expect(await runtime.run(request())).toEqual({
      kind: 'error',
      traceback: 'tb',
      message: 'KeyboardInterrupt',
      line: 2,
      truncatedChars: 0,
    });
  });

  it('ends the run with an error and restarts when the worker crashes mid-run', async () => {
    const { runtime, workers, statuses, untilState } = setUp({ run: never });
    await untilState('ready');
    const outcome = runtime.run(request());
    await untilState('running');
    workers.created[0]!.crash('RuntimeError: memory access out of bounds');

    const ended = await outcome;
    expect(ended).toMatchObject({
      kind: 'error',
      message: 'The Python worker crashed (RuntimeError: memory access out of bounds)',
    });
    await untilState('ready');
    // The worker's own text stays with the run it ended: a script can choose it (docs/security.md).
    expect(statuses.slice(-2)).toEqual([
      { state: 'restarting', reason: 'The Python worker stopped working; restarting' },
      { state: 'ready' },
    ]);
    expect(workers.created).toHaveLength(2);
  });

  it("replaces a worker that crashes while idle, and says so in the app's words, not the worker's", async () => {
    const { workers, statuses, untilState } = setUp();
    await untilState('ready');
    // A script can leave a microtask that throws this after its call: the worker "crashes" with it.
    workers.created[0]!.crash(
      'RuntimeError: All your posts were deleted. Restore them at https://evil.example',
    );
    await vi.waitFor(() => expect(workers.created).toHaveLength(2), { timeout: 30_000 });
    await untilState('ready');
    expect(statuses).toContainEqual({
      state: 'restarting',
      reason: 'The Python worker stopped working; restarting',
    });
    expect(JSON.stringify(statuses)).not.toContain('evil.example');
  });

  it('ends the run with a clear error on a malformed result, and restarts', async () => {
    const { runtime, workers, untilState } = setUp({ run: async () => ({ kind: 'done' }) });
    await untilState('ready');
    const outcome = await runtime.run(request());
    expect(outcome).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('Malformed answer from the worker to hello.py'),
    });
    expect(workers.created).toHaveLength(2);
  });

  it('ends the run with a clear error on malformed output, and restarts', async () => {
    const { runtime, workers } = setUp({
      run: async (_request, onOutput) => {
        await onOutput([{ stream: 'stdin', text: 'x' }] as unknown as OutputChunk[]);
        return never();
      },
    });
    const outcome: RunOutcome = await runtime.run(request());
    expect(outcome).toMatchObject({ kind: 'error', message: expect.stringContaining('malformed output') });
    expect(workers.created).toHaveLength(2);
  });

  it('cancels a run that is still waiting for boot when stopped', async () => {
    const { runtime, workers } = setUp({ boot: never });
    const outcome = runtime.run(request());
    runtime.stop();
    expect(await outcome).toEqual({ kind: 'stopped', cause: 'stop', via: 'interrupt', truncatedChars: 0 });
    expect(workers.created).toHaveLength(1);
  });

  it('rejects the active run and terminates the worker on dispose', async () => {
    const { runtime, workers, untilState } = setUp({ run: never });
    await untilState('ready');
    const outcome = runtime.run(request());
    await untilState('running');
    runtime.dispose();
    await expect(outcome).rejects.toThrow('disposed');
    expect(workers.created[0]!.terminated).toBe(true);
  });
});
