import * as Comlink from 'comlink';
import { z } from 'zod';
import type { SiteSnapshot } from '../core/abi';
import { defaultEntrypoint } from '../core/script';
import { type TransformInput, transformInputSchema } from '../core/transform-abi';
import { type CallEnding, CallExecutor, type ExecutorOptions, type Scheduler } from './call-executor';
import {
  outputBatchSchema,
  type SiteUpdate,
  type WorkerRenderAnswer,
  type WorkerRunAnswer,
  workerCheckAnswerSchema,
  workerRenderAnswerSchema,
  workerRunAnswerSchema,
  workerTransformAnswerSchema,
} from './protocol';
import { completeRender, prepareRender, scriptFileName, workerScript } from './render-call';
import { callEnd, type ScriptCall, ScriptStatsBook } from './script-stats';
import { SiteSync } from './site-sync';
import type { SnapshotCache } from './snapshot';
import { transformOutcome } from './transform-call';
import type {
  AbortWhile,
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
} from './types';
import { type WorkerEndpoint, WorkerLifecycle, type WorkerSession } from './worker-lifecycle';

export type { Scheduler } from './call-executor';
export type { WorkerEndpoint } from './worker-lifecycle';

export interface PythonRuntimeOptions extends Partial<ExecutorOptions> {
  /** E.g. the sandboxed worker of sandbox-host.ts, or a Node worker thread (node/node-runtime.ts). */
  createWorker: () => WorkerEndpoint;
  /** Where the Python memory snapshot is kept for fast boots; without it every boot is a normal one. */
  snapshots?: SnapshotCache;
  /** Time limit of one render, transform or check call into the worker. Default 5 s. */
  renderTimeoutMs?: number;
}

/**
 * Starts a Python worker right away and returns the runtime the UI drives: the calls of
 * `PythonRuntime`, each made through the one executor (call-executor.ts) over the worker the
 * lifecycle keeps (worker-lifecycle.ts).
 *
 * One run at a time: `run()` while a run is active rejects. Calls wait while Python boots or
 * restarts, and reject when Python failed to start, with the reason.
 */
export function createPythonRuntime(options: PythonRuntimeOptions): PythonRuntime {
  return new WorkerPythonRuntime(options);
}

/** The bound past which a worker is replaced between calls, unless the options name another. */
export const defaultMaxHeapBytes = 512 * 2 ** 20;

const defaultSchedule: Scheduler = (ms, callback) => {
  const handle = setTimeout(callback, ms);
  return () => clearTimeout(handle);
};

interface ActiveRun {
  stop: AbortController;
  /** Set once `run` settled: output still in flight from a replaced worker is dropped. */
  settled: boolean;
  reject(error: Error): void;
}

export class WorkerPythonRuntime {
  readonly #main: CallExecutor;
  /**
   * Transforms (whose results are saved) and syntax checks (which see unsaved text) run in a worker
   * of their own, never in the one that runs macros and utilities (docs/security.md). Started on
   * the first such call, but not before the first worker has booted: opening the app asks for a
   * syntax check at once, and two boots side by side would delay the one the page waits for.
   */
  #trusted: CallExecutor | undefined;
  readonly #startExecutor: (startAfter?: Promise<unknown>) => CallExecutor;
  readonly #renderTimeoutMs: number;
  readonly #stats = new ScriptStatsBook();
  readonly #statsListeners = new Set<() => void>();
  readonly #site = new SiteSync<WorkerSession>();
  #activeRun: ActiveRun | undefined;

  constructor(options: PythonRuntimeOptions) {
    const executorOptions: ExecutorOptions = {
      graceMs: options.graceMs ?? 500,
      schedule: options.schedule ?? defaultSchedule,
      maxHeapBytes: options.maxHeapBytes ?? defaultMaxHeapBytes,
      now: options.now ?? (() => performance.now()),
    };
    this.#startExecutor = (startAfter) =>
      new CallExecutor(
        new WorkerLifecycle(options.createWorker, options.snapshots, startAfter),
        executorOptions,
      );
    this.#main = this.#startExecutor();
    this.#renderTimeoutMs = options.renderTimeoutMs ?? 5_000;
  }

  get status(): RuntimeStatus {
    return this.#main.workers.status;
  }

  /** Set once the current worker has booted; cleared while it restarts. */
  get bootInfo(): BootInfo | undefined {
    return this.#main.workers.bootInfo;
  }

  subscribe(listener: (status: RuntimeStatus) => void): () => void {
    return this.#main.workers.subscribe(listener);
  }

