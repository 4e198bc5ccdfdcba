/*
 * What the bench page offers the driver (bench/driver.ts), as `window.bench`. Every function returns
 * raw samples in milliseconds; the driver computes medians and percentiles in one place.
 */

export interface BootSample {
  /** From `createPythonRuntime` to the status `ready`, on the page. */
  ms: number;
  /** `bootInfo.ms`: measured in the worker, from the boot request to a usable interpreter. */
  workerMs: number;
  source: 'snapshot' | 'normal';
}

export interface PostsSample {
  ms: number;
  posts: number;
  /** Worker round trips the renderer made: one per post that has a macro, none from the memo. */
  renderManyCalls: number;
  macroCalls: number;
  /** Macro calls that ran in Python (the rest were repeats within a post, or came from the memo). */
  executed: number;
  /** The same posts again through the same renderer: everything comes from its memo. */
  memoPass: { ms: number; renderManyCalls: number };
}

export interface RecoverySample {
  /** From `stop()` to the end of the next trivial run. */
  ms: number;
  via: 'interrupt' | 'restart';
  /** How the worker that ran the trivial run booted (after a restart: the new one). */
  bootSource: 'snapshot' | 'normal';
}

export interface BenchApi {
  bootNormal(runs: number): Promise<BootSample[]>;
  /** Primes the snapshot store with one normal boot first, unless it holds a snapshot already. */
  bootSnapshot(runs: number): Promise<BootSample[]>;
  /** One `runtime.renderMany` of `items` youtube contexts, `repetitions` times. */
  renderBatch(items: number, repetitions: number): Promise<number[]>;
  /** The youtube macro in plain JavaScript over the same contexts, inside the sandboxed echo worker. */
  plainJsWorkerBatch(items: number, repetitions: number): Promise<number[]>;
  /** The same on the page's own thread: no hop, no structured clone. */
  plainJsBatch(items: number, repetitions: number): Promise<number[]>;
  render1000Posts(repetitions: number): Promise<PostsSample[]>;
  render1000PostsNoMacros(repetitions: number): Promise<PostsSample[]>;
  interruptRecovery(runs: number): Promise<RecoverySample[]>;
  /** A script that catches BaseException, so Stop ends in a worker restart (from the snapshot). */
  restartRecovery(runs: number): Promise<RecoverySample[]>;
}

declare global {
  interface Window {
    bench: BenchApi;
  }
}
