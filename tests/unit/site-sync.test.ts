import { describe, expect, test } from 'vitest';
import type { AbiPost } from '../../src/core/abi';
import { SiteSync } from '../../src/runtime/site-sync';

/** A post as a site build gives it: frozen whole, its body read from its file (counted by body) when asked for. */
function frozenPost(id: string, body: string, reads: Map<string, number>): AbiPost {
  const post = {
    id,
    title: id,
    slug: id,
    status: 'published',
    tags: Object.freeze(['a']) as string[],
    categories: Object.freeze([]) as unknown as string[],
    get body() {
      reads.set(body, (reads.get(body) ?? 0) + 1);
      return body;
    },
  };
  return Object.freeze(post);
}

describe('SiteSync', () => {
  test('a frozen post given again is not read again; a new one is sent as a change', () => {
    const reads = new Map<string, number>();
    const one = frozenPost('one', 'First body.', reads);
    const two = frozenPost('two', 'Second body.', reads);
    const sync = new SiteSync<object>();
    const worker = {};
    sync.set({ posts: [one, two] });
    const plain = (id: string, body: string) => ({
      id,
      title: id,
      slug: id,
      status: 'published',
      tags: ['a'],
      categories: [],
      body,
    });
    expect(sync.updateFor(worker)).toEqual({
      snapshot: { posts: [plain('one', 'First body.'), plain('two', 'Second body.')] },
    });

    // One post edited: a new object for it, the other one as it was.
    const edited = frozenPost('one', 'An edited body.', reads);
    sync.set({ posts: [edited, two] });
    expect(sync.updateFor(worker)).toEqual({
      changes: { upsert: [plain('one', 'An edited body.')], remove: [], order: null },
    });
    // Each body read once: the unchanged post's not again.
    expect(Object.fromEntries(reads)).toEqual({ 'First body.': 1, 'Second body.': 1, 'An edited body.': 1 });
  });

  test('a post that is not frozen is read each time, so a change made in place is sent', () => {
    const post: AbiPost = {
      id: 'one',
      title: 'Before',
      slug: 'one',
      status: 'published',
      tags: [],
      categories: [],
    };
    const sync = new SiteSync<object>();
    const worker = {};
    sync.set({ posts: [post] });
    sync.updateFor(worker);
    post.title = 'After';
    sync.set({ posts: [post] });
    expect(sync.updateFor(worker)).toEqual({
      changes: { upsert: [{ ...post, title: 'After' }], remove: [], order: null },
    });
  });

  test('a post outside ABI v1 is refused, named by its place', () => {
    const sync = new SiteSync<object>();
    const good = Object.freeze({
      id: 'one',
      title: 'One',
      slug: 'one',
      status: 'published',
      tags: [],
      categories: [],
    });
    expect(() => sync.set({ posts: [good, { ...good, id: 'two', title: 3 } as unknown as AbiPost] })).toThrow(
      /"posts",\s*1,\s*"title"/,
    );
  });
});
