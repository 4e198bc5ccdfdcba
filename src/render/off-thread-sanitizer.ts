import { defaultEmbeds } from '../core/site-settings';
import { type CallableWorker, WorkerCalls } from '../runtime/worker-calls';
import type { BatchSanitizer } from './batch-sanitizer';
import type { EmbedAllowlist } from './sanitize-html';
import { type SanitizeAnswer, type SanitizeRequest, sanitizeAnswerSchema } from './sanitizer-protocol';

/** The part of a `Worker` the sanitizer uses, so a test can stand in for it. */
export type SanitizerWorker = CallableWorker<SanitizeRequest>;

/**
 * Sanitizes macro HTML in a worker (sanitizer-worker.ts): the page's thread only copies the text
 * there and back, so a post with megabytes of macro HTML cannot freeze it (issue 14). The worker is
 * made on first use; if it fails, the waiting batches fail with the reason and the next batch gets a
 * new worker.
 */
export class OffThreadSanitizer implements BatchSanitizer {
  readonly #calls: WorkerCalls<SanitizeRequest, SanitizeAnswer>;

  constructor(
    createWorker: () => SanitizerWorker,
    private readonly embeds: EmbedAllowlist = defaultEmbeds,
  ) {
    this.#calls = new WorkerCalls('HTML sanitizer', createWorker, sanitizeAnswerSchema);
  }

  async sanitizeMany(htmls: readonly string[]): Promise<string[]> {
    if (htmls.length === 0) return [];
    const answer = await this.#calls.call({ embeds: [...this.embeds], htmls: [...htmls] });
    if ('error' in answer) throw new Error(answer.error);
    return answer.htmls;
  }
}
