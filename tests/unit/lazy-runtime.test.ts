import { expect, test, vi } from 'vitest';
import type { SiteSnapshot } from '../../src/core/abi';
import type { RenderItem } from '../../src/runtime/types';

/*
 * The command line's lazily started Python pool, its workers stood in for (tests/node has the real
 * ones): site data the pool refuses as it starts (a post file changed during the build) fails that
 * build's calls, and the next build's calls run on the same pool.
 */

const pool = vi.hoisted(() => ({
  created: 0,
  setSiteData(snapshot: SiteSnapshot) {
    // As the runtime's SiteSync does: it checks each post, reading its body.
    for (const post of snapshot.posts) void post.body;
  },
  ready: async () => {},
  renderMany: async (items: readonly RenderItem[]) =>
    items.map(() => ({ ok: true, html: 'ok', warnings: [] })),
  grow() {},
  dispose() {},
}));
vi.mock('../../src/runtime/node/node-runtime', () => ({
  createNodeRuntime: () => {
    pool.created += 1;
    return pool;
  },
}));
const { LazyNodeRuntime } = await import('../../src/cli/lazy-runtime');

const item = {
  script: { id: 's', version: 1, slug: 's', body: '', entrypoint: 'render' },
} as unknown as RenderItem;
const post = { id: 'a', title: 'A', slug: 'a', status: 'published', tags: [], categories: [] };

test('site data refused as Python starts fails that build, and the next build runs on the same pool', async () => {
  const runtime = new LazyNodeRuntime();
  // An unread post whose file changed after the build listed it.
  const changed = {
    ...post,
    get body(): string {
      throw new Error('posts/a.md changed while the site was built; build again');
    },
  };
  runtime.setSiteData({ posts: [changed] });
  // `--watch` starts Python after its first build, while the user is still typing.
  runtime.prepare(1);
  await expect(runtime.renderMany([item])).rejects.toThrow(/changed while the site was built/);

  runtime.setSiteData({ posts: [{ ...post, body: 'The saved text.' }] });
  expect(await runtime.renderMany([item])).toEqual([{ ok: true, html: 'ok', warnings: [] }]);
  expect(pool.created).toBe(1);
  await runtime.dispose();
});
