import type { MacroContext, MacroOutput } from '../core/abi';
import type { Script } from '../core/script';
import type { TransformedPost } from '../core/transform-abi';
import type { WorkerPythonRuntime } from './client';
import type { CallReads, OutputChunk, WorkerRunResult } from './protocol';

/** What the main thread sees of the Python runtime; the UI renders it as the "Python status". */
export type RuntimeStatus =
  | { state: 'booting' }
  | { state: 'ready' }
  | { state: 'running'; scriptName: string }
  | { state: 'restarting'; reason: string }
  | { state: 'failed'; reason: string };

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
 * A macro or transform script as the runtime needs it (a stored `Script` fits): compiled once per
 * (`id`, `version`), again when either or the body changes. Errors and tracebacks name it `<slug>.py`.
 */
export type MacroScript = Pick<Script, 'id' | 'version' | 'slug' | 'body' | 'entrypoint'>;

export interface RenderItem {
  script: MacroScript;
  context: MacroContext;
}

/**
 * Why a call of a script gave no result: its own exception, a result outside its contract, bad input
 * (`Input`), the time limit, its caller's `AbortSignal` (e.g. a newer preview), or a broken worker.
 */
interface ScriptFailure<Input extends string> {
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

/**
 * What the UI drives: the public side of the client (client.ts), which documents each call. Fakes
 * in tests implement it too.
 */
export type PythonRuntime = Pick<WorkerPythonRuntime, keyof WorkerPythonRuntime>;
