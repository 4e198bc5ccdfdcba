import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AbiPost, MacroContext, MacroValue, SiteSnapshot } from '../../src/core/abi';
import {
  createPythonRuntime,
  type PythonRuntimeOptions,
  type WorkerEndpoint,
} from '../../src/runtime/client';
import type {
  PythonException,
  RenderedItem,
  SiteUpdate,
  WorkerRenderRequest,
  WorkerRunResult,
  WorkerScript,
  WorkerTransformRequest,
} from '../../src/runtime/protocol';
import type { WireCall } from '../../src/runtime/render-call';
import type { MacroScript, PythonRuntime, RunRequest } from '../../src/runtime/types';
import { fakeWorkerEndpoint } from './fake-worker-endpoint';
import { manualClock } from './manual-clock';

/*
 * The client's render, check and stats calls against fake workers reached through real Comlink
 * ports: queueing with runs, time limits, site data after restarts. Only Pyodide is faked.
 */

/** A render request as the fake workers read it: its batch's calls with their contexts whole again. */
interface DecodedRequest {
  scripts: WorkerScript[];
  items: { script: number; context: MacroContext }[];
}

/** Each script's JSON text of wire.py's `Batch` that the client sends, read back into contexts. */
function decodeRequest({ batch }: WorkerRenderRequest): DecodedRequest {
  return {
    scripts: batch.map(({ script }) => script),
    items: batch.flatMap(({ calls }, script) => decodeCalls(calls).map((context) => ({ script, context }))),
  };
}

function decodeCalls(text: string): MacroContext[] {
  const { envs, posts, calls } = JSON.parse(text) as {
    envs: MacroContext['env'][];
    posts: MacroContext['post'][];
    calls: WireCall[];
  };
  return calls.map(({ macro, params, args, env, post, extras, ...floats }) => ({
    macro,
    params: Object.fromEntries(
      Object.entries(params).map(([name, value]) => [
        name,
        tagged(value, floats.float_params?.includes(name)),
      ]),
    ),
    args: args.map((value, position) => tagged(value, floats.float_args?.includes(position))),
    env: envs[env]!,
    post: posts[post]!,
    ...extras,
  }));
}

/** A bare value of the wire tagged again, as the context had it. */
function tagged(value: MacroValue['value'], isFloat = false): MacroValue {
  if (typeof value === 'string') return { type: 'str', value };
  if (typeof value === 'boolean') return { type: 'bool', value };
  return { type: isFloat ? 'float' : 'int', value };
}

interface FakeWorker {
  renders: { batch: DecodedRequest; site?: SiteUpdate }[];
  terminated: boolean;
  /** The interrupt buffer shared with the client: SIGINT (2) once raised, 0 once cleared. */
  interrupt: Int32Array;
  /** The interrupt flag as each render arrived. */
  signalAtRender: number[];
  transforms: WorkerTransformRequest[];
  crash(message: string): void;
}

/** A finished call as a fake worker describes it, sent as the real worker words it (`toAnswer`). */
type FakeItem =
  | { kind: 'ok'; html: string; warnings: string[]; pythonMs: number; printed?: string }
  | {
      kind: 'exception';
      message: string;
      line?: number;
      traceback?: string;
      pythonMs: number;
      printed?: string;
    };

interface WorkerRenderResult {
  items: FakeItem[];
  interrupted?: { message: string; line?: number; traceback: string };
}

/** What a fake worker's render answers: results as Python would give them, or a raw answer. */
type FakeRenderAnswer = WorkerRenderResult | { raw: unknown };

interface Behaviour {
  render: (batch: DecodedRequest, worker: FakeWorker) => Promise<FakeRenderAnswer>;
  run: () => Promise<WorkerRunResult & { pythonMs?: number }>;
  check: () => Promise<unknown>;
  /** Answers a transform with what transform_engine.py would return (or anything else). */
  transform: (request: WorkerTransformRequest, worker: FakeWorker) => Promise<unknown>;
}

