import { describe, expect, it } from 'vitest';
import type { Post } from '../../src/core/post';
import type { Script } from '../../src/core/script';
import { SearchIndex } from '../../src/ui/search-index';

const at = '2026-12-01T10:00:00.000Z';
const post = (id: string, title: string, body: string, tags: string[] = []): Post => ({
  id,
  title,
  slug: title.toLowerCase().replace(/\W+/g, '_'),
  status: 'draft',
  tags,
  categories: [],
  body,
  createdAt: at,
  updatedAt: at,
  publishedAt: null,
});
const script = (id: string, title: string, body: string) =>
  ({ id, title, slug: title.toLowerCase(), kind: 'macro', body }) as Script;

describe('search across posts and scripts', () => {
  const posts = [
    post('p1', 'Travel notes', 'We walked to the lighthouse at dawn and watched the ferries.', ['walking']),
    post('p2', 'Cooking', 'A recipe for bread.', ['kitchen']),
  ];
  const scripts = [script('s1', 'Shout', 'def render(context):\n    return {"html": "LIGHTHOUSE"}')];

  it('finds titles, bodies and tags as the words are typed, with the text around the match', () => {
    const index = new SearchIndex();
    index.update(scripts, posts);
    expect(index.search('cook').map((hit) => hit.id)).toEqual(['p2']);
    expect(index.search('kitch').map((hit) => hit.id)).toEqual(['p2']);
    const lighthouse = index.search('lighth');
    expect(lighthouse.map((hit) => `${hit.kind}:${hit.id}`).sort()).toEqual(['post:p1', 'script:s1']);
    expect(lighthouse.find((hit) => hit.id === 'p1')?.excerpt).toMatch(/walked to the lighthouse at dawn/);
    // Every word must match, and a small typo in a long word still finds it.
    expect(index.search('lighthouse bread')).toEqual([]);
    expect(index.search('feries').map((hit) => hit.id)).toEqual(['p1']);
    expect(index.search('   ')).toEqual([]);
  });

  it('follows the lists it is given', () => {
    const index = new SearchIndex();
    index.update(scripts, posts);
    expect(index.search('bread')).toHaveLength(1);
    index.update(scripts, [posts[0]!]);
    expect(index.search('bread')).toEqual([]);
  });
});
