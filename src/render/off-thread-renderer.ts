import type { Post } from '../core/post';
import { defaultEmbeds } from '../core/site-settings';
import type { PythonRuntime } from '../runtime/types';
import { type CallableWorker, WorkerCalls } from '../runtime/worker-calls';
import type { RenderedPost, SiteContext } from './post-renderer';
import {
  type MacroBatchQuestion,
  type MacroBatchReply,
  macroBatchQuestionSchema,
  type RenderAnswer,
  type RenderRequest,
  renderAnswerSchema,
} from './render-protocol';
import type { EmbedAllowlist } from './sanitize-html';

/** The part of a `Worker` the renderer uses, so a test can stand in for it. */
export type RenderWorker = CallableWorker<RenderRequest | MacroBatchReply>;

/**
 * Renders posts with the one PostRenderer in a worker (render-worker.ts): the page's thread only
 * copies the post there and the HTML back, and hands the worker's macro batches to Python, so a post
 * of 100,000 macro calls (900 KB, 200,000 Markdown tokens) cannot freeze it (issue 14). The worker is
 * made on first use; if it fails, the waiting renders fail with the reason and the next render gets
 * a new worker (and an empty memo).
 */
export class OffThreadRenderer {
  readonly #calls: WorkerCalls<
    RenderRequest,
    RenderAnswer,
    MacroBatchQuestion,
    MacroBatchReply,
    AbortSignal | undefined
  >;

  constructor(
    createWorker: () => RenderWorker,
    python: Pick<PythonRuntime, 'renderMany'>,
    private readonly embeds: EmbedAllowlist = defaultEmbeds,
  ) {
    this.#calls = new WorkerCalls('post renderer', createWorker, renderAnswerSchema, {
      schema: macroBatchQuestionSchema,
      // The render's signal drops its batches still queued for Python, as in PostRenderer.
      answer: async ({ batch, items }, signal) => {
        try {
          return { batch, outcomes: await python.renderMany(items, signal, 'queued') };
        } catch (error) {
          return { batch, error: error instanceof Error ? error.message : String(error) };
        }
      },
    });
  }

  /** As `PostRenderer.renderPost`, in the worker. */
  async renderPost(post: Post, site: SiteContext, signal?: AbortSignal): Promise<RenderedPost> {
    const answer = await this.#calls.call({ embeds: [...this.embeds], post, site }, signal);
    if ('error' in answer) throw new Error(answer.error);
    return { ...answer.rendered, body: post.body };
  }
}
