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

  test('sends the bodies, and names the data without them apart: a body edit leaves that name', async () => {
    const posts = [post('a')];
    const sent: SiteSnapshot[] = [];
    const feed = new SiteDataFeed(async () => posts.map((item) => ({ ...item })), {
      setSiteData: (snapshot) => sent.push(snapshot),
    });
    await feed.refresh();
    const { version, versionWithoutBodies: withoutBodies } = feed;
    expect(sent.at(-1)?.posts[0]?.body).toBe('Body of a');

    posts[0]!.body = 'Edited';
    await feed.refresh();
    expect(sent.at(-1)?.posts[0]?.body).toBe('Edited');
    expect(feed.version).not.toBe(version);
    expect(feed.versionWithoutBodies).toBe(withoutBodies);

    const edited = feed.version;
    posts[0]!.tags = ['new'];
    await feed.refresh();
    expect(feed.version).not.toBe(edited);
    expect(feed.versionWithoutBodies).not.toBe(withoutBodies);
    expect(sent).toHaveLength(3);
  });
});
