import type { OutputChunk, OutputStream } from './types';

interface OutputBatcherOptions {
  /** Minimum time between two deliveries, so a print loop does not flood the main thread. */
  intervalMs: number;
  /** The first this many characters of a run are delivered as they come. */
  maxChars: number;
  /**
   * Past `maxChars`, the last this many characters are kept and delivered when the run ends, so a
   * flood's final lines are seen; what falls between is counted in `truncatedChars`.
   */
  tailChars: number;
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
  #truncatedLines = 0;
  /** The newest output past the head, at most `tailChars` long. */
  #tail: OutputChunk[] = [];
  #tailLength = 0;
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
    if (kept.length < text.length) this.#keepTail(stream, text.slice(kept.length));
    if (kept) {
      this.#keptChars += kept.length;
      const last = this.#pending.at(-1);
      if (last?.stream === stream) last.text += kept;
      else this.#pending.push({ stream, text: kept });
    }
    if (this.#options.now() - this.#lastDeliveryAt >= this.#options.intervalMs) this.flush();
  }

  /** Delivers what is pending, then the kept tail after a note of what was left out; call it when the run ends. */
  finish(): void {
    this.flush();
    this.#trimTail();
    if (this.#tail.length === 0) return;
    const [first, ...rest] = this.#tail;
    this.#tail = [];
    this.#tailLength = 0;
    if (!first) return;
    const skipped = { chars: this.#truncatedChars, lines: this.#truncatedLines };
    this.#deliver([this.#truncatedChars > 0 ? { ...first, skipped } : first, ...rest]);
  }

  #keepTail(stream: OutputStream, text: string): void {
    const last = this.#tail.at(-1);
    if (last?.stream === stream) last.text += text;
    else this.#tail.push({ stream, text });
    this.#tailLength += text.length;
    // Trimmed only once it holds twice the limit: trimming at every print of a flood would copy the
    // whole tail each time.
    if (this.#tailLength > 2 * this.#options.tailChars) this.#trimTail();
  }

  #trimTail(): void {
    let excess = this.#tailLength - this.#options.tailChars;
    while (excess > 0) {
      const oldest = this.#tail[0];
      if (!oldest) break;
      const dropped = oldest.text.slice(0, excess);
      this.#truncatedChars += dropped.length;
      this.#truncatedLines += countLines(dropped);
      this.#tailLength -= dropped.length;
      excess -= dropped.length;
      if (dropped.length === oldest.text.length) this.#tail.shift();
      else oldest.text = oldest.text.slice(dropped.length);
    }
  }

  flush(): void {
    if (this.#pending.length === 0) return;
    const chunks = this.#pending;
    this.#pending = [];
    this.#lastDeliveryAt = this.#options.now();
    this.#deliver(chunks);
  }
}

function countLines(text: string): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}
