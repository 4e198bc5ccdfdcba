import type { PyodideAPI } from 'pyodide';
import { OutputBatcher } from './output-batcher';
import {
  type OutputBatchCallback,
  parseMessage,
  type WorkerRunResult,
  workerRunResultSchema,
} from './protocol';
import { isolatedCall } from './python-guard';
import { callForDict, pymarkPython } from './python-modules';
import { pythonSite } from './python-site';
import type { OutputStream } from './types';

/** Minimum time between two output deliveries. */
const batchIntervalMs = 30;
/** Output per run beyond this is dropped and counted. */
const maxOutputChars = 200_000;
/** Past the head, a flood's last characters are kept too: its final lines often say how it ended. */
const tailOutputChars = 50_000;

export interface ScriptRun {
  /** Shown in tracebacks, e.g. `hello.py`. */
  fileName: string;
  code: string;
  /** Called after the module ran, unless it has an `if __name__ == "__main__":` guard. */
  entrypoint: string;
  onOutput: OutputBatchCallback;
}

export interface PythonRunner {
  /**
   * Runs one script to completion. Python runs synchronously, so this blocks the calling thread;
   * Pyodide's interrupt buffer is the only way to stop it early (→ `interrupted`).
   */
  run(script: ScriptRun): WorkerRunResult;
}

/**
 * Prepares `pyodide` to run Pymark scripts: loads runner.py and routes stdout/stderr to the current
 * run. Free of worker and DOM APIs so it runs under Node with a real Pyodide in tests.
 */
export function createPythonRunner(pyodide: PyodideAPI): PythonRunner {
  const runScript = pymarkPython(pyodide)('_pymark_runner', 'run_script');
  const site = pythonSite(pyodide);
  let currentCapture: OutputCapture | undefined;
  const writerFor = (stream: OutputStream) => ({
    write(bytes: Uint8Array): number {
      currentCapture?.write(stream, bytes);
      return bytes.length;
    },
  });
  pyodide.setStdout(writerFor('stdout'));
  pyodide.setStderr(writerFor('stderr'));
  // No console to read from: stdin is at its end, so sys.stdin reads return '' at once.
  pyodide.setStdin({ stdin: () => null });

  return {
    run({ fileName, code, entrypoint, onOutput }) {
      const batcher = new OutputBatcher(onOutput, {
        intervalMs: batchIntervalMs,
        maxChars: maxOutputChars,
        tailChars: tailOutputChars,
        now: () => performance.now(),
      });
      const capture = new OutputCapture(batcher);
      currentCapture = capture;
      let pythonResult: unknown;
      try {
        // A utility's changes are shared with no later call: the interpreter is put back after it.
        pythonResult = isolatedCall(
          pyodide,
          undefined,
          () => {
            // Utilities see every post; the drafts leave with the rest of the call (python-site.ts).
            site.revealDrafts();
            return callForDict(runScript, code, fileName, entrypoint);
          },
          { kind: 'interrupted', traceback: 'KeyboardInterrupt\n', message: 'KeyboardInterrupt' },
        );
      } finally {
        // After isolatedCall's leave(): output of the asyncio work it ends still belongs to this run.
        currentCapture = undefined;
        capture.finish();
      }
      return parseMessage(
        workerRunResultSchema,
        Object.assign({}, pythonResult, { truncatedChars: batcher.truncatedChars }),
        'result from runner.py',
      );
    },
  };
}

/** Decodes one run's stdout/stderr bytes (a character may straddle two writes) into the batcher. */
class OutputCapture {
  readonly #batcher: OutputBatcher;
  readonly #decoders: Record<OutputStream, TextDecoder> = {
    stdout: new TextDecoder(),
    stderr: new TextDecoder(),
  };

  constructor(batcher: OutputBatcher) {
    this.#batcher = batcher;
  }

  write(stream: OutputStream, bytes: Uint8Array): void {
    this.#batcher.write(stream, this.#decoders[stream].decode(bytes, { stream: true }));
  }

  finish(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.#decoders[stream].decode();
      if (rest) this.#batcher.write(stream, rest);
    }
    this.#batcher.finish();
  }
}
