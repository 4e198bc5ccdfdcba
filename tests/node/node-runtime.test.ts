import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeRuntime, type NodeRuntime } from '../../src/runtime/node/node-runtime.ts';
import type { MacroScript, RenderItem } from '../../src/runtime/types.ts';
import { context, post, typed } from './macro-harness.ts';
import { sharedSnapshots } from './python-snapshot.ts';
import { buildNodeBundles } from './site-harness.ts';

/*
 * The Node runtime with real Pyodide in real worker threads, from the worker bundle that
 * `npm run build:node` makes (built once per run, see site-harness.ts).
 */

let python: NodeRuntime;

beforeAll(async () => {
  const bundles = await buildNodeBundles();
  python = createNodeRuntime({
    workers: 2,
    itemsPerCall: 3,
    // The product's limit, not a tighter one: the looping macro's test needs a clock, but the calls
    // beside it must never reach it, and under a loaded machine a 1 s limit stopped them too.
    timeLimitMs: 5_000,
    workerUrl: pathToFileURL(join(bundles, 'python-worker.mjs')),
    snapshots: sharedSnapshots,
  });
  await python.ready();
}, 120_000);

afterAll(() => {
  python?.dispose();
});

const youtube: MacroScript = {
  id: 'youtube',
  version: 1,
  slug: 'youtube',
  body: readFileSync(new URL('../../defaults/youtube.py', import.meta.url), 'utf8'),
  entrypoint: 'render',
};

const looping: MacroScript = {
  id: 'looping',
  version: 1,
  slug: 'looping',
  body: 'def render(context):\n    while True:\n        pass\n',
  entrypoint: 'render',
};

const youtubeCall = (id: string): RenderItem => ({
  script: youtube,
  context: context('youtube', { id: typed(id) }),
});

describe('Node runtime (worker_threads, real Pyodide)', () => {
  it('renders the bundled youtube macro across its workers, outcomes in item order', async () => {
    const ids = Array.from({ length: 10 }, (_, index) => `video${String(index).padStart(6, '0')}`);
    const outcomes = await python.renderMany(ids.map(youtubeCall));
    expect(outcomes).toHaveLength(ids.length);
    outcomes.forEach((outcome, index) => {
      expect(outcome).toMatchObject({ ok: true });
      if (outcome.ok) expect(outcome.html).toContain(`youtube.com/embed/${ids[index]}`);
    });
  });

  it('reads the site data it was given', async () => {
    python.setSiteData({ posts: [post('published', ['python']), post('published', ['python', 'web'])] });
    const counting: MacroScript = {
      id: 'counting',
      version: 1,
      slug: 'counting',
      body: 'from pymark import site\n\ndef render(context):\n    return str(site.tag_counts()["python"])\n',
      entrypoint: 'render',
    };
    const [outcome] = await python.renderMany([{ script: counting, context: context('counting') }]);
    expect(outcome).toMatchObject({ ok: true, html: '2' });
  });

  it('names a looping macro as timed out while the other calls of the batch render', async () => {
    const items = [
      youtubeCall('before00000'),
      { script: looping, context: context('looping') },
      youtubeCall('after000000'),
    ];
    const outcomes = await python.renderMany(items);
    expect(outcomes[0]).toMatchObject({ ok: true });
    expect(outcomes[1]).toMatchObject({ ok: false, kind: 'timeout', script: 'looping.py' });
    expect(outcomes[2]).toMatchObject({ ok: true });
    // The worker that was stopped still renders.
    const again = await python.renderMany([youtubeCall('later000000'), youtubeCall('last0000000')]);
    expect(again.every((outcome) => outcome.ok)).toBe(true);
  });
});
