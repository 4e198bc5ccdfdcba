import { describe, expect, test } from 'vitest';
import type { RenderItem, RenderOutcome } from '../../src/runtime/types';
import { type FrameScheduler, ProgressStepper, progressSteps } from '../../src/site/app/build-progress';
import type { PageToWorker } from '../../src/site/app/build-protocol';
import { previewCopy } from '../../src/site/app/preview-cache';
import {
  type BuildWorkerEndpoint,
  SiteBuildClient,
  startedOnFirstMessage,
} from '../../src/site/app/site-build-client';

/** A stand-in for the site build worker: records what the page sends, and lets the test answer. */
class FakeBuildWorker implements BuildWorkerEndpoint {
  readonly sent: PageToWorker[] = [];
  readonly #listeners: { type: 'message' | 'error'; listener: (event: Event) => void }[] = [];

  postMessage(message: PageToWorker): void {
    this.sent.push(message);
  }

  addEventListener(type: 'message' | 'error', listener: (event: Event) => void): void {
    this.#listeners.push({ type, listener });
  }

  send(data: unknown): void {
    for (const { type, listener } of this.#listeners)
      if (type === 'message') listener(new MessageEvent('message', { data }));
  }

  /** As a worker whose module failed to load. */
  fail(): void {
    for (const { type, listener } of this.#listeners) if (type === 'error') listener(new Event('error'));
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

/** Frames that come when the test says: each `paint` runs the callbacks scheduled before it. */
function manualFrames(): { schedule: FrameScheduler; paint: () => void; pending: () => number } {
  let callbacks: (() => void)[] = [];
  return {
    schedule: (callback) => {
      callbacks.push(callback);
      return () => {
        callbacks = callbacks.filter((scheduled) => scheduled !== callback);
      };
    },
    paint: () => {
      const due = callbacks;
      callbacks = [];
      for (const callback of due) callback();
    },
    pending: () => callbacks.length,
  };
}

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
    const frames = manualFrames();
    const client = new SiteBuildClient(worker, runtime, () => afterBuild++, undefined, frames.schedule);
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
      value: [{ ok: true, html: '<b>x</b>', warnings: [] }],
    });
    worker.send({ type: 'progress', id, phase: 'render', done: 1, total: 1 });
    frames.paint();
    worker.send({ type: 'finished', id, report });
    await expect(answer).resolves.toEqual({ report });
    expect(progress).toEqual(['render 1']);
    expect(rendered).toHaveLength(1);
    expect(afterBuild).toBe(1);
    expect(client.building).toBe(false);
  });

  test('shows at most one progress a frame, the latest, and none after the build ended', async () => {
    const worker = new FakeBuildWorker();
    const frames = manualFrames();
    const client = new SiteBuildClient(
      worker,
      { renderMany: async () => [], setSiteData: () => {} },
      undefined,
      undefined,
      frames.schedule,
    );
    const shown: string[] = [];
    const answer = client.build({
      toFolder: true,
      zip: false,
      onProgress: (p) => shown.push(`${p.phase} ${p.done}/${p.total}`),
    });
    const id = (worker.sent[0] as { id: number }).id;
    for (let done = 1; done <= 1_000; done++)
      worker.send({ type: 'progress', id, phase: 'write', done, total: 1_000 });
    expect(shown).toEqual([]);
    frames.paint();
    expect(shown).toEqual(['write 1000/1000']);
    frames.paint();
    expect(shown).toHaveLength(1);
    worker.send({ type: 'progress', id, phase: 'preview', done: 0, total: 1_000 });
    worker.send({ type: 'finished', id, report });
    await answer;
    expect(frames.pending()).toBe(0);
    frames.paint();
    expect(shown).toEqual(['write 1000/1000']);
  });

  test('the worker sends a phase’s progress in a bounded number of steps, whatever its size', () => {
    const stepper = new ProgressStepper();
    const sent: string[] = [];
    const report = (phase: 'render' | 'write', done: number, total: number) => {
      if (stepper.shouldSend(phase, done, total)) sent.push(`${phase} ${done}`);
    };
    report('render', 0, 0);
    for (let done = 1; done <= 10_000; done++) report('render', done, 10_000);
    for (let done = 1; done <= 7; done++) report('write', done, 7);
    const renders = sent.filter((line) => line.startsWith('render'));
    // The phase's start, then each 20th of it, its end among them.
    expect(renders).toHaveLength(progressSteps + 1);
    expect(renders.at(-1)).toBe('render 10000');
    // A phase smaller than the steps is sent whole.
    expect(sent.filter((line) => line.startsWith('write'))).toEqual(
      Array.from({ length: 7 }, (_, index) => `write ${index + 1}`),
    );
  });

  test('site data the runtime refuses ends the build with the reason', async () => {
    const worker = new FakeBuildWorker();
    const client = new SiteBuildClient(worker, {
      renderMany: async () => [],
      setSiteData: () => {
        throw new Error('posts.0.title: expected string');
      },
    });
    const answer = client.build({ toFolder: false, zip: false });
    worker.send({ type: 'site-data', snapshot: { posts: [{ title: 3 }] } });
    await expect(answer).rejects.toThrow(/Unexpected site data from the site build worker: posts\.0\.title/);
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

  /** A client of a worker started by its first message; `started` lists each worker started. */
  function lazilyStarted() {
    const started: FakeBuildWorker[] = [];
    const worker = startedOnFirstMessage(() => {
      const fake = new FakeBuildWorker();
      started.push(fake);
      return fake;
    });
    const runtime = { renderMany: async () => [], setSiteData: () => {} };
    const client = new SiteBuildClient(worker, runtime, undefined, undefined, manualFrames().schedule);
    return { client, started };
  }

  test('a worker that fails fails its build, and the next build starts another', async () => {
    const { client, started } = lazilyStarted();
    const failed = client.build({ toFolder: false, zip: false });
    started[0]!.fail();
    await expect(failed).rejects.toThrow('The site build worker stopped: it failed to start');
    expect(client.building).toBe(false);

    const next = client.build({ toFolder: false, zip: false });
    expect(started).toHaveLength(2);
    started[1]!.send({ type: 'finished', id: (started[1]!.sent[0] as { id: number }).id, report });
    await expect(next).resolves.toEqual({ report });
  });

  test('starts the worker with the first build, not with the page, and hears it from then on', async () => {
    const { client, started } = lazilyStarted();
    expect(started).toHaveLength(0);
    const answer = client.build({ toFolder: false, zip: false });
    expect(started).toHaveLength(1);
    const id = (started[0]!.sent[0] as { id: number }).id;
    started[0]!.send({ type: 'finished', id, report });
    await expect(answer).resolves.toEqual({ report });
    const second = client.build({ toFolder: false, zip: false });
    expect(started).toHaveLength(1);
    started[0]!.send({ type: 'finished', id: (started[0]!.sent[1] as { id: number }).id, report });
    await expect(second).resolves.toEqual({ report });
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
