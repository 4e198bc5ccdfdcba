import { describe, expect, test } from 'vitest';
import { benchPosts } from '../../bench/page/posts';
import {
  type MacroBatchRunner,
  PostRenderer,
  type RenderedPost,
  type SiteContext,
} from '../../src/render/post-renderer';
import { createHtmlSanitizer } from '../../src/render/sanitize-html';
import type { RenderItem, RenderOutcome } from '../../src/runtime/types';
import { bundledDefaults } from '../../src/storage/bundled-defaults';
import { readBundledDefaults } from '../../src/storage/defaults-seeder';

/*
 * The macros issue: "a 1,000-post document set renders through renderPost with one worker round trip
 * per post". The set is the bench's (bench/page/posts.ts); the worker is a runner that counts the
 * batches it gets. `npm run bench` renders the same set through real Pyodide and reports the count.
 */

const sanitize = createHtmlSanitizer();

class CountingRunner implements MacroBatchRunner {
  readonly batches: (readonly RenderItem[])[] = [];
  async renderMany(items: readonly RenderItem[]): Promise<RenderOutcome[]> {
    this.batches.push(items);
    // As if each macro read all of its post: its result is then reused only for that post.
    const reads = { site: [], post: null };
    return items.map(({ context }) => ({
      ok: true,
      html: `<span>${context.macro}</span>`,
      warnings: [],
      reads,
    }));
  }
}

const scripts = (await readBundledDefaults(bundledDefaults)).map(({ script }) => script);
const site: SiteContext = {
  scripts,
  env: { preview: false, language: 'en', base_url: '/' },
  dataVersion: 'v1',
};

describe('rendering the 1,000-post set', () => {
  test('makes one worker round trip per post, carrying exactly that post’s macros', async () => {
    const runner = new CountingRunner();
    const posts = benchPosts(1000, { macros: true });
    const renderer = new PostRenderer(runner, sanitize);
    const rendered: RenderedPost[] = [];
    for (const post of posts) rendered.push(await renderer.renderPost(post, site));

    expect(runner.batches).toHaveLength(1000);
    runner.batches.forEach((batch, index) => {
      expect(batch.length).toBe(rendered[index]!.macroCount);
      // Each batch belongs to one post: its macros' contexts all name that post.
      expect(new Set(batch.map(({ context }) => context.post.id))).toEqual(new Set([posts[index]!.id]));
    });
    expect(rendered.every(({ html }) => !html.includes('pymark-macro-'))).toBe(true);
  });

  test('rendering the whole set again reuses every macro result', async () => {
    const runner = new CountingRunner();
    const posts = benchPosts(1000, { macros: true });
    const renderer = new PostRenderer(runner, sanitize);
    for (const post of posts) await renderer.renderPost(post, site);
    const firstPass = runner.batches.length;
    for (const post of posts) expect((await renderer.renderPost(post, site)).executed).toBe(0);
    expect(runner.batches).toHaveLength(firstPass);
  });

  test('past its limit the memo forgets the least recently used results first', async () => {
    const posts = benchPosts(2, { macros: true });
    const probe = await new PostRenderer(new CountingRunner(), sanitize).renderPost(posts[0]!, site);
    // Room for exactly the first post's results.
    const renderer = new PostRenderer(new CountingRunner(), sanitize, probe.executed);
    await renderer.renderPost(posts[0]!, site);
    expect((await renderer.renderPost(posts[0]!, site)).executed).toBe(0);
    await renderer.renderPost(posts[1]!, site);
    expect((await renderer.renderPost(posts[0]!, site)).executed).toBeGreaterThan(0);
  });

  test('the same posts with macros removed make no round trip', async () => {
    const runner = new CountingRunner();
    const renderer = new PostRenderer(runner, sanitize);
    for (const post of benchPosts(1000, { macros: false })) {
      expect((await renderer.renderPost(post, site)).macroCount).toBe(0);
    }
    expect(runner.batches).toHaveLength(0);
  });
});
