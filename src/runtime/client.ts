import * as Comlink from 'comlink';
import { defaultMaxHeapBytes, heapOutgrown } from './heap-bound';
import {
  type BootResult,
  outputBatchSchema,
  type PythonWorkerApi,
  parseMessage,
  type WorkerRunResult,
  workerRunResultSchema,
} from './protocol';
import { bootWithSnapshotCache, type SnapshotCache } from './snapshot-cache';
import type { BootInfo, PythonRuntime, RunOutcome, RunRequest, RuntimeStatus } from './types';

/**
 * Raises KeyboardInterrupt in the worker's running script. The worker's host owns Pyodide's
 * interrupt buffer: the sandbox frame (sandbox-host.ts) sits in another agent cluster, where no
 * SharedArrayBuffer of this page can reach.
 */
export interface InterruptSignal {
  raise(): void;
  /** Resolves once a pending SIGINT is cleared, so the next run cannot be hit by an old Stop. */
  clear(): Promise<void>;
}

/** What the client needs of a worker: a Comlink endpoint, a way to interrupt it and to end it. */
export interface WorkerEndpoint extends Comlink.Endpoint {
  interrupt: InterruptSignal;
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
}

/**
 * Starts a Python worker right away and returns the runtime the UI drives.
 *
 * One run at a time: `run()` while a run is active rejects. `run()` while Python boots or restarts
 * waits for it; `run()` when Python failed to start rejects with the reason.
 */
export function createPythonRuntime(options: PythonRuntimeOptions): PythonRuntime {
  return new WorkerPythonRuntime(options);
}

const defaultSchedule: Scheduler = (ms, callback) => {
  const handle = setTimeout(callback, ms);
  return () => clearTimeout(handle);
};

interface WorkerSession {
  endpoint: WorkerEndpoint;
  api: Comlink.Remote<PythonWorkerApi>;
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

  constructor(options: PythonRuntimeOptions) {
    this.#createWorker = options.createWorker;
    this.#graceMs = options.graceMs ?? 500;
    this.#schedule = options.schedule ?? defaultSchedule;
    this.#snapshots = options.snapshots;
    this.#maxHeapBytes = options.maxHeapBytes ?? defaultMaxHeapBytes;
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
      void this.#execute(run);
    });
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
  }

  #setStatus(status: RuntimeStatus): void {
    this.#status = status;
    for (const listener of this.#listeners) listener(status);
  }

  #startSession(): void {
    const endpoint = this.#createWorker();
    let markGone: (reason: string) => void = () => {};
    const gone = new Promise<string>((resolve) => {
      markGone = resolve;
    });
    endpoint.addEventListener('error', (event) => markGone(describeWorkerError(event)));
    const session: WorkerSession = {
      endpoint,
      api: Comlink.wrap<PythonWorkerApi>(endpoint),
      gone,
      terminate() {
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
      bootWithSnapshotCache(session.api, this.#snapshots).catch(
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
    // Cleared before the run is sent, through the same channel as SIGINT, so it cannot race a Stop:
    // a Stop pressed after the previous script had already finished must not kill this one.
    await Promise.race([session.endpoint.interrupt.clear(), session.gone]);
    if (run.settled) return; // ended while clearing (a Stop is still honoured: SIGINT follows the clear)
    this.#setStatus({ state: 'running', scriptName: run.request.fileName });
    run.cancelTimers.push(this.#schedule(run.request.timeoutMs, () => this.#requestStop(run, 'timeout')));

    const ending = await this.#callWorkerRun(run, session);
    if (run.settled) return; // already ended by a restart
    if (ending.kind === 'broken') {
      this.#restart(`${ending.reason}; restarting`);
      this.#resolveRun(run, brokenWorkerOutcome(ending.reason));
    } else {
      // Between calls: a fresh worker now, before anything else is sent to this one.
      if (await heapOutgrown(session.api, this.#maxHeapBytes)) this.#recycle(session);
      this.#resolveRun(run, toOutcome(ending.result, run.stopCause));
    }
  }

  #callWorkerRun(run: ActiveRun, session: WorkerSession): Promise<WorkerEnding> {
    const { fileName, code } = run.request;
    const onOutput = Comlink.proxy((chunks: unknown) => this.#deliverOutput(run, chunks));
    return Promise.race([
      session.api.run({ fileName, code }, onOutput).then(
        (value): WorkerEnding => ({
          kind: 'result',
          result: parseMessage(workerRunResultSchema, value, 'run result from the worker'),
        }),
      ),
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
    run.session.endpoint.interrupt.raise();
    run.cancelTimers.push(
      this.#schedule(this.#graceMs, () => {
        const what = cause === 'stop' ? 'Stop' : 'the time limit';
        this.#restart(`Python did not respond to ${what}; restarting`);
        // Output of a replaced worker is lost, including its count of dropped characters.
        this.#resolveRun(run, { kind: 'stopped', cause, via: 'restart', truncatedChars: 0 });
      }),
    );
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
    // `restarting` stays until the new worker is up; otherwise the runtime is free again.
    if (this.#status.state === 'running') this.#setStatus({ state: 'ready' });
    run.resolve(outcome);
  }

  #rejectRun(run: ActiveRun, error: Error): void {
    if (this.#release(run)) run.reject(error);
  }
}

function toOutcome(result: WorkerRunResult, stopCause: ActiveRun['stopCause']): RunOutcome {
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
