/** What the main thread sees of the Python runtime; the UI renders it as the "Python status". */
export type RuntimeStatus =
  | { state: 'booting' }
  | { state: 'ready' }
  | { state: 'running'; scriptName: string }
  | { state: 'restarting'; reason: string }
  | { state: 'failed'; reason: string };

export type OutputStream = 'stdout' | 'stderr';

export interface OutputChunk {
  stream: OutputStream;
  text: string;
}

export interface RunRequest {
  /** Shown in tracebacks as the file name, e.g. `hello.py`. */
  fileName: string;
  code: string;
  /** Called with output as it arrives, in batches; the last call happens before `run` settles. */
  onOutput: (chunks: OutputChunk[]) => void;
  /** Interrupt the run after this long; the default comes from settings. */
  timeoutMs: number;
}

/** How a run ended. `line` is 1-based in the user's script. */
export type RunOutcome =
  | { kind: 'ok'; returnValue?: string; truncatedChars: number }
  | { kind: 'error'; traceback: string; message: string; line?: number; truncatedChars: number }
  | {
      kind: 'stopped';
      cause: 'stop' | 'timeout';
      /** `interrupt`: KeyboardInterrupt took effect and the warm runtime survived; `restart`: the worker was replaced. */
      via: 'interrupt' | 'restart';
      truncatedChars: number;
    };

/** How the current Python worker booted, for Diagnostics and the status tooltip. */
export interface BootInfo {
  /** `snapshot`: restored from the stored memory snapshot; `normal`: a full Pyodide boot. */
  source: 'snapshot' | 'normal';
  /** From the boot request to a usable interpreter, measured in the worker. */
  ms: number;
  /** Why a normal boot was needed: no stored snapshot, or why the stored one was refused. */
  fallbackReason?: string;
}

export interface PythonRuntime {
  readonly status: RuntimeStatus;
  /** Set once the current worker has booted; cleared while it restarts. */
  readonly bootInfo: BootInfo | undefined;
  subscribe(listener: (status: RuntimeStatus) => void): () => void;
  run(request: RunRequest): Promise<RunOutcome>;
  /** Stops the current run: interrupt first, worker restart if that does not take within the grace period. */
  stop(): void;
  dispose(): void;
}