function fakeWorkers(behaviour: Partial<Behaviour>) {
  const workers: FakeWorker[] = [];
  const {
    render = async (batch) => answerAll(batch),
    run = async () => ok,
    check = async () => noProblems,
    transform = async (request) => returned({ title: `${request.post.title}!`, body: request.post.body }),
  } = behaviour;
  const createWorker = (): WorkerEndpoint => {
    const worker: FakeWorker = {
      renders: [],
      terminated: false,
      interrupt: new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)),
      signalAtRender: [],
      transforms: [],
      crash: () => {},
    };
    workers.push(worker);
    const fake = fakeWorkerEndpoint(
      {
        boot: async () => ({ ok: true, bootInfo: { source: 'normal', ms: 1 } }),
        run: async () => {
          // A fake may give its time in Python with the result; the worker sends it beside it.
          const { pythonMs = 1, ...result } = (await run()) as WorkerRunResult & { pythonMs?: number };
          return { result, pythonMs, heapBytes: 0 };
        },
        check: async () => ({ check: await check(), heapBytes: 0 }),
        transform: async (request: WorkerTransformRequest) => {
          worker.transforms.push(request);
          const answer = await transform(request, worker);
          // `{raw}` goes as it is; anything else is a result as transform_engine.py words it.
          return isRaw(answer) ? answer.raw : { result: answer, pythonMs: 2, heapBytes: 0 };
        },
        render: async (request: WorkerRenderRequest) => {
          worker.signalAtRender.push(Atomics.load(worker.interrupt, 0));
          const batch = decodeRequest(request);
          worker.renders.push({ batch, ...(request.site ? { site: request.site } : {}) });
          const answer = await render(batch, worker);
          return 'raw' in answer ? answer.raw : toAnswer(answer, batch);
        },
      },
      worker.interrupt,
      () => {
        worker.terminated = true;
      },
    );
    worker.crash = fake.crash;
    return fake.endpoint;
  };
  return { workers, createWorker };
}

const ok: WorkerRunResult & { pythonMs: number } = { kind: 'ok', truncatedChars: 0, pythonMs: 4 };
/** A transform's result as transform_engine.py words it when the function returned `result`. */
const returned = (result: unknown, printed = '') => ({ kind: 'returned', result, type: 'dict', printed });
/** KeyboardInterrupt as Python describes it, which ends an interrupted transform's answer. */
const keyboardInterrupt = { message: 'KeyboardInterrupt', line: null, traceback: 'KeyboardInterrupt\n' };
const isRaw = (answer: unknown): answer is { raw: unknown } =>
  typeof answer === 'object' && answer !== null && 'raw' in answer;
const noProblems = { diagnostics: [], entrypoints: ['render'] };
const never = () => new Promise<never>(() => {});

/** Renders every item as `<macro>:<first arg>`, taking 1 ms of Python time each. */
function answerAll(batch: DecodedRequest, upTo = batch.items.length): WorkerRenderResult {
  return { items: batch.items.slice(0, upTo).map((item) => okItem(item)) };
}

function okItem({ context }: DecodedRequest['items'][number]): FakeItem {
  return { kind: 'ok', html: `${context.macro}:${context.args[0]?.value ?? ''}`, warnings: [], pythonMs: 1 };
}

/** What the fake macros read: nothing of the post or the site. */
const reads = { site: [], post: [] };

/**
 * `result` as the worker answers it (protocol.ts, `workerRenderAnswerSchema`): the items of each
 * script of `batch` in turn, until the one the interrupt ended.
 */
function toAnswer({ items, interrupted }: WorkerRenderResult, batch: DecodedRequest, heapBytes = 0) {
  const wire = items.map((item): RenderedItem => {
    const printed = item.printed === undefined ? {} : { printed: item.printed };
    const pythonNs = item.pythonMs * 1e6;
    if (item.kind === 'ok') {
      const result = item.warnings.length === 0 ? item.html : { html: item.html, warnings: item.warnings };
      return { kind: 'returned', result, pythonNs, reads: 0, ...printed };
    }
    const { message, line = null, traceback = '' } = item;
    return { kind: 'raised', message, line, traceback, pythonNs, reads: 0, ...printed };
  });
  const stopped: PythonException | null = interrupted ? { line: null, ...interrupted } : null;
  const results: unknown[] = [];
  let start = 0;
  for (const script of batch.scripts.keys()) {
    const calls = batch.items.filter((item) => item.script === script).length;
    const finished = wire.slice(start, start + calls);
    start += calls;
    const ended = finished.length < calls;
    results.push({ items: finished, reads: [reads], interrupted: ended ? stopped : null });
    if (ended) break;
  }
  return wireAnswer(results, heapBytes);
}

/** An answer as the worker sends it: each script's results as Python's JSON text, and the heap size. */
function wireAnswer(results: unknown[], heapBytes = 0) {
  return { results: results.map((result) => JSON.stringify(result)), heapBytes };
}

const runtimes: PythonRuntime[] = [];

function setUp(
  behaviour: Partial<Behaviour> = {},
  maxHeapBytes?: number,
  options: Partial<PythonRuntimeOptions> = {},
) {
  const fakes = fakeWorkers(behaviour);
  const clock = manualClock();
  const runtime = createPythonRuntime({
    createWorker: fakes.createWorker,
    schedule: clock.schedule,
    now: clock.now,
    renderTimeoutMs: 1_000,
    ...(maxHeapBytes === undefined ? {} : { maxHeapBytes }),
    ...options,
  });
  runtimes.push(runtime);
  const untilState = (state: string) =>
    vi.waitFor(() => expect(runtime.status.state).toBe(state), { timeout: 30_000, interval: 1 });
  return { runtime, clock, untilState, ...fakes };
}

