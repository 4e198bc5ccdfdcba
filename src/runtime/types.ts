import type { MacroContext, MacroOutput, SiteSnapshot } from '../core/abi';
import type { Script } from '../core/script';
import type { TransformedPost, TransformInput } from '../core/transform-abi';

/** What the main thread sees of the Python runtime; the UI renders it as the "Python status". */
export type RuntimeStatus =
  | { state: 'booting' }
  | { state: 'ready' }
  | { state: 'running'; scriptName: string }
  | { state: 'restarting'; reason: string }
  | { state: 'failed'; reason: string };

import type { BootInfo, CallReads, OutputChunk, ScriptCheck, WorkerRunResult } from './protocol';

// Held once, as the schemas that check them where they cross from the worker (protocol.ts).
export type {
  BootInfo,
  CallReads,
  OutputChunk,
  OutputStream,
  ScriptCheck,
  ScriptDiagnostic,
} from './protocol';

export interface RunRequest {
  /** Shown in tracebacks as the file name, e.g. `hello.py`. */
  fileName: string;
  code: string;
  /**
   * Called after the script's top-level code ran, if it defines it; default `main`. Not called when
   * the script has an `if __name__ == "__main__":` guard: it calls its entrypoint itself.
   */
  entrypoint?: string;
  /** Keys the script's counters (`PythonRuntime.stats`); default `fileName`. */
  scriptId?: string;
  /** Called with output as it arrives, in batches; the last call happens before `run` settles. */
  onOutput: (chunks: OutputChunk[]) => void;
  /** Interrupt the run after this long; the default comes from settings. */
  timeoutMs: number;
  /** Stops the run as `stop()` does: SIGINT, then a worker restart if that does not take. */
  signal?: AbortSignal;
}

/** How a run ended: as Python reported it (`line` is 1-based in the user's script), or stopped. */
export type RunOutcome =
  | Exclude<WorkerRunResult, { kind: 'interrupted' }>
  | {
      kind: 'stopped';
      cause: 'stop' | 'timeout';
      /** `interrupt`: KeyboardInterrupt took effect and the warm runtime survived; `restart`: the worker was replaced. */
      via: 'interrupt' | 'restart';
      truncatedChars: number;
    };

/**
 * A macro script as the runtime needs it (a stored `Script` fits): compiled once per (`id`,
 * `version`), again when either or the body changes. Errors and tracebacks name it `<slug>.py`.
 */
export type MacroScript = Pick<Script, 'id' | 'version' | 'slug' | 'body' | 'entrypoint'>;

/** A transform, as the runtime needs it: the same fields as a macro. */
export type TransformScript = MacroScript;

export interface RenderItem {
  script: MacroScript;
  context: MacroContext;
}

/**
 * Why a call of a script gave no result: its own exception, a result outside its contract, bad input
 * (`Input`), the time limit, its caller's `AbortSignal` (e.g. a newer preview), or a broken worker.
 */
export interface ScriptFailure<Input extends string> {
  ok: false;
  kind: 'exception' | 'invalid-result' | Input | 'timeout' | 'cancelled' | 'worker-failed';
  /** The script's file name, e.g. `youtube.py`. */
  script: string;
  message: string;
  /** 1-based, in the script's file. */
  line?: number;
  traceback?: string;
}

export type RenderFailure = ScriptFailure<'invalid-context'>;

/**
 * What a render came to; `printed` is what the macro printed (stdout and stderr), for its author;
 * `reads` what it read, when it ran to an end (not after a timeout), so its result can be reused
 * while that stays the same.
 */
export type RenderOutcome = (({ ok: true } & MacroOutput) | RenderFailure) & {
  printed?: string;
  reads?: CallReads;
};

/** What a transform came to; `printed` is what it printed (stdout and stderr), for its author. */
export type TransformOutcome = ({ ok: true; post: TransformedPost } | ScriptFailure<'invalid-input'>) & {
  printed?: string;
};

/** Recent durations in milliseconds: p50 and p95 of the latest calls, max of all since the last reset. */
export interface DurationSummary {
  p50: number;
  p95: number;
  max: number;
}

/** What one script's calls (macro renders and utility runs) have done since the last reset. */
export interface ScriptStats {
  scriptId: string;
  /** The file name it was last called by. */
  name: string;
  calls: number;
  errors: number;
  timeouts: number;
  /** Runs ended by Stop. */
  interrupts: number;
  /** Time inside Python, per call; undefined until a call reported it. */
  pythonMs?: DurationSummary;
  /** From the main thread's request to its answer, per worker call (a batch counts once for each of its scripts). */
  roundTripMs?: DurationSummary;
}

/**
 * When an `AbortSignal` ends a call: `always`, also once the worker has it (SIGINT, then a restart);
 * `queued`, only while it waits its turn, so a call already sent runs to its end. A newer preview
 * makes an older one moot this way: a render in flight is cheaper to finish (its results are
 * memoized) than to stop, and under load a stop's grace period ran out and restarted the worker.
 */
export type AbortWhile = 'queued' | 'always';

export interface PythonRuntime {
  readonly status: RuntimeStatus;
  /** Set once the current worker has booted; cleared while it restarts. */
  readonly bootInfo: BootInfo | undefined;
  subscribe(listener: (status: RuntimeStatus) => void): () => void;
  /** Runs a utility. One at a time: rejects while another run is active. Waits for renders and checks ahead of it. */
  run(request: RunRequest): Promise<RunOutcome>;
  /** Stops the current run: interrupt first, worker restart if that does not take within the grace period. */
  stop(): void;
  /** Renders one macro call; `renderMany` with one item. */
  renderMacro(script: MacroScript, context: MacroContext): Promise<RenderOutcome>;
  /**
   * Renders all items in one worker call; each succeeds or fails on its own, outcomes in item order.
   * A macro that runs past the time limit fails as `timeout`, named, and the items behind it are
   * sent again. Queued behind a run in progress (never rejected because of it). `signal` takes the
   * call out of the queue or, unless `abortWhile` is `queued`, stops it in flight (SIGINT, then a
   * restart): its items then fail as `cancelled`. Rejects only if Python cannot start.
   */
  renderMany(
    items: readonly RenderItem[],
    signal?: AbortSignal,
    abortWhile?: AbortWhile,
  ): Promise<RenderOutcome[]>;
  /**
   * Calls a transform on the draft made from an incoming post, under the render time limit; `signal`
   * stops it early (SIGINT, then a restart), e.g. when the user picked another. Never rejects for
   * the script's sake: an exception, a result outside the contract, a timeout or a stop is an
   * outcome. Rejects only if Python cannot start.
   */
  transformPost(
    script: TransformScript,
    post: TransformInput,
    signal?: AbortSignal,
  ): Promise<TransformOutcome>;
  /**
   * Compiles `code` without running it: syntax errors and warnings, and the top-level functions.
   * Rejects if it could not be checked: it ran past the time limit, `signal` stopped it, the worker failed.
   */
  checkScript(code: string, fileName: string, signal?: AbortSignal): Promise<ScriptCheck>;
  /** The data behind `from pymark import site`; sent to the worker before the next render, and again after a restart. */
  setSiteData(snapshot: SiteSnapshot): void;
  stats(): ScriptStats[];
  resetStats(): void;
  /** Called after the counters changed (once per worker call); read them with `stats()`. */
  subscribeStats(listener: () => void): () => void;
  dispose(): void;
}
