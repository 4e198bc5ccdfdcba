import * as Comlink from 'comlink';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPythonRuntime, type WorkerEndpoint } from '../../src/runtime/client';
import type { BootRequest, BootResult, WorkerRunAnswer } from '../../src/runtime/protocol';
import type { PythonSnapshot, SnapshotCache } from '../../src/runtime/snapshot';
import type { PythonRuntime, RunRequest } from '../../src/runtime/types';
import { fakeWorkerEndpoint } from './fake-worker-endpoint';

/*
 * The client's side of fast boot, against fake workers reached through real Comlink ports: what
 * it sends to boot, what it stores afterwards, and when it recycles a worker whose heap grew.
 */

interface BootedWorker {
  /** The snapshot this worker was asked to boot from, if any. */
  bootSnapshot: PythonSnapshot | undefined;
  runs: string[];
  terminated: boolean;
}

interface Behaviour {
  boot: (request: BootRequest) => BootResult | Promise<BootResult>;
  heapBytes: () => number;
}

const freshSnapshot = (key: string): PythonSnapshot => ({
  key,
  digest: '0'.repeat(16),
  bytes: new Uint8Array([1, 2, 3]).buffer,
});

function fakeWorkers(behaviour: Behaviour) {
  const workers: BootedWorker[] = [];
  const createWorker = (): WorkerEndpoint => {
    const worker: BootedWorker = { bootSnapshot: undefined, runs: [], terminated: false };
    workers.push(worker);
    return fakeWorkerEndpoint(
      {
        boot: async (request: BootRequest) => {
          worker.bootSnapshot = request.snapshot;
          const result = await behaviour.boot(request);
          return result.ok && result.snapshot ? Comlink.transfer(result, [result.snapshot.bytes]) : result;
        },
        check: async () => ({ check: { diagnostics: [], entrypoints: [] }, heapBytes: 0 }),
        run: async (request: { fileName: string }): Promise<WorkerRunAnswer> => {
          worker.runs.push(request.fileName);
          // Every answer carries the heap size after the call.
          return { result: { kind: 'ok', truncatedChars: 0 }, pythonMs: 1, heapBytes: behaviour.heapBytes() };
        },
      },
      new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)),
      () => {
        worker.terminated = true;
      },
    ).endpoint;
  };
  return { workers, createWorker };
}

/** An in-memory cache that, like IndexedDB, hands out copies. */
function memoryCache(initial?: PythonSnapshot) {
  let stored = initial;
  const saved: PythonSnapshot[] = [];
  const cache: SnapshotCache = {
    load: async () => stored && { ...stored, bytes: stored.bytes.slice(0) },
    save: async (snapshot) => {
      stored = snapshot;
      saved.push(snapshot);
    },
  };
  return { cache, saved };
}

const normalBoot = (snapshot?: PythonSnapshot): BootResult => ({
  ok: true,
  bootInfo: { source: 'normal', ms: 900, fallbackReason: 'no snapshot was provided' },
  snapshot,
});
const snapshotBoot: BootResult = { ok: true, bootInfo: { source: 'snapshot', ms: 120 } };

const runtimes: PythonRuntime[] = [];
afterEach(() => {
  for (const runtime of runtimes.splice(0)) runtime.dispose();
});

function setUp(behaviour: Partial<Behaviour>, cache?: SnapshotCache, maxHeapBytes?: number) {
  const fakes = fakeWorkers({ boot: () => snapshotBoot, heapBytes: () => 0, ...behaviour });
  const runtime = createPythonRuntime({ createWorker: fakes.createWorker, snapshots: cache, maxHeapBytes });
  runtimes.push(runtime);
  const untilReady = () =>
    vi.waitFor(() => expect(runtime.status.state).toBe('ready'), { timeout: 30_000, interval: 1 });
  return { runtime, workers: fakes.workers, untilReady };
}

const request = (fileName: string): RunRequest => ({
  fileName,
  code: '',
  timeoutMs: 10_000,
  onOutput: () => {},
});

