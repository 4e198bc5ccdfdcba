import * as Comlink from 'comlink';
import { type BootResult, bootResultSchema, type PythonWorkerApi, parseMessage } from './protocol';
import type { SnapshotCache } from './snapshot';
import type { BootInfo, RuntimeStatus } from './types';

/** What the client needs of a worker: a Comlink endpoint, a way to interrupt it and to end it. */
export interface WorkerEndpoint extends Comlink.Endpoint {
  /** Pyodide's interrupt buffer, shared with the worker: the client writes SIGINT into it. */
  interrupt: Int32Array;
  terminate(): void;
}

/**
 * A worker endpoint whose Comlink messages travel on `messages`, and whose `error` events are what
 * the worker's host reports with `fail` (a crash, an exit, a frame that could not start it).
 */
export function workerEndpoint(
  messages: Comlink.Endpoint,
  interrupt: Int32Array,
  terminate: () => void,
): WorkerEndpoint & { fail(message: string): void } {
  const errors = new EventTarget();
  const target = (type: string) => (type === 'error' ? errors : messages);
  return {
    postMessage: (message, transfer) => messages.postMessage(message, transfer ?? []),
    addEventListener: (type, listener) => target(type).addEventListener(type, listener),
    removeEventListener: (type, listener) => target(type).removeEventListener(type, listener),
    start: () => messages.start?.(),
    interrupt,
    terminate,
    fail: (message) => errors.dispatchEvent(Object.assign(new Event('error'), { message })),
  };
}

export interface WorkerSession {
  api: Comlink.Remote<PythonWorkerApi>;
  interrupt: Int32Array;
  /** Aborts once the worker is gone; its reason says why (a crash's message, or `terminated`). */
  gone: AbortSignal;
}

/**
 * The worker's lifecycle: starts one, boots it (from the stored snapshot when there is one), and
 * replaces it when it crashes, breaks a call or outgrows its memory. Calls go to it through the
 * executor (call-executor.ts); this only says which worker is current and what state it is in.
 */
export class WorkerLifecycle {
  #status: RuntimeStatus = { state: 'booting' };
  #bootInfo: BootInfo | undefined;
  readonly #listeners = new Set<(status: RuntimeStatus) => void>();
  readonly #createWorker: () => WorkerEndpoint;
  readonly #snapshots: SnapshotCache | undefined;
  #session: RunningSession | undefined;

