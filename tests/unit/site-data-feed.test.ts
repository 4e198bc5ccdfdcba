import { describe, expect, test } from 'vitest';
import type { SiteSnapshot } from '../../src/core/abi';
import type { Post } from '../../src/core/post';
import { SiteDataFeed } from '../../src/render/site-data';

/** A published post whose slug and title are `slug`. */
const post = (slug: string): Post => ({
  id: crypto.randomUUID(),
  slug,
  title: slug,
  status: 'published',
  tags: [],
  categories: [],
  body: `Body of ${slug}`,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  publishedAt: '2026-01-01T00:00:00.000Z',
});

describe('SiteDataFeed', () => {
  test('a burst of changes reads the posts twice, and the last data has every change', async () => {
    const posts: Post[] = [];
    let reads = 0;
    const sent: SiteSnapshot[] = [];
    const feed = new SiteDataFeed(
      async () => {
        reads++;
        return [...posts];
      },
      { setSiteData: (snapshot) => sent.push(snapshot) },
    );
    const refreshes: Promise<void>[] = [];
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      posts.push(post(id));
      refreshes.push(feed.refresh()); // as an import's change events do, one per post
    }
    await Promise.all(refreshes);
    expect(reads).toBe(2);
    expect(sent.at(-1)?.posts.map((item) => item.slug)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  test('a failed read does not stop the next one', async () => {
    let fail = true;
    const sent: SiteSnapshot[] = [];
    const feed = new SiteDataFeed(
      async () => {
        if (fail) throw new Error('storage is gone');
        return [post('a')];
      },
      { setSiteData: (snapshot) => sent.push(snapshot) },
    );
    const first = feed.refresh();
    fail = false;
    const second = feed.refresh();
    await expect(first).rejects.toThrow('storage is gone');
    await second;
    expect(sent).toHaveLength(1);
  });

  test("sends the bodies, and names each part of the data apart: a body edit changes only the bodies' name", async () => {
    const posts = [post('a')];
    const sent: SiteSnapshot[] = [];
    const feed = new SiteDataFeed(async () => posts.map((item) => ({ ...item })), {
      setSiteData: (snapshot) => sent.push(snapshot),
    });
    const names = (): Record<string, string> => ({
      all: feed.versions.dataVersion,
      ...Object.fromEntries(feed.versions.dataParts ?? []),
    });
    await feed.refresh();
    const first = names();
    expect(sent.at(-1)?.posts[0]?.body).toBe('Body of a');

    posts[0]!.body = 'Edited';
    await feed.refresh();
    expect(sent.at(-1)?.posts[0]?.body).toBe('Edited');
    const edited = names();
    expect(edited).toEqual({ ...first, all: expect.any(String), 'posts.body': expect.any(String) });
    expect([edited.all, edited['posts.body']]).not.toContain(first.all);
    expect(edited['posts.body']).not.toBe(first['posts.body']);

    posts[0]!.tags = ['new'];
    await feed.refresh();
    expect(names()).toEqual({ ...edited, all: expect.any(String), 'posts.tags': expect.any(String) });
    expect(names()['posts.tags']).not.toBe(edited['posts.tags']);
    // Read again without a change: nothing is sent, and every name stays.
    const tagged = names();
    await feed.refresh();
    expect(names()).toEqual(tagged);
    expect(sent).toHaveLength(3);
  });

  test('names only what macros see: publishing a post renames its parts, a draft edit renames none but is sent', async () => {
    const posts = [post('a'), { ...post('b'), status: 'draft' as const }];
    const sent: SiteSnapshot[] = [];
    const feed = new SiteDataFeed(async () => posts.map((item) => ({ ...item })), {
      setSiteData: (snapshot) => sent.push(snapshot),
    });
    const names = () => new Map(feed.versions.dataParts);
    await feed.refresh();
    const first = names();

    // A utility sees drafts, so the edit is sent; no macro sees it, so no result is stale.
    posts[1]!.body = 'A draft, edited';
    await feed.refresh();
    expect(sent.at(-1)?.posts[1]?.body).toBe('A draft, edited');
    expect(names()).toEqual(first);

    // A "recent posts" macro read which posts there are, and their titles and slugs.
    posts[1]!.status = 'published';
    await feed.refresh();
    for (const part of ['posts', 'posts.title', 'posts.slug', 'posts.status'])
      expect(names().get(part), part).not.toBe(first.get(part));
    expect(sent).toHaveLength(3);
  });
});