describe('Python runtime client: fast boot', () => {
  it('boots the worker from the stored snapshot and reports a snapshot boot', async () => {
    const { cache, saved } = memoryCache(freshSnapshot('build-1'));
    const { runtime, workers, untilReady } = setUp({}, cache);
    expect(runtime.bootInfo).toBeUndefined();
    await untilReady();
    expect(workers[0]!.bootSnapshot?.key).toBe('build-1');
    expect(new Uint8Array(workers[0]!.bootSnapshot!.bytes)).toEqual(new Uint8Array([1, 2, 3]));
    expect(runtime.bootInfo).toEqual({ source: 'snapshot', ms: 120 });
    expect(saved).toEqual([]);
  });

  it('stores the snapshot a normal boot hands back, and reports why it was a normal boot', async () => {
    const { cache, saved } = memoryCache();
    const { runtime, workers, untilReady } = setUp(
      { boot: () => normalBoot(freshSnapshot('build-2')) },
      cache,
    );
    await untilReady();
    expect(workers[0]!.bootSnapshot).toBeUndefined();
    expect(runtime.bootInfo).toEqual({
      source: 'normal',
      ms: 900,
      fallbackReason: 'no snapshot was provided',
    });
    await vi.waitFor(() => expect(saved.map((snapshot) => snapshot.key)).toEqual(['build-2']), {
      timeout: 30_000,
    });
    expect(new Uint8Array(saved[0]!.bytes)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('says a normal boot came of a stored snapshot it could not read, not of none', async () => {
    const cache: SnapshotCache = {
      load: async () => {
        throw new Error('Failed to read large IndexedDB value');
      },
      save: async () => {},
    };
    const { runtime, untilReady } = setUp({ boot: () => normalBoot() }, cache);
    await untilReady();
    expect(runtime.bootInfo).toEqual({
      source: 'normal',
      ms: 900,
      fallbackReason: 'the stored snapshot could not be read: Failed to read large IndexedDB value',
    });
  });

  it('reports the worker’s fallback when it refused the stored snapshot', async () => {
    const { cache, saved } = memoryCache(freshSnapshot('corrupt'));
    const fallback: BootResult = {
      ok: true,
      bootInfo: {
        source: 'normal',
        ms: 950,
        fallbackReason: 'the snapshot was refused: its bytes do not match',
      },
      snapshot: freshSnapshot('rebuilt'),
    };
    const { runtime, untilReady } = setUp({ boot: () => fallback }, cache);
    await untilReady();
    expect(runtime.bootInfo?.fallbackReason).toMatch(/refused/);
    await vi.waitFor(() => expect(saved.map((snapshot) => snapshot.key)).toEqual(['rebuilt']), {
      timeout: 30_000,
    });
  });

  it('still boots when the cache cannot be read or written', async () => {
    const broken: SnapshotCache = {
      load: () => Promise.reject(new Error('disk on fire')),
      save: () => Promise.reject(new Error('disk on fire')),
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { runtime, untilReady } = setUp({ boot: () => normalBoot(freshSnapshot('build')) }, broken);
    await untilReady();
    await vi.waitFor(() => expect(warn).toHaveBeenCalledTimes(2), { timeout: 30_000 });
    expect(runtime.bootInfo?.source).toBe('normal');
    warn.mockRestore();
  });
});

describe('Python runtime client: the second worker', () => {
  it('boots the worker for checks only once the first has booted', async () => {
    let finishFirstBoot: (result: BootResult) => void = () => {};
    const firstBoot = new Promise<BootResult>((resolve) => {
      finishFirstBoot = resolve;
    });
    let boots = 0;
    const { runtime, workers } = setUp(
      { boot: () => (++boots === 1 ? firstBoot : snapshotBoot) },
      memoryCache(freshSnapshot('build')).cache,
    );
    // As on opening the app: the open script is checked while Python still boots.
    const check = runtime.checkScript('x = 1', 'open.py');
    await vi.waitFor(() => expect(workers[0]!.bootSnapshot?.key).toBe('build'), {
      timeout: 30_000,
      interval: 1,
    });
    expect(workers).toHaveLength(1);
    finishFirstBoot(snapshotBoot);
    expect(await check).toEqual({ diagnostics: [], entrypoints: [] });
    expect(workers).toHaveLength(2);
    expect(workers[1]!.bootSnapshot?.key).toBe('build');
  });
});

describe('Python runtime client: heap recycling', () => {
  it('replaces a worker whose heap outgrew the bound between two runs, and the next run goes to the new one', async () => {
    const { cache } = memoryCache(freshSnapshot('build'));
    let heap = 100;
    const { runtime, workers, untilReady } = setUp({ heapBytes: () => heap }, cache, 1_000);
    await untilReady();

    expect(await runtime.run(request('small.py'))).toEqual({ kind: 'ok', truncatedChars: 0 });
    expect(workers).toHaveLength(1);

    heap = 5_000;
    const first = await runtime.run(request('hungry.py'));
    // Called the moment the run that grew the heap settled: it must wait, not fail or vanish.
    const queued = runtime.run(request('next.py'));
    expect(first.kind).toBe('ok');
    expect(runtime.status).toEqual({
      state: 'restarting',
      reason: expect.stringMatching(/memory grew past/),
    });
    expect(runtime.bootInfo).toBeUndefined();
    heap = 100;
    expect((await queued).kind).toBe('ok');

    expect(workers).toHaveLength(2);
    expect(workers[0]!.terminated).toBe(true);
    expect(workers[0]!.runs).toEqual(['small.py', 'hungry.py']);
    expect(workers[1]!.runs).toEqual(['next.py']);
    expect(workers[1]!.bootSnapshot?.key).toBe('build');
    expect(runtime.bootInfo?.source).toBe('snapshot');
  });
});