  /** Runs a utility. One at a time: rejects while another run is active. Waits for renders and checks ahead of it. */
  async run(request: RunRequest): Promise<RunOutcome> {
    if (this.#activeRun) throw new Error('A script is already running; stop it first.');
    const { fileName, code, entrypoint = defaultEntrypoint.utility, scriptId = fileName } = request;
    let rejectRun: (error: Error) => void = () => {};
    const disposed = new Promise<never>((_, reject) => {
      rejectRun = reject;
    });
    const run: ActiveRun = { stop: new AbortController(), settled: false, reject: rejectRun };
    this.#activeRun = run;
    const { workers } = this.#main;
    const ending = this.#main.execute({
      what: fileName,
      timeLimitMs: request.timeoutMs,
      signal: request.signal ? AbortSignal.any([run.stop.signal, request.signal]) : run.stop.signal,
      answer: workerRunAnswerSchema,
      send: (session, fail) => {
        workers.setStatus({ state: 'running', scriptName: fileName });
        const onOutput = Comlink.proxy((chunks: unknown) => {
          if (run.settled) return;
          const batch = outputBatchSchema.safeParse(chunks);
          if (batch.success) request.onOutput(batch.data);
          // The worker speaks another protocol version; its state cannot be trusted.
          else
            fail(`The Python worker sent malformed output (${batch.error.issues[0]?.message ?? 'invalid'})`);
        });
        return session.api.run({ fileName, code, entrypoint, ...this.#siteFor(session) }, onOutput);
      },
    });
    try {
      const settled = await Promise.race([ending, disposed]);
      const outcome = runOutcome(settled);
      this.#count(settled, [
        { scriptId, name: fileName, end: callEnd(outcome), pythonMs: pythonMsOf(settled) },
      ]);
      return outcome;
    } finally {
      run.settled = true;
      if (this.#activeRun === run) this.#activeRun = undefined;
      // `restarting` stays until the new worker is up; otherwise the runtime is free again.
      if (workers.status.state === 'running') workers.setStatus({ state: 'ready' });
    }
  }

  /** Stops the current run: interrupt first, worker restart if that does not take within the grace period. */
  stop(): void {
    this.#activeRun?.stop.abort();
  }

  /** Renders one macro call; `renderMany` with one item. */
  renderMacro(script: MacroScript, context: RenderItem['context']): Promise<RenderOutcome> {
    return this.renderMany([{ script, context }]).then(([outcome]) => outcome!);
  }

  /**
   * Renders all items in one worker call; each succeeds or fails on its own, outcomes in item order.
   * Queued behind a run in progress (never rejected because of it). `signal` takes the call out of
   * the queue or, unless `abortWhile` is `queued`, stops it in flight (SIGINT, then a restart): its
   * items then fail as `cancelled`. Rejects only if Python cannot start.
   *
   * Items the call did not reach are sent again: after a macro ran past the time limit (it fails as
   * `timeout`, named), the ones behind it in one more call; after a worker that ignored the
   * interrupt, each on its own, so that the one that looped is found and the others still render;
   * after a crash, each script's calls on their own, so that only the crashing script's fail.
   */
  async renderMany(
    items: readonly RenderItem[],
    signal?: AbortSignal,
    abortWhile?: AbortWhile,
  ): Promise<RenderOutcome[]> {
    const { outcomes, unreached, lost } = await this.#renderOnce(items, signal, abortWhile);
    if (unreached.length === 0 || signal?.aborted) return outcomes;
    const sentAgain = new Map<unknown, number[]>();
    for (const index of unreached) {
      const together = lost === 'worker-failed' ? items[index]!.script.id : lost ? index : 'rest';
      const group = sentAgain.get(together);
      if (group) group.push(index);
      else sentAgain.set(together, [index]);
    }
    await Promise.all(
      [...sentAgain.values()].map(async (indexes) => {
        const again = await this.renderMany(
          indexes.map((index) => items[index]!),
          signal,
          abortWhile,
        );
        indexes.forEach((index, position) => {
          outcomes[index] = again[position]!;
        });
      }),
    );
    return outcomes;
  }

