/// <reference lib="webworker" />
// First: before any schema is made (see zod-jitless.ts).
import '../core/zod-jitless';
import type { RenderOutcome } from '../runtime/types';
import { type MacroBatchRunner, PostRenderer } from './post-renderer';
import {
  type MacroBatchQuestion,
  macroBatchReplySchema,
  type RenderAnswer,
  renderRequestSchema,
} from './render-protocol';
import { createHtmlSanitizer } from './sanitize-html';

/*
 * Renders the preview's posts for the page (off-thread-renderer.ts) with the one PostRenderer: the
 * Markdown parse, finding and locating the macro calls, sanitizing their HTML and putting the page
 * together all run here, so a post of 100,000 calls never holds up the page's thread (issue 14).
 * Python lives on the page's side (its sandbox frame), so each macro batch is asked of the page.
 */

/** The render each signal belongs to: PostRenderer hands a render's signal to each of its batches. */
const renderOf = new WeakMap<AbortSignal, number>();
let nextBatch = 0;
const waitingBatches = new Map<number, (outcomes: RenderOutcome[] | Error) => void>();

const relay: MacroBatchRunner = {
  renderMany(items, signal) {
    const id = signal === undefined ? undefined : renderOf.get(signal);
    if (id === undefined) return Promise.reject(new Error('a macro batch outside any render'));
    const batch = nextBatch++;
    const question: MacroBatchQuestion = {
      id,
      question: 'macros',
      batch,
      // What the runtime needs of each script; the rest of the stored script stays here.
      items: items.map(({ script: { id, version, slug, body, entrypoint }, context }) => ({
        script: { id, version, slug, body, entrypoint },
        context,
      })),
    };
    return new Promise((resolve, reject) => {
      waitingBatches.set(batch, (outcomes) =>
        outcomes instanceof Error ? reject(outcomes) : resolve(outcomes),
      );
      postMessage(question);
    });
  },
};

/** One renderer, and so one memo, per allowlist of embeds. */
const renderers = new Map<string, PostRenderer>();

function rendererFor(embeds: readonly string[]): PostRenderer {
  const key = JSON.stringify(embeds);
  let renderer = renderers.get(key);
  if (renderer === undefined) {
    renderer = new PostRenderer(relay, createHtmlSanitizer(embeds));
    renderers.set(key, renderer);
  }
  return renderer;
}

async function render(data: unknown): Promise<void> {
  const request = renderRequestSchema.safeParse(data);
  if (!request.success) return;
  const { id, embeds, post, site } = request.data;
  // Never aborted here: the page holds the render's own signal and drops its queued batches.
  const signal = new AbortController().signal;
  renderOf.set(signal, id);
  let answer: RenderAnswer;
  try {
    const { body: _, ...rendered } = await rendererFor(embeds).renderPost(post, site, signal);
    answer = { id, rendered };
  } catch (error) {
    // Said as the renderer said it: e.g. why Python could not start, which the preview shows.
    answer = { id, error: error instanceof Error ? error.message : String(error) };
  }
  postMessage(answer);
}

addEventListener('message', (event: MessageEvent<unknown>) => {
  const reply = macroBatchReplySchema.safeParse(event.data);
  if (!reply.success) {
    void render(event.data);
    return;
  }
  const settle = waitingBatches.get(reply.data.batch);
  waitingBatches.delete(reply.data.batch);
  settle?.('error' in reply.data ? new Error(reply.data.error) : reply.data.outcomes);
});
