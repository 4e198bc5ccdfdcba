import { describe, expect, test } from 'vitest';
import type { Post } from '../../src/core/post';
import { OffThreadRenderer, type RenderWorker } from '../../src/render/off-thread-renderer';
import type { SiteContext } from '../../src/render/post-renderer';
import type { MacroBatchReply, RenderRequest } from '../../src/render/render-protocol';
import type { AbortWhile, RenderItem, RenderOutcome } from '../../src/runtime/types';

const post = { id: 'p', body: 'Hi [[box]]' } as Post;
const env = { preview: true, language: 'en', base_url: '/' };
const site: SiteContext = { scripts: [], env, dataVersion: 'v1' };
const item: RenderItem = {
  script: { id: 's', version: 1, slug: 'box', body: 'def render(context): ...', entrypoint: 'render' },
  context: { macro: 'box', params: {}, args: [], env, post: { id: 'p' } } as never,
};

/**
 * A worker that, as render-worker.ts does, asks the page for one macro batch (`question`, made from
 * the request) and answers with what came back: the outcomes' HTML as the post's, or the error.
 */
class StandInWorker implements RenderWorker {
  readonly replies: MacroBatchReply[] = [];
  readonly #listeners: Record<string, ((event: never) => void)[]> = { message: [], error: [] };
  #request: RenderRequest | undefined;
  constructor(private readonly question: (request: RenderRequest) => unknown) {}
  addEventListener(type: 'message' | 'error', listener: (event: never) => void): void {
    this.#listeners[type]!.push(listener);
  }
  postMessage(message: RenderRequest | MacroBatchReply): void {
    if ('post' in message) {
      this.#request = message;
      setTimeout(() => this.#send(this.question(message)));
      return;
    }
    this.replies.push(message);
    const id = this.#request!.id;
    const answer =
      'error' in message
        ? { id, error: message.error }
        : {
            id,
            rendered: {
              html: message.outcomes.map((outcome) => (outcome.ok ? outcome.html : '')).join(''),
              warnings: [],
              css: [],
              macroCount: 1,
              executed: 1,
            },
          };
    setTimeout(() => this.#send(answer));
  }
  #send(data: unknown): void {
    for (const listener of this.#listeners.message!) listener({ data } as never);
  }
  terminate(): void {}
}

const askingForBox = (request: RenderRequest) => ({
  id: request.id,
  question: 'macros',
  batch: 7,
  items: [item],
});

describe('rendering posts off the page thread', () => {
  test("hands the worker's macro batch to Python with the render's signal, and answers with the post", async () => {
    const asked: { items: readonly RenderItem[]; signal?: AbortSignal; abortWhile?: AbortWhile }[] = [];
    const python = {
      renderMany: async (items: readonly RenderItem[], signal?: AbortSignal, abortWhile?: AbortWhile) => {
        asked.push({ items, signal, abortWhile });
        return items.map((): RenderOutcome => ({ ok: true, html: '<b>box</b>', warnings: [] }));
      },
    };
    const worker = new StandInWorker(askingForBox);
    const renderer = new OffThreadRenderer(() => worker, python);
    const signal = new AbortController().signal;
    const rendered = await renderer.renderPost(post, site, signal);
    expect(rendered.html).toBe('<b>box</b>');
    // The page has the body; the worker does not copy it back.
    expect(rendered.body).toBe(post.body);
    expect(asked).toEqual([{ items: [item], signal, abortWhile: 'queued' }]);
    expect(worker.replies).toEqual([
      { batch: 7, outcomes: [{ ok: true, html: '<b>box</b>', warnings: [] }] },
    ]);
  });

  test('why Python could not run a batch goes back to the worker, and the render fails with it', async () => {
    const python = {
      renderMany: () => Promise.reject(new Error('Python could not start: no network')),
    };
    const renderer = new OffThreadRenderer(() => new StandInWorker(askingForBox), python);
    await expect(renderer.renderPost(post, site)).rejects.toThrow('Python could not start: no network');
  });

  test('a question that is not a macro batch fails its render, saying so, instead of leaving it waiting', async () => {
    const python = { renderMany: () => Promise.reject(new Error('not asked')) };
    const worker = new StandInWorker((request) => ({
      id: request.id,
      question: 'macros',
      batch: 7,
      items: 'box',
    }));
    const renderer = new OffThreadRenderer(() => worker, python);
    await expect(renderer.renderPost(post, site)).rejects.toThrow('the post renderer sent an invalid answer');
  });
});
