import { defaultEmbeds } from '../core/site-settings';
import type { BatchSanitizer } from './batch-sanitizer';
import type { EmbedAllowlist } from './sanitize-html';
import { type SanitizeRequest, sanitizeAnswerSchema } from './sanitizer-protocol';

/** The part of a `Worker` the sanitizer uses, so a test can stand in for it. */
export interface SanitizerWorker {
  postMessage(request: SanitizeRequest): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

interface Waiting {
  resolve(htmls: string[]): void;
  reject(error: Error): void;
}

/**
 * Sanitizes macro HTML in a worker (sanitizer-worker.ts): the page's thread only copies the text
 * there and back, so a post with megabytes of macro HTML cannot freeze it (issue 14). The worker is
 * made on first use; if it fails, the waiting batches fail with the reason and the next batch gets a
 * new worker.
 */
export class OffThreadSanitizer implements BatchSanitizer {
  #worker: SanitizerWorker | undefined;
  #nextId = 0;
  readonly #waiting = new Map<number, Waiting>();

  constructor(
    private readonly createWorker: () => SanitizerWorker,
    private readonly embeds: EmbedAllowlist = defaultEmbeds,
  ) {}

  sanitizeMany(htmls: readonly string[]): Promise<string[]> {
    if (htmls.length === 0) return Promise.resolve([]);
    const id = this.#nextId++;
    const worker = this.#started();
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ id, embeds: [...this.embeds], htmls: [...htmls] });
    });
  }

  #started(): SanitizerWorker {
    if (this.#worker) return this.#worker;
    const worker = this.createWorker();
    worker.addEventListener('message', (event) => {
      const answer = sanitizeAnswerSchema.safeParse(event.data);
      if (!answer.success) return;
      const waiting = this.#waiting.get(answer.data.id);
      this.#waiting.delete(answer.data.id);
      if ('error' in answer.data) waiting?.reject(new Error(answer.data.error));
      else waiting?.resolve(answer.data.htmls);
    });
    worker.addEventListener('error', (event) => {
      worker.terminate();
      this.#worker = undefined;
      const error = new Error(`the HTML sanitizer stopped: ${event.message || 'unknown error'}`);
      for (const waiting of this.#waiting.values()) waiting.reject(error);
      this.#waiting.clear();
    });
    this.#worker = worker;
    return worker;
  }
}