  /**
   * `startAfter`, when given, holds back the first worker until it settles: a second worker booting
   * beside the first would share its cores and slow down the boot the page is waiting for.
   */
  constructor(
    createWorker: () => WorkerEndpoint,
    snapshots: SnapshotCache | undefined,
    startAfter?: Promise<unknown>,
  ) {
    this.#createWorker = createWorker;
    this.#snapshots = snapshots;
    if (typeof SharedArrayBuffer !== 'function') {
      // Without it a stuck script could only be stopped by a restart; fail visibly instead of half-working.
      this.#status = {
        state: 'failed',
        reason: 'This page is not cross-origin isolated (no SharedArrayBuffer), so Python cannot run here.',
      };
    } else if (startAfter) {
      // Unless disposed meanwhile, which leaves the status `failed`.
      const start = () => {
        if (this.#status.state === 'booting') this.#start();
      };
      void startAfter.then(start, start);
    } else this.#start();
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

  setStatus(status: RuntimeStatus): void {
    this.#status = status;
    for (const listener of this.#listeners) listener(status);
  }

  /**
   * The booted worker, once there is one; undefined if `signal` aborts first. Rejects if Python
   * failed to start.
   */
  whenReady(signal?: AbortSignal): Promise<WorkerSession | undefined> {
    return whenUp(this, () => this.#session, signal);
  }

  /** Replaces `session`'s worker with a fresh one, unless it was replaced already (a crash can be noticed twice). */
  replace(session: WorkerSession, reason: string): void {
    if (this.#session !== session) return;
    this.#session.terminate();
    this.#bootInfo = undefined;
    this.setStatus({ state: 'restarting', reason });
    this.#start();
  }

  dispose(reason: string): void {
    this.#session?.terminate();
    this.#session = undefined;
    this.setStatus({ state: 'failed', reason });
    this.#listeners.clear();
  }

  #start(): void {
    const endpoint = this.#createWorker();
    const gone = new AbortController();
    const session: RunningSession = {
      api: Comlink.wrap<PythonWorkerApi>(endpoint),
      interrupt: endpoint.interrupt,
      gone: gone.signal,
      terminate() {
        endpoint.terminate();
        gone.abort('terminated');
      },
    };
    endpoint.addEventListener('error', (event) => {
      gone.abort(describeWorkerError(event));
      // A crash during a call is the executor's to report; an idle worker is just replaced.
      if (this.#session === session && this.#status.state === 'ready')
        this.replace(session, workerFailedReason);
    });
    this.#session = session;
    void this.#boot(session);
  }

  /**
   * Boots from the cached snapshot (the worker checks it and falls back to a normal boot on its
   * own), and caches the fresh snapshot a normal boot hands back. The cache is an optimisation:
   * when it fails, Python still boots.
   */
  async #bootWithSnapshot(api: Comlink.Remote<PythonWorkerApi>): Promise<BootResult> {
    const cache = this.#snapshots;
    let unreadBecause: string | undefined;
    const snapshot = await cache?.load().catch((error: unknown) => {
      console.warn('Pymark could not read the stored Python snapshot; booting normally', error);
      unreadBecause = error instanceof Error ? error.message : String(error);
      return undefined;
    });
    const request = { snapshot };
    const result = parseMessage(
      bootResultSchema,
      await api.boot(snapshot ? Comlink.transfer(request, [snapshot.bytes]) : request),
      'boot result from the worker',
    );
    // The worker saw no snapshot; the status should say there was one that could not be read.
    if (result.ok && unreadBecause !== undefined && result.bootInfo.source === 'normal')
      result.bootInfo.fallbackReason = `the stored snapshot could not be read: ${unreadBecause}`;
    if (result.ok && result.snapshot && cache) {
      // In the background: the runtime is ready now, storing 30 MB can finish later.
      cache.save(result.snapshot).catch((error: unknown) => {
        console.warn('Pymark could not store the Python snapshot; the next boot will be a normal one', error);
      });
    }
    return result;
  }

  async #boot(session: RunningSession): Promise<void> {
    const result = await Promise.race([
      this.#bootWithSnapshot(session.api).catch((error: unknown) => ({
        ok: false as const,
        reason: error instanceof Error ? error.message : String(error),
      })),
      new Promise<{ ok: false; reason: string }>((resolve) =>
        onAbort(session.gone, () =>
          resolve({ ok: false, reason: `the worker crashed (${String(session.gone.reason)})` }),
        ),
      ),
    ]);
    if (this.#session !== session) return; // replaced or disposed meanwhile
    if (result.ok) {
      this.#bootInfo = result.bootInfo;
      this.setStatus({ state: 'ready' });
      return;
    }
    session.terminate();
    this.#session = undefined;
    this.setStatus({ state: 'failed', reason: `Python could not start: ${result.reason}` });
  }
}

/**
 * Waits until `runtime` is up (ready or running), then resolves with `take()`; with undefined if
 * `signal` aborts first. Rejects with the reason if Python failed to start.
 */
export function whenUp<T>(
  runtime: { status: RuntimeStatus; subscribe(listener: (status: RuntimeStatus) => void): () => void },
  take: () => T,
  signal?: AbortSignal,
): Promise<T | undefined> {
  if (signal?.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const settle = (settled: () => void) => {
      unsubscribe();
      stopWaiting();
      settled();
    };
    const check = (status: RuntimeStatus) => {
      if (status.state === 'failed') settle(() => reject(new Error(status.reason)));
      else if (status.state === 'ready' || status.state === 'running') settle(() => resolve(take()));
    };
    const unsubscribe = runtime.subscribe(check);
    const stopWaiting = signal ? onAbort(signal, () => settle(() => resolve(undefined))) : () => {};
    check(runtime.status);
  });
}

type RunningSession = WorkerSession & { terminate(): void };

/** Calls `listener` once `signal` aborts, at once if it has; returns the way to stop listening. */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  if (signal.aborted) {
    listener();
    return () => {};
  }
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

/**
 * The status line's reason when a worker crashed or broke the protocol. Never the worker's own text:
 * a script can crash the worker with a message of its choosing (an exception thrown from a
 * microtask), which the status line would show as if the app said it (issue 14). That text stays
 * with the call it ended, as that script's error.
 */
export const workerFailedReason = 'The Python worker stopped working; restarting';

/** A worker script that fails to load fires a plain `Event`; runtime errors fire an `ErrorEvent`. */
function describeWorkerError(event: Event): string {
  const message = 'message' in event && typeof event.message === 'string' ? event.message : '';
  return message || 'the worker script failed to load or crashed';
}
