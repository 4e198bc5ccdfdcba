import { describe, expect, test } from 'vitest';
import { SiteUrls, termSegment } from '../../src/site/site-urls';

describe('site URLs', () => {
  const root = new SiteUrls('https://blog.example/');
  const sub = new SiteUrls('https://user.github.io/blog/');

  test('each page is index.html in its folder, linked under base_url', () => {
    expect(root.post('hello')).toEqual({
      file: 'posts/hello/index.html',
      url: '/posts/hello/',
      absolute: 'https://blog.example/posts/hello/',
    });
    expect(sub.post('hello').url).toBe('/blog/posts/hello/');
    expect(sub.home(1)).toEqual({
      file: 'index.html',
      url: '/blog/',
      absolute: 'https://user.github.io/blog/',
    });
    expect(sub.home(3).file).toBe('page/3/index.html');
    expect(root.tag('python', 2).url).toBe('/tag/python/page/2/');
    expect(root.category('notes').file).toBe('category/notes/index.html');
    expect(root.year('2026').url).toBe('/2026/');
    expect(root.month('2026', '03', 2).file).toBe('2026/03/page/2/index.html');
    expect(sub.rss()).toEqual({
      file: 'rss.xml',
      url: '/blog/rss.xml',
      absolute: 'https://user.github.io/blog/rss.xml',
    });
    expect(root.notFound().file).toBe('404.html');
  });

  test("tags keep their text, encoded in links as the tag cloud's are", () => {
    expect(root.tag('c++')).toMatchObject({ file: 'tag/c++/index.html', url: '/tag/c%2B%2B/' });
    expect(root.tag('Café au lait').url).toBe(`/tag/${encodeURIComponent('Café au lait')}/`);
  });

  test('a tag cannot name another folder', () => {
    expect(termSegment('a/b')).toBe('a-b');
    expect(termSegment('..')).toBe('_..');
    expect(termSegment('.hidden')).toBe('_.hidden');
    expect(root.tag('../../etc').file).toBe('tag/_..-..-etc/index.html');
  });
});