  async #renderOnce(items: readonly RenderItem[], signal?: AbortSignal, abortWhile?: AbortWhile) {
    const prepared = prepareRender(items);
    const ending: CallEnding<WorkerRenderAnswer> =
      prepared.sent.length === 0
        ? { kind: 'answered', answer: { results: [], heapBytes: 0 } }
        : await this.#main.execute({
            what: 'A macro',
            timeLimitMs: this.#renderTimeoutMs,
            signal,
            abortWhile,
            answer: workerRenderAnswerSchema,
            send: (session) => session.api.render({ ...prepared.request, ...this.#siteFor(session) }),
          });
    const { outcomes, counted, unreached } = completeRender(items, prepared, ending);
    this.#count(ending, counted);
    return { outcomes, unreached, lost: ending.kind === 'lost' ? ending.why : undefined };
  }

  /**
   * Calls a transform on the draft made from an incoming post, under the render time limit; `signal`
   * stops it early (SIGINT, then a restart), e.g. when the user picked another. Never rejects for
   * the script's sake: an exception, a result outside the contract, a timeout or a stop is an
   * outcome. Rejects only if Python cannot start.
   */
  async transformPost(
    script: MacroScript,
    post: TransformInput,
    signal?: AbortSignal,
  ): Promise<TransformOutcome> {
    const name = scriptFileName(script.slug);
    const input = transformInputSchema.safeParse(post);
    if (!input.success) {
      const message = `${name} was not called: the post to transform is invalid: ${z.prettifyError(input.error)}`;
      return { ok: false, kind: 'invalid-input', script: name, message };
    }
    const ending = await this.#trustedExecutor().execute({
      what: 'A transform',
      timeLimitMs: this.#renderTimeoutMs,
      signal,
      answer: workerTransformAnswerSchema,
      // A transform may read `from pymark import site` as a macro does.
      send: (session) =>
        session.api.transform({ script: workerScript(script), post: input.data, ...this.#siteFor(session) }),
    });
    const outcome = transformOutcome(name, input.data, ending, this.#renderTimeoutMs);
    this.#count(ending, [{ scriptId: script.id, name, end: callEnd(outcome), pythonMs: pythonMsOf(ending) }]);
    return outcome;
  }

  /**
   * Compiles `code` without running it: syntax errors and warnings, and the top-level functions.
   * Rejects if it could not be checked: it ran past the time limit, `signal` stopped it, the worker failed.
   */
  async checkScript(code: string, fileName: string, signal?: AbortSignal): Promise<ScriptCheck> {
    const ending = await this.#trustedExecutor().execute({
      what: 'The syntax check',
      timeLimitMs: this.#renderTimeoutMs,
      signal,
      answer: workerCheckAnswerSchema,
      send: (session) => session.api.check({ code, fileName }),
    });
    if (ending.kind === 'answered' && !ending.stoppedBy) return ending.answer.check;
    const why =
      ending.kind === 'lost'
        ? ending.message
        : ending.kind === 'answered' && ending.stoppedBy === 'timeout'
          ? 'it ran past the time limit'
          : 'it was stopped';
    throw new Error(`${fileName} could not be checked: ${why}`);
  }

  #trustedExecutor(): CallExecutor {
    this.#trusted ??= this.#startExecutor(this.#main.workers.whenReady());
    return this.#trusted;
  }

  /**
   * The data behind `from pymark import site`; sent to the worker before the next render (what
   * changed, once it has had it), and again after a restart. Throws when it is outside ABI v1. A post
   * given frozen whole is taken not to change: giving the same object again is not checked again.
   */
  setSiteData(snapshot: SiteSnapshot): void {
    this.#site.set(snapshot);
  }

  /** The site data, or what changed in it, for a call to `session` when that worker lacks it. */
  #siteFor(session: WorkerSession): { site?: SiteUpdate } {
    const site = this.#site.updateFor(session);
    return site ? { site } : {};
  }

  /** Counts the script calls of one worker call in Diagnostics, unless it never reached a worker. */
  #count(ending: CallEnding<unknown>, calls: readonly ScriptCall[]): void {
    if (ending.kind !== 'not-sent') this.#stats.record(calls, ending.roundTripMs);
    this.#statsChanged();
  }

  stats(): ScriptStats[] {
    return this.#stats.stats();
  }

  resetStats(): void {
    this.#stats.reset();
    this.#statsChanged();
  }

  /** Called after the counters changed (once per worker call); read them with `stats()`. */
  subscribeStats(listener: () => void): () => void {
    this.#statsListeners.add(listener);
    return () => this.#statsListeners.delete(listener);
  }

  dispose(): void {
    const reason = 'The Python runtime was disposed';
    this.#activeRun?.reject(new Error(reason));
    this.#main.workers.dispose(reason);
    this.#trusted?.workers.dispose(reason);
    this.#statsListeners.clear();
  }

  #statsChanged(): void {
    for (const listener of this.#statsListeners) listener();
  }
}

function pythonMsOf(ending: CallEnding<{ pythonMs: number }>): number | undefined {
  return ending.kind === 'answered' ? ending.answer.pythonMs : undefined;
}

function runOutcome(ending: CallEnding<WorkerRunAnswer>): RunOutcome {
  switch (ending.kind) {
    case 'not-sent':
      return { kind: 'stopped', cause: 'stop', via: 'interrupt', truncatedChars: 0 };
    case 'lost':
      if (ending.why === 'worker-failed')
        return { kind: 'error', traceback: ending.message, message: ending.message, truncatedChars: 0 };
      // Output of a replaced worker is lost, including its count of dropped characters.
      return { kind: 'stopped', cause: ending.why, via: 'restart', truncatedChars: 0 };
    case 'answered': {
      const { result } = ending.answer;
      if (result.kind !== 'interrupted') return result;
      const cause = ending.stoppedBy;
      if (cause) return { kind: 'stopped', cause, via: 'interrupt', truncatedChars: result.truncatedChars };
      // Nobody asked: the script raised KeyboardInterrupt itself, which is an ordinary uncaught exception.
      return { ...result, kind: 'error' };
    }
  }
}