afterEach(() => {
  for (const runtime of runtimes.splice(0)) runtime.dispose();
});

const youtube: MacroScript = {
  id: 'yt-id',
  version: 3,
  slug: 'youtube',
  body: 'def render(c): ...',
  entrypoint: 'render',
};
const post: AbiPost = {
  id: 'p1',
  title: 'Post',
  slug: 'post',
  status: 'published',
  tags: [],
  categories: [],
};
const env = { preview: true, language: 'en', base_url: '' };

function context(arg: string | number, params: MacroContext['params'] = {}): MacroContext {
  const value: MacroValue =
    typeof arg === 'string' ? { type: 'str', value: arg } : { type: 'float', value: arg };
  return { macro: 'youtube', params, args: [value], env, post };
}

function runRequest(overrides: Partial<RunRequest> = {}): RunRequest {
  return { fileName: 'tool.py', code: '', timeoutMs: 10_000, onOutput: () => {}, ...overrides };
}

describe('renderMany', () => {
  it('renders a batch in one call, each script sent once, contexts as they are', async () => {
    const { runtime, workers } = setUp();
    const outcomes = await runtime.renderMany([
      { script: youtube, context: context('a', { id: { type: 'str', value: 'x' } }) },
      { script: { ...youtube }, context: context(2) },
    ]);
    expect(outcomes).toEqual([
      { ok: true, html: 'youtube:a', warnings: [], reads },
      { ok: true, html: 'youtube:2', warnings: [], reads },
    ]);
    expect(workers[0]!.renders).toHaveLength(1);
    expect(workers[0]!.renders[0]!.batch).toEqual({
      scripts: [
        { id: 'yt-id', version: 3, fileName: 'youtube.py', code: youtube.body, entrypoint: 'render' },
      ],
      items: [
        { script: 0, context: context('a', { id: { type: 'str', value: 'x' } }) },
        { script: 0, context: context(2) },
      ],
    });
  });

  it('keeps an invalid context on this side, failing only its own item', async () => {
    const { runtime, workers } = setUp();
    const bad = { ...context('b'), env: { ...env, language: '' } };
    const outcomes = await runtime.renderMany([
      { script: youtube, context: context('a') },
      { script: youtube, context: bad },
    ]);
    expect(outcomes[0]).toEqual({ ok: true, html: 'youtube:a', warnings: [], reads });
    expect(outcomes[1]).toMatchObject({
      ok: false,
      kind: 'invalid-context',
      script: 'youtube.py',
      message: expect.stringContaining('Invalid macro context: env.language'),
    });
    expect(workers[0]!.renders[0]!.batch.items).toHaveLength(1);
  });

  it('locates each call whose post breaks ABI v1, leaving the calls on other posts to render', async () => {
    const { runtime, workers } = setUp();
    // Shared by two calls, as a post's calls share it: checked once, failing both.
    const badPost = { ...post, id: 'p2', tags: 'video' } as unknown as AbiPost;
    const outcomes = await runtime.renderMany([
      { script: youtube, context: { ...context('a'), post: badPost } },
      { script: youtube, context: context('b') },
      { script: youtube, context: { ...context('c'), post: badPost } },
    ]);
    const problem = 'Invalid macro context: post.tags: Invalid input: expected array, received string';
    expect(outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.message))).toEqual([
      problem,
      'ok',
      problem,
    ]);
    expect(workers[0]!.renders[0]!.batch.items).toEqual([{ script: 0, context: context('b') }]);
  });

  it('passes errors through with the script, message and line', async () => {
    const { runtime } = setUp({
      render: async () => ({
        items: [{ kind: 'exception', message: 'ValueError: no', line: 4, traceback: 'tb', pythonMs: 1 }],
      }),
    });
    expect(await runtime.renderMacro(youtube, context('a'))).toEqual({
      ok: false,
      kind: 'exception',
      script: 'youtube.py',
      message: 'ValueError: no',
      line: 4,
      traceback: 'tb',
      reads,
    });
  });

  it('waits for a run in progress instead of failing, and a run waits for a render', async () => {
    let finishRun: (result: WorkerRunResult) => void = () => {};
    let finishRender: (result: WorkerRenderResult) => void = () => {};
    let runsArrived = 0;
    const { runtime, workers, untilState } = setUp({
      run: () =>
        new Promise((resolve) => {
          runsArrived += 1;
          finishRun = resolve;
        }),
      render: (batch) => new Promise((resolve) => (finishRender = () => resolve(answerAll(batch)))),
    });
    await untilState('ready');
    const run = runtime.run(runRequest());
    await untilState('running');
    await vi.waitFor(() => expect(runsArrived).toBe(1), { timeout: 30_000, interval: 1 });
    const render = runtime.renderMany([{ script: youtube, context: context('a') }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(workers[0]!.renders).toHaveLength(0);
    finishRun(ok);
    expect(await run).toEqual({ kind: 'ok', truncatedChars: 0 });
    await vi.waitFor(() => expect(workers[0]!.renders).toHaveLength(1), { timeout: 30_000, interval: 1 });

    const secondRun = runtime.run(runRequest());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runtime.status.state).toBe('ready');
    finishRender(answerAll(workers[0]!.renders[0]!.batch));
    expect(await render).toMatchObject([{ ok: true }]);
    await untilState('running');
    await vi.waitFor(() => expect(runsArrived).toBe(2), { timeout: 30_000, interval: 1 });
    finishRun(ok);
    expect(await secondRun).toMatchObject({ kind: 'ok' });
  });

  it('times out a hung macro through KeyboardInterrupt, naming it; the rest of the batch renders after it', async () => {
    const { runtime, workers, clock, untilState } = setUp({
      render: async (batch, worker) => {
        if (worker.renders.length > 1) return answerAll(batch);
        await vi.waitFor(() => expect(Atomics.load(worker.interrupt, 0)).toBe(2), {
          timeout: 30_000,
          interval: 1,
        });
        return { ...answerAll(batch, 1), interrupted: { message: 'KeyboardInterrupt', traceback: '' } };
      },
    });
    await untilState('ready');
    const outcomes = runtime.renderMany([
      { script: youtube, context: context('a') },
      { script: youtube, context: context('b') },
      { script: youtube, context: context('c') },
    ]);
    await vi.waitFor(() => expect(workers[0]!.renders).toHaveLength(1), { timeout: 30_000, interval: 1 });
    clock.advance(999);
    expect(Atomics.load(workers[0]!.interrupt, 0)).toBe(0);
    clock.advance(1);
    const timeout = {
      ok: false,
      kind: 'timeout',
      script: 'youtube.py',
      message: expect.stringContaining('youtube.py'),
    };
    expect(await outcomes).toMatchObject([{ ok: true }, timeout, { ok: true }]);
    expect(workers).toHaveLength(1);
    // The call the stopped macro never reached went in a second call of its own.
    expect(workers[0]!.renders.map(({ batch }) => batch.items.length)).toEqual([3, 1]);
    expect(runtime.stats()[0]).toMatchObject({ calls: 3, timeouts: 1, errors: 0 });
    expect(await runtime.renderMacro(youtube, context('d'))).toMatchObject({ ok: true });
    // The SIGINT raised for the time limit is cleared before the next call reaches the worker.
    expect(workers[0]!.signalAtRender).toEqual([0, 0, 0]);
  });

  it('a render aborted while a macro ran past its limit hands back the calls behind it as cancelled', async () => {
    const { runtime, workers, clock, untilState } = setUp({
      render: async (batch, worker) => {
        await vi.waitFor(() => expect(Atomics.load(worker.interrupt, 0)).toBe(2), {
          timeout: 30_000,
          interval: 1,
        });
        return { ...answerAll(batch, 1), interrupted: { message: 'KeyboardInterrupt', traceback: '' } };
      },
    });
    await untilState('ready');
    const newerPreview = new AbortController();
    const outcomes = runtime.renderMany(
      [
        { script: youtube, context: context('a') },
        { script: youtube, context: context('b') },
        { script: youtube, context: context('c') },
      ],
      newerPreview.signal,
      'queued',
    );
    await vi.waitFor(() => expect(workers[0]!.renders).toHaveLength(1), { timeout: 30_000, interval: 1 });
    newerPreview.abort();
    clock.advance(1000);
    // 'cancelled' is never remembered (post-renderer.ts); a 'timeout' would be, and the call that
    // never ran would show as failed until its script or inputs changed.
    expect(await outcomes).toMatchObject([
      { ok: true },
      { ok: false, kind: 'timeout' },
      { ok: false, kind: 'cancelled' },
    ]);
    expect(workers[0]!.renders).toHaveLength(1);
  });

  it('replaces a worker whose heap outgrew its bound, as its render answer says', async () => {
    let heapBytes = 2_000;
    const { runtime, workers } = setUp(
      { render: async (batch) => ({ raw: toAnswer(answerAll(batch), batch, heapBytes) }) },
      1_000,
    );
    expect(await runtime.renderMacro(youtube, context('a'))).toMatchObject({ ok: true, html: 'youtube:a' });
    heapBytes = 10;
    expect(await runtime.renderMacro(youtube, context('b'))).toMatchObject({ ok: true });
    expect(workers.map((worker) => worker.renders.length)).toEqual([1, 1]);
    expect(workers[0]!.terminated).toBe(true);
  });

  it('hands on what a macro printed with its outcome, failed or not', async () => {
    const { runtime } = setUp({
      render: async () => ({
        items: [
          { kind: 'ok', html: '<p>a</p>', warnings: [], pythonMs: 1, printed: 'hello\n' },
          { kind: 'exception', message: 'ValueError: no', line: 3, pythonMs: 1, printed: 'bye\n' },
        ],
      }),
    });
    expect(
      await runtime.renderMany([
        { script: youtube, context: context('a') },
        { script: youtube, context: context('b') },
      ]),
    ).toMatchObject([
      { ok: true, html: '<p>a</p>', printed: 'hello\n' },
      { ok: false, kind: 'exception', line: 3, printed: 'bye\n' },
    ]);
  });

  it("fails a script's calls, and only those, whose results text is malformed", async () => {
    const item = { kind: 'returned', result: 'x', pythonNs: 1, reads: 0 };
    const results = (items: unknown[]) => ({ items, reads: [reads], interrupted: null });
    const malformed: [unknown, string][] = [
      [results([{ kind: 'ok', html: 'x' }]), 'items[0].kind'],
      [results([{ ...item, pythonNs: -1 }]), 'items[0].pythonNs'],
      [results([{ ...item, reads: 1 }]), 'reads out of range'],
    ];
    const other: MacroScript = { ...youtube, id: 'other-id', slug: 'other' };
    for (const [raw, problem] of [...malformed, ['{"items": [', 'not JSON: '] as const]) {
      const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
      const answer = { results: [text, JSON.stringify(results([item]))], heapBytes: 0 };
      const { runtime, workers } = setUp({ render: async () => ({ raw: answer }) });
      expect(
        await runtime.renderMany([
          { script: youtube, context: context('a') },
          { script: other, context: context('b') },
        ]),
      ).toMatchObject([
        {
          ok: false,
          kind: 'exception',
          message: expect.stringContaining('could not be read'),
          traceback: expect.stringContaining(problem),
        },
        { ok: true, html: 'x' },
      ]);
      expect(workers).toHaveLength(1);
    }
  });

  it('fails the batch and restarts a worker whose answer is malformed', async () => {
    const results = { items: [], reads: [], interrupted: null };
    const malformed: [unknown, string][] = [
      [{ results: [JSON.stringify(results)] }, 'heapBytes'],
      [{ results: JSON.stringify(results), heapBytes: 0 }, 'results'],
      ['not an answer', 'Malformed answer from the worker to A macro'],
    ];
    for (const [raw, problem] of malformed) {
      const { runtime, workers, untilState } = setUp({ render: async () => ({ raw }) });
      expect(await runtime.renderMacro(youtube, context('a'))).toMatchObject({
        ok: false,
        kind: 'worker-failed',
        message: expect.stringContaining(problem),
      });
      await untilState('ready');
      expect(workers).toHaveLength(2);
    }
  });

  it('restarts a worker whose batch ignores the interrupt, and the next render works', async () => {
    let renders = 0;
    const { runtime, workers, clock, untilState } = setUp({
      render: async (batch) => (++renders === 1 ? never() : answerAll(batch)),
    });
    await untilState('ready');
    const outcomes = runtime.renderMany([{ script: youtube, context: context('a') }]);
    await vi.waitFor(() => expect(workers[0]!.renders).toHaveLength(1), { timeout: 30_000, interval: 1 });
    clock.advance(1_000);
    clock.advance(500);
    expect(await outcomes).toMatchObject([
      { ok: false, kind: 'timeout', message: 'A macro did not respond to the time limit' },
    ]);
    expect(runtime.status).toEqual({
      state: 'restarting',
      reason: 'A macro did not respond to the time limit; restarting',
    });
    expect(workers[0]!.terminated).toBe(true);
    expect(await runtime.renderMacro(youtube, context('b'))).toMatchObject({ ok: true, html: 'youtube:b' });
  });

  it("with abortWhile 'queued', a signal drops a queued render but lets one in flight finish", async () => {
    let releaseFirst = () => {};
    const { runtime, workers, clock } = setUp({
      render: async (batch) => {
        if (workers[0]!.renders.length === 1) await new Promise<void>((go) => (releaseFirst = go));
        return answerAll(batch);
      },
    });
    const first = new AbortController();
    const inFlight = runtime.renderMany([{ script: youtube, context: context('a') }], first.signal, 'queued');
    await vi.waitFor(() => expect(workers[0]!.renders).toHaveLength(1), { timeout: 30_000, interval: 1 });
    const second = new AbortController();
    const queued = runtime.renderMany([{ script: youtube, context: context('b') }], second.signal, 'queued');
    first.abort();
    second.abort();
    // Past the grace period a stop would take: no SIGINT was raised, so nothing is replaced.
    clock.advance(600);
    expect(Atomics.load(workers[0]!.interrupt, 0)).toBe(0);
    releaseFirst();
    expect(await inFlight).toMatchObject([{ ok: true, html: 'youtube:a' }]);
    expect(await queued).toMatchObject([{ ok: false, kind: 'cancelled' }]);
    expect(workers[0]!.renders).toHaveLength(1);
    expect(workers).toHaveLength(1);
    expect(await runtime.renderMacro(youtube, context('c'))).toMatchObject({ ok: true, html: 'youtube:c' });
    // The dropped render never reached Python: Diagnostics counts no call and no error for it.
    expect(runtime.stats()[0]).toMatchObject({ calls: 2, errors: 0, interrupts: 0 });
  });
  it('fails every item of a batch whose worker crashed, and restarts it once', async () => {
    const { runtime, workers, untilState } = setUp({ render: never });
    await untilState('ready');
    const outcomes = runtime.renderMany([{ script: youtube, context: context('a') }]);
    await vi.waitFor(() => expect(workers[0]!.renders).toHaveLength(1), { timeout: 30_000, interval: 1 });
    workers[0]!.crash('out of memory');
    expect(await outcomes).toMatchObject([
      { ok: false, kind: 'worker-failed', message: 'The Python worker crashed (out of memory)' },
    ]);
    await untilState('ready');
    expect(workers).toHaveLength(2);
  });

  it("a crash is the error of the crashing script's calls only; the other scripts' calls render", async () => {
    const crasher: MacroScript = { ...youtube, id: 'crash-id', slug: 'crasher' };
    const { runtime, workers } = setUp({
      render: async (batch, worker) => {
        if (!batch.scripts.some((script) => script.fileName === 'crasher.py')) return answerAll(batch);
        worker.crash('Uncaught Error: text the crashing script chose');
        return never();
      },
    });
    const outcomes = await runtime.renderMany([
      { script: youtube, context: context('a') },
      { script: crasher, context: context('b') },
      { script: youtube, context: context('c') },
    ]);
    expect(outcomes).toMatchObject([
      { ok: true, html: 'youtube:a' },
      { ok: false, kind: 'worker-failed', script: 'crasher.py', message: expect.stringContaining('chose') },
      { ok: true, html: 'youtube:c' },
    ]);
    // The batch of both, then each script's calls on their own: only the crasher's crashed again.
    expect(workers.flatMap((worker) => worker.renders.map(({ batch }) => batch.items.length))).toEqual([
      3, 2, 1,
    ]);
  });

  it('sends site data with the next render only, and again to a restarted worker', async () => {
    const { runtime, workers, untilState } = setUp();
    const site: SiteSnapshot = { posts: [post] };
    runtime.setSiteData(site);
    await runtime.renderMacro(youtube, context('a'));
    await runtime.renderMacro(youtube, context('b'));
    expect(workers[0]!.renders.map((render) => render.site)).toEqual([{ snapshot: site }, undefined]);

    workers[0]!.crash('gone');
    await vi.waitFor(() => expect(workers).toHaveLength(2), { timeout: 30_000, interval: 1 });
    await untilState('ready');
    await runtime.renderMacro(youtube, context('c'));
    expect(workers[1]!.renders[0]!.site).toEqual({ snapshot: site });

    // Then only what changed: here, the one post went.
    runtime.setSiteData({ posts: [] });
    await runtime.renderMacro(youtube, context('d'));
    expect(workers[1]!.renders[1]!.site).toEqual({ changes: { upsert: [], remove: ['p1'], order: [] } });
    const edited = { ...post, title: 'Edited' };
    runtime.setSiteData({ posts: [edited] });
    runtime.setSiteData({ posts: [edited] });
    await runtime.renderMacro(youtube, context('e'));
    await runtime.renderMacro(youtube, context('f'));
    expect(workers[1]!.renders.slice(2).map((render) => render.site)).toEqual([
      { changes: { upsert: [edited], remove: [], order: ['p1'] } },
      undefined,
    ]);
  });

  it('sends site data set while a render is out with the next render', async () => {
    let release = () => {};
    const { runtime, workers } = setUp({
      render: (batch, worker) =>
        worker.renders.length === 1
          ? new Promise((resolve) => {
              release = () => resolve(answerAll(batch));
            })
          : Promise.resolve(answerAll(batch)),
    });
    const first: SiteSnapshot = { posts: [post] };
    runtime.setSiteData(first);
    const out = runtime.renderMacro(youtube, context('a'));
    await vi.waitFor(() => expect(workers[0]?.renders).toHaveLength(1), { timeout: 30_000, interval: 1 });
    const changed: SiteSnapshot = { posts: [] };
    runtime.setSiteData(changed);
    release();
    await out;
    await runtime.renderMacro(youtube, context('b'));
    // The worker had nothing, so it got all of it; then only what changed meanwhile.
    expect(workers[0]!.renders.map((render) => render.site)).toEqual([
      { snapshot: first },
      { changes: { upsert: [], remove: ['p1'], order: [] } },
    ]);
  });

  it('refuses site data outside ABI v1', () => {
    const { runtime } = setUp();
    expect(() => runtime.setSiteData({ posts: [{ ...post, id: '' }] })).toThrow();
  });
});

