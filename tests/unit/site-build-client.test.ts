import { describe, expect, test } from 'vitest';
import type { RenderItem, RenderOutcome } from '../../src/runtime/types';
import type { PageToWorker } from '../../src/site/app/build-protocol';
import { previewCopy } from '../../src/site/app/preview-cache';
import { type BuildWorkerEndpoint, SiteBuildClient } from '../../src/site/app/site-build-client';

/** A stand-in for the site build worker: records what the page sends, and lets the test answer. */
class FakeBuildWorker implements BuildWorkerEndpoint {
  readonly sent: PageToWorker[] = [];
  #listener: ((event: MessageEvent<unknown>) => void) | undefined;

  postMessage(message: PageToWorker): void {
    this.sent.push(message);
  }

  addEventListener(_type: 'message', listener: (event: MessageEvent<unknown>) => void): void {
    this.#listener = listener;
  }

  send(data: unknown): void {
    this.#listener?.({ data } as MessageEvent<unknown>);
  }
}

const item: RenderItem = {
  script: {
    id: 'youtube',
    version: 1,
    slug: 'youtube',
    body: 'def render(c): return "x"',
    entrypoint: 'render',
  },
  context: {
    macro: 'youtube',
    params: { id: { type: 'str', value: 'abc' } },
    args: [],
    env: { preview: false, language: 'en', base_url: 'https://example.com/' },
    post: {
      id: '00000000-0000-4000-8000-000000000001',
      title: 'A',
      slug: 'a',
      status: 'published',
      tags: [],
      categories: [],
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
      published_at: '2026-01-01T00:00:00.000Z',
    },
  },
};

const report = {
  outcome: 'built',
  destination: 'folder',
  written: 3,
  unchanged: 1,
  removed: 0,
  posts: 1,
  drafts: 0,
  macroCalls: 1,
  macrosRun: 1,
  files: 4,
  milliseconds: 12,
  problems: [],
  warnings: [],
};

describe('SiteBuildClient', () => {
  test('relays the worker’s macro batches to the runtime and answers the build with its report', async () => {
    const worker = new FakeBuildWorker();
    const rendered: RenderItem[][] = [];
    const runtime = {
      renderMany: async (items: readonly RenderItem[]): Promise<RenderOutcome[]> => {
        rendered.push([...items]);
        return items.map(() => ({ ok: true, html: '<b>x</b>', warnings: [] }));
      },
      setSiteData: () => {},
    };
    let afterBuild = 0;
    const client = new SiteBuildClient(worker, runtime, () => afterBuild++);
    const progress: string[] = [];
    const answer = client.build({
      toFolder: true,
      zip: false,
      onProgress: (p) => progress.push(`${p.phase} ${p.done}`),
    });
    expect(worker.sent[0]).toMatchObject({ type: 'build', folder: 'handle', zip: false });
    const id = (worker.sent[0] as { id: number }).id;
    worker.send({ type: 'render', requestId: 7, items: [item] });
    await expect.poll(() => worker.sent.length).toBe(2);
    expect(worker.sent[1]).toEqual({
      type: 'rendered',
      requestId: 7,
      outcomes: [{ ok: true, html: '<b>x</b>', warnings: [] }],
    });
    worker.send({ type: 'progress', id, phase: 'render', done: 1, total: 1 });
    worker.send({ type: 'finished', id, report });
    await expect(answer).resolves.toEqual({ report });
    expect(progress).toEqual(['render 1']);
    expect(rendered).toHaveLength(1);
    expect(afterBuild).toBe(1);
    expect(client.building).toBe(false);
  });

  test('a failed render goes back to the worker as a failure, not silence', async () => {
    const worker = new FakeBuildWorker();
    const client = new SiteBuildClient(worker, {
      renderMany: async () => {
        throw new Error('Python failed to start');
      },
      setSiteData: () => {},
    });
    void client.build({ toFolder: false, zip: false });
    worker.send({ type: 'render', requestId: 1, items: [item] });
    await expect
      .poll(() => worker.sent.at(-1))
      .toEqual({
        type: 'render-failed',
        requestId: 1,
        message: 'Python failed to start',
      });
  });

  test('a message from the worker that does not fit ends the build with the field named', async () => {
    const worker = new FakeBuildWorker();
    const client = new SiteBuildClient(worker, { renderMany: async () => [], setSiteData: () => {} });
    const answer = client.build({ toFolder: false, zip: false });
    worker.send({ type: 'finished', id: 1, report: { ...report, written: 'three' } });
    await expect(answer).rejects.toThrow(/site build worker.*\n?.*written/s);
  });

  test('only one build at a time, and Cancel names the running one', async () => {
    const worker = new FakeBuildWorker();
    const client = new SiteBuildClient(worker, { renderMany: async () => [], setSiteData: () => {} });
    void client.build({ toFolder: false, zip: false });
    await expect(client.build({ toFolder: false, zip: false })).rejects.toThrow(/already running/);
    client.cancel();
    expect(worker.sent.at(-1)).toEqual({ type: 'cancel', id: 1 });
  });
});

describe('the preview’s copy of a page', () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

  test('moves links under base_url’s path to /site-preview/, and leaves other links alone', () => {
    const page = encode(
      '<a href="/blog/posts/x/">x</a> <link rel="stylesheet" href="/blog/theme/site.1.css"> ' +
        '<img src="//cdn.example/a.png"> <a href="https://example.com/blog/">abs</a> <a href="/elsewhere/">o</a>',
    );
    expect(decode(previewCopy('index.html', page, '/blog/'))).toBe(
      '<a href="/site-preview/posts/x/">x</a> <link rel="stylesheet" href="/site-preview/theme/site.1.css"> ' +
        '<img src="//cdn.example/a.png"> <a href="https://example.com/blog/">abs</a> <a href="/elsewhere/">o</a>',
    );
  });

  test('with base_url at the root, every root-relative link moves, protocol-relative ones stay', () => {
    const page = encode('<a href="/tag/a/">a</a> <script src="//x.example/s.js"></script>');
    expect(decode(previewCopy('tag/a/index.html', page, '/'))).toBe(
      '<a href="/site-preview/tag/a/">a</a> <script src="//x.example/s.js"></script>',
    );
  });

  test('files other than pages keep their bytes', () => {
    const feed = encode('<link href="/blog/"/>');
    expect(previewCopy('rss.xml', feed, '/blog/')).toBe(feed);
  });
});
