import type { z } from 'zod';
import { parseMessage } from './protocol';
import type { AbortWhile } from './types';
import { onAbort, type WorkerLifecycle, type WorkerSession, workerFailedReason } from './worker-lifecycle';

/** Calls `callback` after `ms` unless the returned function is called first. */
export type Scheduler = (ms: number, callback: () => void) => () => void;

/** What ended a call early: its time limit, or its caller's `AbortSignal` (e.g. Stop). */
type StopCause = 'timeout' | 'stop';

/** One call into the worker, of any kind (run, render, transform, check). */
interface WorkerCall<T extends { heapBytes: number }> {
  /** Names the call in messages, e.g. `hello.py` or `A macro`. */
  what: string;
  timeLimitMs: number;
  signal?: AbortSignal;
  /** Default `always`: the signal also stops a call already sent. */
  abortWhile?: AbortWhile;
  /** The answer's schema: the answer is checked here, once, before anyone reads it. */
  answer: z.ZodType<T>;
  /**
   * Makes the Comlink call. `fail` ends the call at once as a broken worker, e.g. when output that
   * streams in beside the answer is malformed.
   */
  send(session: WorkerSession, fail: (reason: string) => void): Promise<unknown>;
}

/** How a call ended; `roundTripMs`: from sending it to its end, once it reached a worker. */
export type CallEnding<T> =
  /** The worker answered; `stoppedBy` says whether it was asked to stop first. */
  | { kind: 'answered'; answer: T; stoppedBy?: StopCause; roundTripMs?: number }
  /** The worker was replaced without an answer: it ignored the stop, crashed or broke the protocol. */
  | { kind: 'lost'; why: StopCause | 'worker-failed'; message: string; roundTripMs?: number }
  /** Aborted before it reached a worker. */
  | { kind: 'not-sent' };

export interface ExecutorOptions {
  /** How long Stop and the time limit wait for KeyboardInterrupt before replacing the worker. Default 500 ms. */
  graceMs: number;
  /** Injected so tests control time. Defaults to `setTimeout`. */
  schedule: Scheduler;
  /** A worker whose WASM heap grew past this is replaced between calls. Default 512 MiB. */
  maxHeapBytes: number;
  /** Clock for the round-trip durations in `stats()`. Defaults to `performance.now`. */
  now: () => number;
}

/** How often a stop repeats SIGINT while it waits for the call to end. */
const reraiseIntervalMs = 50;

/** The signal number Pyodide reads from its interrupt buffer as KeyboardInterrupt. */
const SIGINT = 2;

/**
 * The one place calls go to the worker, whatever their kind: one at a time in the order they were
 * made; each with its time limit, counted from when it is sent; stopped by the limit or its
 * `AbortSignal` with SIGINT, repeated, then by replacing the worker after the grace period; ended
 * by a crash or a malformed answer, which also replaces the worker; and followed by a fresh worker
 * when the answer says the heap outgrew its bound.
 */
export class CallExecutor {
  readonly workers: WorkerLifecycle;
  readonly #options: ExecutorOptions;
  /** Settles when every call made so far has ended; the next call chains onto it. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(workers: WorkerLifecycle, options: ExecutorOptions) {
    this.workers = workers;
    this.#options = options;
  }

  /** Ends as a `CallEnding`; rejects only if Python cannot start. */
  execute<T extends { heapBytes: number }>(call: WorkerCall<T>): Promise<CallEnding<T>> {
    const ending = this.#queue.then(() => this.#execute(call));
    this.#queue = ending.catch(() => {});
    return ending;
  }

  async #execute<T extends { heapBytes: number }>(call: WorkerCall<T>): Promise<CallEnding<T>> {
    const session = await this.workers.whenReady(call.signal);
    if (!session) return { kind: 'not-sent' };
    // A SIGINT left from an earlier call must not hit this one.
    Atomics.store(session.interrupt, 0, 0);
    const ending = await this.#callWithLimits(session, call);
    if (ending.kind === 'lost')
      this.workers.replace(
        session,
        ending.why === 'worker-failed' ? workerFailedReason : `${ending.message}; restarting`,
      );
    else if (ending.kind === 'answered' && ending.answer.heapBytes > this.#options.maxHeapBytes) {
      const mib = Math.round(this.#options.maxHeapBytes / 2 ** 20);
      this.workers.replace(
        session,
        `Python's memory grew past ${mib} MiB; starting a fresh worker to free it`,
      );
    }
    return ending;
  }

  #callWithLimits<T extends { heapBytes: number }>(
    session: WorkerSession,
    call: WorkerCall<T>,
  ): Promise<CallEnding<T>> {
    const { schedule, graceMs, now } = this.#options;
    const sentAt = now();
    return new Promise((resolve) => {
      let stoppedBy: StopCause | undefined;
      let ended = false;
      const cancels: (() => void)[] = [];
      const end = (ending: Exclude<CallEnding<T>, { kind: 'not-sent' }>) => {
        if (ended) return;
        ended = true;
        for (const cancel of cancels) cancel();
        resolve({ ...ending, roundTripMs: now() - sentAt });
      };
      const lost = (why: StopCause | 'worker-failed', message: string) => end({ kind: 'lost', why, message });
      const stop = (why: StopCause) => {
        if (stoppedBy || ended) return;
        stoppedBy = why;
        // Repeated: a SIGINT that lands before the script's own code runs can be consumed by the
        // set-up around it (measured: about 1 Stop in 12 in Chromium).
        const raise = () => {
          if (ended) return;
          Atomics.store(session.interrupt, 0, SIGINT);
          cancels.push(schedule(reraiseIntervalMs, raise));
        };
        raise();
        cancels.push(
          schedule(graceMs, () =>
            lost(
              why,
              `${call.what} did not respond to ${why === 'timeout' ? 'the time limit' : 'being stopped'}`,
            ),
          ),
        );
      };
      cancels.push(schedule(call.timeLimitMs, () => stop('timeout')));
      if (call.signal && call.abortWhile !== 'queued') cancels.push(onAbort(call.signal, () => stop('stop')));
      cancels.push(
        onAbort(session.gone, () =>
          lost('worker-failed', `The Python worker crashed (${String(session.gone.reason)})`),
        ),
      );
      call
        .send(session, (reason) => lost('worker-failed', reason))
        .then((answer) => {
          const parsed = parseMessage(call.answer, answer, `answer from the worker to ${call.what}`);
          end({ kind: 'answered', answer: parsed, ...(stoppedBy ? { stoppedBy } : {}) });
        })
        .catch((error: unknown) =>
          lost(
            'worker-failed',
            `The Python worker failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
    });
  }
}
