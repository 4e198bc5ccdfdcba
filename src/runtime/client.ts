import * as Comlink from 'comlink';
import { z } from 'zod';
import { type SiteSnapshot, siteSnapshotSchema } from '../core/abi';
import { defaultEntrypoint } from '../core/script';
import { type TransformInput, transformInputSchema } from '../core/transform-abi';
import { defaultMaxHeapBytes, heapOutgrown } from './heap-bound';
import {
  type BootResult,
  outputBatchSchema,
  type PythonWorkerApi,
  parseMessage,
  scriptCheckSchema,
  type WorkerRenderRequest,
  type WorkerRenderResult,
  type WorkerRunResult,
  workerRenderAnswerSchema,
  workerRunResultSchema,
} from './protocol';
import { encodeRenderBatch, scriptFileName } from './render-batch';
import { completeRender, nothingSent, prepareRender, type RenderEnding } from './render-call';
import { RenderLane } from './render-lane';
import { decodeRenderResult } from './render-result';
import { ScriptStatsBook } from './script-stats';
import { SentScripts } from './sent-scripts';
import { bootWithSnapshotCache, type SnapshotCache } from './snapshot-cache';
import { decodeTransformReply, transformOutcome } from './transform-call';
import type {
  BootInfo,
  MacroScript,
  PythonRuntime,
  RenderItem,
  RenderOutcome,
  RunOutcome,
  RunRequest,
  RuntimeStatus,
  ScriptCheck,
  ScriptStats,
  TransformOutcome,
  TransformScript,
} from './types';

/** What the client needs of a worker: a Comlink endpoint, a way to interrupt it and to end it. */
export interface WorkerEndpoint extends Comlink.Endpoint {
  /** Pyodide's interrupt buffer, shared with the worker: the client writes SIGINT into it. */
  interrupt: Int32Array;
  terminate(): void;
}

/** Calls `callback` after `ms` unless the returned function is called first. */
export type Scheduler = (ms: number, callback: () => void) => () => void;

export interface PythonRuntimeOptions {
  /** E.g. `() => new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })`. */
  createWorker: () => WorkerEndpoint;
  /** How long Stop and the time limit wait for KeyboardInterrupt before replacing the worker. Default 500 ms. */
  graceMs?: number;
  /** Injected so tests control time. Defaults to `setTimeout`. */
  schedule?: Scheduler;
  /** Where the Python memory snapshot is kept for fast boots; without it every boot is a normal one. */
  snapshots?: SnapshotCache;
  /** A worker whose WASM heap grew past this is replaced between calls. Default 512 MiB. */
  maxHeapBytes?: number;
  /** Time limit of one `renderMany` (the whole batch) or `checkScript` call. Default 5 s. */
  renderTimeoutMs?: number;
  /** Clock for the round-trip durations in `stats()`. Defaults to `performance.now`. */
  now?: () => number;
  /** Room for a render's request, and for its answer, in shared memory; larger ones go by Comlink. Default 1 MiB. */
  renderLaneBytes?: number;
}

/**
 * Starts a Python worker right away and returns the runtime the UI drives.
 *
 * One run at a time: `run()` while a run is active rejects. `run()` while Python boots or restarts
 * waits for it; `run()` when Python failed to start rejects with the reason.
 *
 * Runs, renders and checks share one worker and go to it one call at a time, in the order they were
 * made: a render made while a utility runs waits for it (a live preview must not fail because a
 * script is running), and has its own time limit, counted from when it is sent.
 */
export function createPythonRuntime(options: PythonRuntimeOptions): PythonRuntime {
  return new WorkerPythonRuntime(options);
}

/** How often Stop and the time limit repeat SIGINT while they wait for the run to end. */
const reraiseIntervalMs = 50;

/** The signal number Pyodide reads from its interrupt buffer as KeyboardInterrupt. */
const SIGINT = 2;

const defaultSchedule: Scheduler = (ms, callback) => {
  const handle = setTimeout(callback, ms);
  return () => clearTimeout(handle);
};

interface WorkerSession {
  endpoint: WorkerEndpoint;
  interrupt: Int32Array;
  /** Where renders travel, unless they do not fit (render-lane.ts). */
  lane: RenderLane;
  api: Comlink.Remote<PythonWorkerApi>;
  /** `api.render`, taken once: each property read of a Comlink remote makes a Proxy and registers it for finalization. */
  render: Comlink.Remote<PythonWorkerApi>['render'];
  /** The scripts whose code this worker holds, which later renders send without it. */
  scripts: SentScripts;
  /** Resolves once the worker is gone: with the reason if it crashed, or because we terminated it. */
  gone: Promise<string>;
  terminate(): void;
}