describe('checkScript', () => {
  it('returns what the worker found', async () => {
    const found = {
      diagnostics: [
        { severity: 'error', line: 2, column: 5, endLine: 2, endColumn: 6, message: 'SyntaxError: x' },
      ],
      entrypoints: [],
    };
    const { runtime } = setUp({ check: async () => found });
    expect(await runtime.checkScript('x = (', 'a.py')).toEqual(found);
  });

  it('rejects when the worker answers something malformed, and restarts it', async () => {
    const { runtime, workers } = setUp({ check: async () => ({ diagnostics: 'none' }) });
    await expect(runtime.checkScript('', 'a.py')).rejects.toThrow(
      'Malformed answer from the worker to The syntax check',
    );
    // Checks have a worker of their own (the second), which is replaced (the third).
    expect(workers[1]!.terminated).toBe(true);
    await vi.waitFor(() => expect(workers).toHaveLength(3), { timeout: 30_000, interval: 1 });
  });
});

describe('stats', () => {
  it('counts renders and runs per script with Python and round-trip durations', async () => {
    const { runtime, untilState, clock } = setUp({
      run: async () => {
        clock.advance(10);
        return { kind: 'error', traceback: '', message: 'E', truncatedChars: 0, pythonMs: 6 };
      },
    });
    const changes = vi.fn();
    runtime.subscribeStats(changes);
    await untilState('ready');
    await runtime.renderMany([
      { script: youtube, context: context('a') },
      { script: youtube, context: context('b') },
    ]);
    await runtime.run(runRequest({ scriptId: 'tool-id' }));
    expect(runtime.stats()).toEqual([
      {
        scriptId: 'yt-id',
        name: 'youtube.py',
        calls: 2,
        errors: 0,
        timeouts: 0,
        interrupts: 0,
        pythonMs: { p50: 1, p95: 1, max: 1 },
        roundTripMs: { p50: 0, p95: 0, max: 0 },
      },
      {
        scriptId: 'tool-id',
        name: 'tool.py',
        calls: 1,
        errors: 1,
        timeouts: 0,
        interrupts: 0,
        pythonMs: { p50: 6, p95: 6, max: 6 },
        roundTripMs: { p50: 10, p95: 10, max: 10 },
      },
    ]);
    expect(changes).toHaveBeenCalledTimes(2);
    runtime.resetStats();
    expect(runtime.stats()).toEqual([]);
  });
});

