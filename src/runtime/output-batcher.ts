import type { OutputChunk, OutputStream } from './types';

export interface OutputBatcherOptions {
  /** Minimum time between two deliveries, so a print loop does not flood the main thread. */
  intervalMs: number;
  /** Output beyond this many characters per run is dropped and counted in `truncatedChars`. */
  maxChars: number;
  now: () => number;
}

/**
 * Collects a run's output and hands it to `deliver` in batches.
 *
 * Python runs synchronously in the worker, so no timer can fire during a run: the batcher decides
 * whether to deliver each time output is written. The first write after a quiet period is delivered
 * at once (a lone "Starting…" should not wait for the end of a long computation); later writes
 * within `intervalMs` wait for the next write or for `flush()`.
 */
export class OutputBatcher {
  #pending: OutputChunk[] = [];
  #lastDeliveryAt = Number.NEGATIVE_INFINITY;
  #keptChars = 0;
  #truncatedChars = 0;
  readonly #deliver: (chunks: OutputChunk[]) => void;
  readonly #options: OutputBatcherOptions;

  constructor(deliver: (chunks: OutputChunk[]) => void, options: OutputBatcherOptions) {
    this.#deliver = deliver;
    this.#options = options;
  }

  get truncatedChars(): number {
    return this.#truncatedChars;
  }

  write(stream: OutputStream, text: string): void {
    const room = Math.max(0, this.#options.maxChars - this.#keptChars);
    const kept = text.slice(0, room);
    this.#truncatedChars += text.length - kept.length;
    if (kept) {
      this.#keptChars += kept.length;
      const last = this.#pending.at(-1);
      if (last?.stream === stream) last.text += kept;
      else this.#pending.push({ stream, text: kept });
    }
    if (this.#options.now() - this.#lastDeliveryAt >= this.#options.intervalMs) this.flush();
  }

  /** Delivers whatever is pending; call it when the run ends. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const chunks = this.#pending;
    this.#pending = [];
    this.#lastDeliveryAt = this.#options.now();
    this.#deliver(chunks);
  }
}