interface ActiveRun {
  request: RunRequest;
  resolve(outcome: RunOutcome): void;
  reject(error: Error): void;
  /** Set once the run was sent to a booted worker; until then Stop just cancels it. */
  session?: WorkerSession;
  stopCause?: 'stop' | 'timeout';
  settled: boolean;
  cancelTimers: (() => void)[];
  /** When the run was sent to the worker, and how long Python took, for `stats()`. */
  sentAt?: number;
  pythonMs?: number;
}

/** How a call with a time limit ended: its parsed answer, or the worker was replaced without one. */
type TimedEnding<T> =
  | { kind: 'answered'; value: T; stoppedBy: 'timeout' | 'cancelled' | undefined }
  | { kind: 'lost'; why: 'timeout' | 'cancelled' | 'worker-failed'; message: string };

/** One worker call's outcomes, and which items it did not reach (render-call.ts, `CompletedRender`). */
interface BatchRender {
  outcomes: RenderOutcome[];
  unreached: number[];
  /** The worker was lost with the batch: nobody knows which item broke it. */
  lost: boolean;
}

/** How a run's call into the worker ended: a result, or a crashed, failed or protocol-breaking worker. */
type WorkerEnding = { kind: 'result'; result: WorkerRunResult } | { kind: 'broken'; reason: string };

class WorkerPythonRuntime implements PythonRuntime {
  #status: RuntimeStatus = { state: 'booting' };
  #bootInfo: BootInfo | undefined;
  readonly #listeners = new Set<(status: RuntimeStatus) => void>();
  readonly #createWorker: () => WorkerEndpoint;
  readonly #graceMs: number;
  readonly #schedule: Scheduler;
  readonly #snapshots: SnapshotCache | undefined;
  readonly #maxHeapBytes: number;
  #session: WorkerSession | undefined;
  #activeRun: ActiveRun | undefined;
  /** Settles when every call made so far has left the worker; the next call chains onto it. */
  #queue: Promise<void> = Promise.resolve();
  readonly #renderTimeoutMs: number;
  readonly #renderLaneBytes: number | undefined;
  readonly #now: () => number;
  readonly #stats = new ScriptStatsBook();
  readonly #statsListeners = new Set<() => void>();
  #siteJson: string | undefined;
  /** Workers that have the current site data; a restarted one does not, and gets it with its next render. */
  #sessionsWithSite = new WeakSet<WorkerSession>();