describe('transformPost', () => {
  // Transforms run in a worker of their own, never beside macros and utilities (docs/security.md):
  // `workers[0]` runs renders and runs, `workers[1]` is started for the first transform.
  const linkPost: MacroScript = {
    id: 'lp-id',
    version: 2,
    slug: 'link_post',
    body: 'def transform(p): ...',
    entrypoint: 'transform',
  };
  const draft = {
    title: 'Shared',
    body: 'text',
    tags: [],
    categories: [],
    source: { kind: 'share' as const, title: 'Shared', text: 'text', url: '' },
  };

  it('transforms a post in one call, sending the script under its file name, and counts it', async () => {
    const { runtime, workers } = setUp();
    expect(await runtime.transformPost(linkPost, draft)).toEqual({
      ok: true,
      post: { title: 'Shared!', body: 'text', tags: [], categories: [] },
      printed: '',
    });
    expect(workers[1]!.transforms).toEqual([
      {
        script: {
          id: 'lp-id',
          version: 2,
          fileName: 'link_post.py',
          code: 'def transform(p): ...',
          entrypoint: 'transform',
        },
        post: draft,
      },
    ]);
    expect(runtime.stats()).toMatchObject([{ scriptId: 'lp-id', name: 'link_post.py', calls: 1, errors: 0 }]);
    expect(runtime.stats()[0]!.roundTripMs).toBeDefined();
    // The worker's own measure of the call's time in Python.
    expect(runtime.stats()[0]!.pythonMs?.p50).toBe(2);
  });

  it('brings the site data to a worker that has not had it, once', async () => {
    const { runtime, workers } = setUp();
    runtime.setSiteData({ posts: [post] });
    await runtime.transformPost(linkPost, draft);
    await runtime.transformPost(linkPost, draft);
    expect(workers[1]!.transforms.map((request) => request.site)).toEqual([
      { snapshot: { posts: [post] } },
      undefined,
    ]);
    // The worker for renders gets its own copy, once.
    await runtime.renderMacro(youtube, context('a'));
    await runtime.renderMacro(youtube, context('b'));
    expect(workers[0]!.renders.map((request) => request.site)).toEqual([
      { snapshot: { posts: [post] } },
      undefined,
    ]);
  });

  it('keeps an invalid post on this side, saying what is wrong', async () => {
    const { runtime, workers, untilState } = setUp();
    await untilState('ready');
    const outcome = await runtime.transformPost(linkPost, { ...draft, tags: [3] } as unknown as typeof draft);
    expect(outcome).toMatchObject({ ok: false, kind: 'invalid-input', script: 'link_post.py' });
    expect(outcome.ok === false && outcome.message).toMatch(
      /^link_post\.py was not called: the post to transform is invalid: .*tags/s,
    );
    expect(workers.flatMap((worker) => worker.transforms)).toEqual([]);
  });

  it('refuses a result outside the contract, naming the script', async () => {
    const { runtime } = setUp({ transform: async () => returned({ title: 'x', body: 1 }, 'dbg\n') });
    expect(await runtime.transformPost(linkPost, draft)).toMatchObject({
      ok: false,
      kind: 'invalid-result',
      message: expect.stringMatching(/^link_post\.py: the result of transform\(\) does not fit: body: /),
      printed: 'dbg\n',
    });
    expect(runtime.stats()[0]).toMatchObject({ calls: 1, errors: 1 });
  });

  it('times out a hung transform through KeyboardInterrupt; the worker survives', async () => {
    const { runtime, workers, clock } = setUp({
      transform: async (_request, worker) => {
        if (worker.transforms.length > 1) return returned({ title: 't', body: 'b' });
        await vi.waitFor(() => expect(Atomics.load(worker.interrupt, 0)).toBe(2), {
          timeout: 30_000,
          interval: 1,
        });
        return { kind: 'interrupted', ...keyboardInterrupt };
      },
    });
    const outcome = runtime.transformPost(linkPost, draft);
    await vi.waitFor(() => expect(workers[1]!.transforms).toHaveLength(1), { timeout: 30_000, interval: 1 });
    clock.advance(1_000);
    expect(await outcome).toEqual({
      ok: false,
      kind: 'timeout',
      script: 'link_post.py',
      message: 'link_post.py did not finish within the time limit (1 s)',
    });
    expect(runtime.stats()[0]).toMatchObject({ calls: 1, timeouts: 1 });
    expect(await runtime.transformPost(linkPost, draft)).toMatchObject({ ok: true });
    expect(workers).toHaveLength(2);
  });

  it('stops a transform when its signal aborts, in flight or still queued', async () => {
    const { runtime, workers } = setUp({
      transform: async (_request, worker) => {
        await vi.waitFor(() => expect(Atomics.load(worker.interrupt, 0)).toBe(2), {
          timeout: 30_000,
          interval: 1,
        });
        return { kind: 'interrupted', ...keyboardInterrupt, printed: 'was busy\n' };
      },
    });
    const first = new AbortController();
    const inFlight = runtime.transformPost(linkPost, draft, first.signal);
    const second = new AbortController();
    const queued = runtime.transformPost(linkPost, draft, second.signal);
    await vi.waitFor(() => expect(workers[1]!.transforms).toHaveLength(1), { timeout: 30_000, interval: 1 });
    second.abort();
    first.abort();
    expect(await inFlight).toEqual({
      ok: false,
      kind: 'cancelled',
      script: 'link_post.py',
      message: 'link_post.py was stopped',
      printed: 'was busy\n',
    });
    expect(await queued).toMatchObject({ ok: false, kind: 'cancelled' });
    // The queued one never reached the worker, which carries on.
    expect(workers[1]!.transforms).toHaveLength(1);
    expect(workers).toHaveLength(2);
    expect(runtime.stats()[0]).toMatchObject({ calls: 1, interrupts: 1 });
  });

  it('restarts a worker that answers a transform with something malformed', async () => {
    const { runtime, workers } = setUp({ transform: async () => ({ kind: 'returned' }) });
    expect(await runtime.transformPost(linkPost, draft)).toMatchObject({
      ok: false,
      kind: 'worker-failed',
      message: expect.stringContaining('Malformed answer from the worker to A transform'),
    });
    expect(workers[1]!.terminated).toBe(true);
    // The worker for renders and runs is not the one replaced.
    expect(workers[0]!.terminated).toBe(false);
  });
});