  constructor(options: PythonRuntimeOptions) {
    this.#createWorker = options.createWorker;
    this.#graceMs = options.graceMs ?? 500;
    this.#schedule = options.schedule ?? defaultSchedule;
    this.#snapshots = options.snapshots;
    this.#maxHeapBytes = options.maxHeapBytes ?? defaultMaxHeapBytes;
    this.#renderTimeoutMs = options.renderTimeoutMs ?? 5_000;
    this.#renderLaneBytes = options.renderLaneBytes;
    this.#now = options.now ?? (() => performance.now());
    if (typeof SharedArrayBuffer === 'function') this.#startSession();
    else {
      // Without it a stuck script could only be stopped by a restart; fail visibly instead of half-working.
      this.#status = {
        state: 'failed',
        reason: 'This page is not cross-origin isolated (no SharedArrayBuffer), so Python cannot run here.',
      };
    }
  }

  get status(): RuntimeStatus {
    return this.#status;
  }

  get bootInfo(): BootInfo | undefined {
    return this.#bootInfo;
  }

  subscribe(listener: (status: RuntimeStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  run(request: RunRequest): Promise<RunOutcome> {
    if (this.#activeRun) return Promise.reject(new Error('A script is already running; stop it first.'));
    return new Promise((resolve, reject) => {
      const run: ActiveRun = { request, resolve, reject, settled: false, cancelTimers: [] };
      this.#activeRun = run;
      void this.#serially(async () => ({ value: await this.#execute(run) }));
    });
  }

  renderMacro(script: MacroScript, context: RenderItem['context']): Promise<RenderOutcome> {
    return this.renderMany([{ script, context }]).then(([outcome]) => outcome!);
  }

  /**
   * Renders `items` in one worker call, then sends again those it did not reach: after a macro ran
   * past the time limit, the ones behind it in one more call; after a lost worker, each on its own,
   * so that the one that broke it is found and the others still render.
   */
  async renderMany(items: readonly RenderItem[]): Promise<RenderOutcome[]> {
    const { outcomes, unreached, lost } = await this.#renderBatch(items);
    if (unreached.length === 0) return outcomes;
    const rest = unreached.map((index) => items[index]!);
    const again = lost
      ? (await Promise.all(rest.map((item) => this.renderMany([item])))).flat()
      : await this.renderMany(rest);
    unreached.forEach((index, position) => {
      outcomes[index] = again[position]!;
    });
    return outcomes;
  }

  #renderBatch(items: readonly RenderItem[]): Promise<BatchRender> {
    const prepared = prepareRender(items);
    if (prepared.valid.length === 0)
      return Promise.resolve(this.#finishRender(items, prepared, nothingSent, 0));
    return this.#serially(async () => {
      const session = await this.#whenReady();
      const batch = encodeRenderBatch(prepared.valid, session.scripts);
      // Captured now: site data set while this call is out replaces the set, so it is sent next time.
      const sessionsWithSite = this.#sessionsWithSite;
      const site = sessionsWithSite.has(session) ? undefined : this.#siteJson;
      const sentAt = this.#now();
      const request = site === undefined ? { batch: batch.text } : { batch: batch.text, site };
      const ending = await this.#callWithTimeLimit(session, 'A macro', decodeRenderAnswer, () =>
        renderThroughLane(session, request),
      );
      if (ending.kind === 'lost') {
        // A render is never aborted: a lost one ran out of time or lost its worker.
        const why = ending.why === 'worker-failed' ? 'worker-failed' : 'timeout';
        return { value: this.#finishRender(items, prepared, { ...ending, why }, this.#now() - sentAt) };
      }
      sessionsWithSite.add(session);
      const { result, heapBytes } = ending.value;
      const timedOut = ending.stoppedBy !== undefined;
      if (timedOut || result.interrupted) session.scripts.forget();
      else session.scripts.record(batch.scripts);
      const renderEnding: RenderEnding = { kind: 'answered', result, timedOut };
      const outcomes = this.#finishRender(items, prepared, renderEnding, this.#now() - sentAt);
      // The answer carries the heap size: no second call to ask it before the next call.
      if (heapBytes > this.#maxHeapBytes) this.#recycle(session);
      return { value: outcomes };
    });
  }

  transformPost(
    script: TransformScript,
    post: TransformInput,
    signal?: AbortSignal,
  ): Promise<TransformOutcome> {
    const name = scriptFileName(script.slug);
    const input = transformInputSchema.safeParse(post);
    if (!input.success) {
      const message = `${name} was not called: the post to transform is invalid: ${z.prettifyError(input.error)}`;
      return Promise.resolve({ ok: false, kind: 'invalid-input', script: name, message });
    }
    return this.#serially(async () => {
      // Stopped while it waited behind other calls: it need not run at all.
      if (signal?.aborted) {
        const outcome: TransformOutcome = {
          ok: false,
          kind: 'cancelled',
          script: name,
          message: `${name} was stopped`,
        };
        return { value: outcome };
      }
      const session = await this.#whenReady();
      const sentAt = this.#now();
      // A transform may read `from pymark import site` as a macro does: a worker without it gets it.
      const sessionsWithSite = this.#sessionsWithSite;
      const site = sessionsWithSite.has(session) ? undefined : this.#siteJson;
      const request = {
        script: {
          id: script.id,
          version: script.version,
          fileName: name,
          code: script.body,
          entrypoint: script.entrypoint,
        },
        post: input.data,
        ...(site === undefined ? {} : { site }),
      };
      const ending = await this.#callWithTimeLimit(
        session,
        'A transform',
        decodeTransformReply,
        (api) => api.transform(request),
        signal,
      );
      if (ending.kind === 'answered') sessionsWithSite.add(session);
      const outcome = transformOutcome(
        name,
        input.data,
        ending.kind === 'answered' ? { ...ending, answer: ending.value.answer } : ending,
        this.#renderTimeoutMs,
      );
      const end = outcome.ok
        ? 'ok'
        : outcome.kind === 'timeout'
          ? 'timeout'
          : outcome.kind === 'cancelled'
            ? 'interrupt'
            : 'error';
      this.#stats.recordCall(
        script.id,
        name,
        end,
        ending.kind === 'answered' ? ending.value.pythonMs : undefined,
      );
      this.#stats.recordRoundTrip(script.id, name, this.#now() - sentAt);
      this.#statsChanged();
      return { value: outcome, session };
    });
  }

  checkScript(code: string, fileName: string): Promise<ScriptCheck> {
    return this.#serially(async () => {
      const session = await this.#whenReady();
      const ending = await this.#callWithTimeLimit(
        session,
        'The syntax check',
        (value) => parseMessage(scriptCheckSchema, value, 'the syntax check result from the worker'),
        (api) => api.check({ code, fileName }),
      );
      if (ending.kind === 'lost') throw new Error(`${fileName} could not be checked: ${ending.message}`);
      return { value: ending.value, session };
    });
  }

  setSiteData(snapshot: SiteSnapshot): void {
    this.#siteJson = JSON.stringify(siteSnapshotSchema.parse(snapshot));
    this.#sessionsWithSite = new WeakSet();
  }

  stats(): ScriptStats[] {
    return this.#stats.stats();
  }

  resetStats(): void {
    this.#stats.reset();
    this.#statsChanged();
  }

  subscribeStats(listener: () => void): () => void {
    this.#statsListeners.add(listener);
    return () => this.#statsListeners.delete(listener);
  }

  stop(): void {
    if (this.#activeRun) this.#requestStop(this.#activeRun, 'stop');
  }

  dispose(): void {
    const reason = 'The Python runtime was disposed';
    this.#session?.terminate();
    this.#session = undefined;
    if (this.#activeRun) this.#rejectRun(this.#activeRun, new Error(reason));
    this.#setStatus({ state: 'failed', reason });
    this.#listeners.clear();
    this.#statsListeners.clear();
  }

  #setStatus(status: RuntimeStatus): void {
    this.#status = status;
    for (const listener of this.#listeners) listener(status);
  }

  #startSession(): void {
    const endpoint = this.#createWorker();
    const api = Comlink.wrap<PythonWorkerApi>(endpoint);
    let markGone: (reason: string) => void = () => {};
    const gone = new Promise<string>((resolve) => {
      markGone = resolve;
    });
    endpoint.addEventListener('error', (event) => markGone(describeWorkerError(event)));
    const session: WorkerSession = {
      endpoint,
      interrupt: endpoint.interrupt,
      lane: new RenderLane(this.#renderLaneBytes),
      api,
      render: api.render,
      scripts: new SentScripts(),
      gone,
      terminate() {
        session.lane.close();
        endpoint.terminate();
        markGone('terminated');
      },
    };
    this.#session = session;
    void this.#boot(session);
    void gone.then((reason) => {
      // Crashes while booting or running are handled there; an idle worker is just replaced.
      if (this.#session === session && this.#status.state === 'ready') {
        this.#restart(`The Python worker crashed (${reason}); restarting`);
      }
    });
  }

  async #boot(session: WorkerSession): Promise<void> {
    const result = await Promise.race([
      bootWithSnapshotCache(session.api, this.#snapshots, session.lane.buffer).catch(
        (error: unknown): BootResult => ({ ok: false, reason: describeError(error) }),
      ),
      session.gone.then((reason): BootResult => ({ ok: false, reason: `the worker crashed (${reason})` })),
    ]);
    if (this.#session !== session) return; // replaced or disposed meanwhile
    if (result.ok) {
      this.#bootInfo = result.bootInfo;
      this.#setStatus({ state: 'ready' });
      return;
    }
    session.terminate();
    this.#session = undefined;
    this.#setStatus({ state: 'failed', reason: `Python could not start: ${result.reason}` });
  }

  /** Replaces a worker whose heap outgrew its bound; calls made meanwhile wait for the new one. */
  #recycle(session: WorkerSession): void {
    if (this.#session !== session) return; // already replaced
    const mib = Math.round(this.#maxHeapBytes / 2 ** 20);
    this.#restart(`Python's memory grew past ${mib} MiB; starting a fresh worker to free it`);
  }

  #restart(reason: string): void {
    this.#session?.terminate();
    this.#bootInfo = undefined;
    this.#setStatus({ state: 'restarting', reason });
    this.#startSession();
  }

  async #execute(run: ActiveRun): Promise<void> {
    let session: WorkerSession;
    try {
      session = await this.#whenReady();
    } catch (error) {
      this.#rejectRun(run, error instanceof Error ? error : new Error(describeError(error)));
      return;
    }
    if (run.settled) return; // stopped while waiting for Python
    run.session = session;
    // A Stop pressed after the previous script had already finished must not kill this one.
    clearInterrupt(session);
    this.#setStatus({ state: 'running', scriptName: run.request.fileName });
    run.sentAt = this.#now();
    run.cancelTimers.push(this.#schedule(run.request.timeoutMs, () => this.#requestStop(run, 'timeout')));

    const ending = await this.#callWorkerRun(run, session);
    if (run.settled) return; // already ended by a restart
    if (ending.kind === 'broken') {
      this.#restart(`${ending.reason}; restarting`);
      this.#resolveRun(run, brokenWorkerOutcome(ending.reason));
    } else {
      run.pythonMs = ending.result.pythonMs;
      // Between calls: a fresh worker now, before anything else is sent to this one.
      if (await heapOutgrown(session.api, this.#maxHeapBytes)) this.#recycle(session);
      this.#resolveRun(run, toOutcome(ending.result, run.stopCause));
    }
  }

  #callWorkerRun(run: ActiveRun, session: WorkerSession): Promise<WorkerEnding> {
    const { fileName, code, entrypoint = defaultEntrypoint.utility } = run.request;
    const onOutput = Comlink.proxy((chunks: unknown) => this.#deliverOutput(run, chunks));
    // A utility may read `from pymark import site` as a macro does: a worker without it gets it.
    const sessionsWithSite = this.#sessionsWithSite;
    const site = sessionsWithSite.has(session) ? undefined : this.#siteJson;
    return Promise.race([
      session.api
        .run({ fileName, code, entrypoint, ...(site === undefined ? {} : { site }) }, onOutput)
        .then((value): WorkerEnding => {
          sessionsWithSite.add(session);
          return {
            kind: 'result',
            result: parseMessage(workerRunResultSchema, value, 'run result from the worker'),
          };
        }),
      session.gone.then(
        (reason): WorkerEnding => ({ kind: 'broken', reason: `The Python worker crashed (${reason})` }),
      ),
    ]).catch(
      (error: unknown): WorkerEnding => ({
        kind: 'broken',
        reason: `The Python worker failed: ${describeError(error)}`,
      }),
    );
  }

  #deliverOutput(run: ActiveRun, chunks: unknown): void {
    if (run.settled) return; // a batch that was in flight when the worker was replaced
    const batch = outputBatchSchema.safeParse(chunks);
    if (batch.success) {
      run.request.onOutput(batch.data);
      return;
    }
    // The worker speaks another protocol version; its state cannot be trusted.
    const reason = `The Python worker sent malformed output (${batch.error.issues[0]?.message ?? 'invalid'})`;
    this.#restart(`${reason}; restarting`);
    this.#resolveRun(run, brokenWorkerOutcome(reason));
  }

  #requestStop(run: ActiveRun, cause: 'stop' | 'timeout'): void {
    if (run.settled || run.stopCause) return;
    run.stopCause = cause;
    if (!run.session) {
      this.#resolveRun(run, { kind: 'stopped', cause, via: 'interrupt', truncatedChars: 0 });
      return;
    }
    this.#interruptUntil(run.session, run.cancelTimers, () => run.settled);
    run.cancelTimers.push(
      this.#schedule(this.#graceMs, () => {
        const what = cause === 'stop' ? 'Stop' : 'the time limit';
        this.#restart(`Python did not respond to ${what}; restarting`);
        // Output of a replaced worker is lost, including its count of dropped characters.
        this.#resolveRun(run, { kind: 'stopped', cause, via: 'restart', truncatedChars: 0 });
      }),
    );
  }

  /**
   * Runs `call` once every call made before it has left the worker. `call` resolves with its value
   * and the worker it used; the caller gets the value at once, and the next call waits until that
   * worker's heap was checked (runs and renders check their own) and, if it outgrew its bound, replaced.
   */
  #serially<T>(call: () => Promise<{ value: T; session?: WorkerSession }>): Promise<T> {
    const done = this.#queue.then(call);
    this.#queue = done.then(
      async (answer) => {
        const { session } = answer;
        if (!session || session !== this.#session) return; // checked by the call itself, or replaced during it
        const outgrown = await Promise.race([
          heapOutgrown(session.api, this.#maxHeapBytes),
          session.gone.then(() => false),
        ]);
        if (outgrown) this.#recycle(session);
      },
      () => {},
    );
    return done.then((answer) => answer.value);
  }

  /**
   * Makes one call into the worker under the render time limit: SIGINT when it runs out, a worker
   * restart if Python has not answered within the grace period after that (or crashes).
   */
  async #callWithTimeLimit<T>(
    session: WorkerSession,
    what: string,
    parse: (answer: unknown) => T,
    call: (api: Comlink.Remote<PythonWorkerApi>) => Promise<unknown>,
    signal?: AbortSignal,
  ): Promise<TimedEnding<T>> {
    // As for runs: a SIGINT left from an earlier call must not hit this one.
    clearInterrupt(session);
    let stoppedBy: 'timeout' | 'cancelled' | undefined;
    let ended = false;
    const cancelTimers: (() => void)[] = [];
    const restarted = new Promise<TimedEnding<T>>((resolve) => {
      // The time limit and the caller's abort end a call the same way: SIGINT, then a restart.
      const stop = (why: 'timeout' | 'cancelled') => {
        if (stoppedBy || ended) return;
        stoppedBy = why;
        this.#interruptUntil(session, cancelTimers, () => ended);
        cancelTimers.push(
          this.#schedule(this.#graceMs, () => {
            const message = `${what} did not respond to ${why === 'timeout' ? 'the time limit' : 'being stopped'}`;
            this.#replaceSession(session, `${message}; restarting`);
            resolve({ kind: 'lost', why, message });
          }),
        );
      };
      cancelTimers.push(this.#schedule(this.#renderTimeoutMs, () => stop('timeout')));
      if (signal) {
        const onAbort = () => stop('cancelled');
        signal.addEventListener('abort', onAbort, { once: true });
        cancelTimers.push(() => signal.removeEventListener('abort', onAbort));
      }
    });
    const answered = Promise.race([
      call(session.api).then(
        (value): TimedEnding<T> => ({ kind: 'answered', value: parse(value), stoppedBy }),
      ),
      session.gone.then(
        (reason): TimedEnding<T> => ({
          kind: 'lost',
          why: 'worker-failed',
          message: `The Python worker crashed (${reason})`,
        }),
      ),
    ]).catch(
      (error: unknown): TimedEnding<T> => ({
        kind: 'lost',
        why: 'worker-failed',
        message: `The Python worker failed: ${describeError(error)}`,
      }),
    );
    const ending = await Promise.race([answered, restarted]);
    ended = true;
    for (const cancel of cancelTimers) cancel();
    if (ending.kind === 'lost' && ending.why === 'worker-failed')
      this.#replaceSession(session, `${ending.message}; restarting`);
    return ending;
  }

  /**
   * Raises SIGINT now and again every few milliseconds until `done()`: a SIGINT that lands before the
   * script's own code runs can be consumed by the runner's set-up (measured: about 1 Stop in 12 in
   * Chromium), which would leave a busy loop running until the grace period replaced the worker.
   */
  #interruptUntil(session: WorkerSession, cancelTimers: (() => void)[], done: () => boolean): void {
    const raise = () => {
      if (done()) return;
      Atomics.store(session.interrupt, 0, SIGINT);
      cancelTimers.push(this.#schedule(reraiseIntervalMs, raise));
    };
    raise();
  }

  /** Restarts `session`'s worker unless it was replaced already (a crash can be noticed twice). */
  #replaceSession(session: WorkerSession, reason: string): void {
    if (this.#session === session) this.#restart(reason);
  }

  #finishRender(
    items: readonly RenderItem[],
    prepared: ReturnType<typeof prepareRender>,
    ending: RenderEnding,
    roundTripMs: number,
  ): BatchRender {
    const { outcomes: rendered, unreached } = completeRender(items, prepared, ending);
    const names = new Map<string, string>();
    const skipped = new Set(unreached);
    rendered.forEach(({ outcome, pythonMs }, index) => {
      if (skipped.has(index)) return;
      const { script } = items[index]!;
      const name = scriptFileName(script.slug);
      names.set(script.id, name);
      const end = outcome.ok ? 'ok' : outcome.kind === 'timeout' ? 'timeout' : 'error';
      this.#stats.recordCall(script.id, name, end, pythonMs);
    });
    if (prepared.sent.length > 0) {
      for (const [scriptId, name] of names) this.#stats.recordRoundTrip(scriptId, name, roundTripMs);
    }
    this.#statsChanged();
    return { outcomes: rendered.map(({ outcome }) => outcome), unreached, lost: ending.kind === 'lost' };
  }

  #recordRun(run: ActiveRun, outcome: RunOutcome): void {
    const { fileName, scriptId = fileName } = run.request;
    const end =
      outcome.kind !== 'stopped' ? outcome.kind : outcome.cause === 'stop' ? 'interrupt' : 'timeout';
    this.#stats.recordCall(scriptId, fileName, end, run.pythonMs);
    if (run.sentAt !== undefined) this.#stats.recordRoundTrip(scriptId, fileName, this.#now() - run.sentAt);
    this.#statsChanged();
  }

  #statsChanged(): void {
    for (const listener of this.#statsListeners) listener();
  }

  /** The booted worker, once there is one; rejects if Python failed to start. */
  #whenReady(): Promise<WorkerSession> {
    return new Promise((resolve, reject) => {
      const check = (status: RuntimeStatus) => {
        if (status.state === 'ready' && this.#session) {
          unsubscribe();
          resolve(this.#session);
        } else if (status.state === 'failed') {
          unsubscribe();
          reject(new Error(status.reason));
        }
      };
      const unsubscribe = this.subscribe(check);
      check(this.#status);
    });
  }

  /** Marks the run over; false if it already was. */
  #release(run: ActiveRun): boolean {
    if (run.settled) return false;
    run.settled = true;
    for (const cancel of run.cancelTimers) cancel();
    if (this.#activeRun === run) this.#activeRun = undefined;
    return true;
  }

  #resolveRun(run: ActiveRun, outcome: RunOutcome): void {
    if (!this.#release(run)) return;
    this.#recordRun(run, outcome);
    // `restarting` stays until the new worker is up; otherwise the runtime is free again.
    if (this.#status.state === 'running') this.#setStatus({ state: 'ready' });
    run.resolve(outcome);
  }

  #rejectRun(run: ActiveRun, error: Error): void {
    if (this.#release(run)) run.reject(error);
  }
}

/** A render through the session's lane, or by Comlink when the request does not fit in it. */
async function renderThroughLane(session: WorkerSession, request: WorkerRenderRequest): Promise<unknown> {
  const ticket = session.lane.send(request);
  if (ticket === undefined) return session.render(request);
  const answer = await session.lane.answer(ticket);
  switch (answer.kind) {
    case 'answered':
      return answer.answer;
    case 'held':
      return session.api.takeHeldRender();
    case 'failed':
      throw new Error(answer.message);
    case 'closed':
      // The worker is gone: the call ends through `session.gone` instead.
      return new Promise(() => {});
  }
}

/** A render's answer, checked and decoded; a malformed one throws, which fails the call like a crash. */
function decodeRenderAnswer(answer: unknown): { result: WorkerRenderResult; heapBytes: number } {
  const { results, heapBytes } = parseMessage(
    workerRenderAnswerSchema,
    answer,
    'render answer from the worker',
  );
  return { result: decodeRenderResult(results), heapBytes };
}

function clearInterrupt(session: WorkerSession): void {
  Atomics.store(session.interrupt, 0, 0);
}

function toOutcome(
  { pythonMs: _, ...result }: WorkerRunResult,
  stopCause: ActiveRun['stopCause'],
): RunOutcome {
  if (result.kind !== 'interrupted') return result;
  if (stopCause)
    return { kind: 'stopped', cause: stopCause, via: 'interrupt', truncatedChars: result.truncatedChars };
  // Nobody asked: the script raised KeyboardInterrupt itself, which is an ordinary uncaught exception.
  return { ...result, kind: 'error' };
}

function brokenWorkerOutcome(reason: string): RunOutcome {
  return { kind: 'error', traceback: reason, message: reason, truncatedChars: 0 };
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A worker script that fails to load fires a plain `Event`; runtime errors fire an `ErrorEvent`. */
function describeWorkerError(event: Event): string {
  const message = 'message' in event && typeof event.message === 'string' ? event.message : '';
  return message || 'the worker script failed to load or crashed';
}
