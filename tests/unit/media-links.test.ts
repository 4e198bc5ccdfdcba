import { describe, expect, it } from 'vitest';
import type { AbiMedia } from '../../src/core/abi';
import { toAbiMedia } from '../../src/render/media-data';
import { publishMediaLinks } from '../../src/site/media-links';
import { SiteUrls } from '../../src/site/site-urls';

const item = {
  id: '00000000-0000-4000-8000-000000000001',
  fileName: 'sea (1).jpg',
  mimeType: 'image/jpeg' as const,
  size: 10,
  width: 800,
  height: 600,
  createdAt: '2026-02-20T10:00:00.000Z',
  updatedAt: '2026-02-20T10:00:00.000Z',
  title: '',
  alt: 'Sea',
  caption: '',
  linkedPostIds: [],
};

function described(urls: SiteUrls): AbiMedia[] {
  return [toAbiMedia(item, (path) => urls.file(path).url)];
}

describe('a post’s links to the site’s images', () => {
  it('go under a sub-path, however the name was percent-encoded, with srcset and size', () => {
    const urls = new SiteUrls('https://x.github.io/blog/');
    const html = '<p><img src="/media/2026/02/sea%20%281%29.jpg" alt="Sea"></p>';
    const sea = '/blog/media/2026/02/sea%20(1).jpg';
    const thumb = (size: string) => `/blog/thumbnails/2026/02/sea%20(1).jpg.${size}.webp`;
    expect(publishMediaLinks(html, described(urls), urls)).toBe(
      `<p><img src="${sea}" alt="Sea" srcset="${thumb('small')} 320w, ${thumb('medium')} 640w, ${sea} 800w" sizes="(max-width: 800px) 100vw, 800px" width="800" height="600"></p>`,
    );
  });

  it('put an image the library does not hold, and a link, under the base path as they are', () => {
    const urls = new SiteUrls('https://x.github.io/blog/');
    const html =
      '<p><img src="/media/2025/01/gone.png" alt=""><a href="/thumbnails/2026/02/a.jpg.small.webp">a</a></p>';
    expect(publishMediaLinks(html, described(urls), urls)).toBe(
      '<p><img src="/blog/media/2025/01/gone.png" alt=""><a href="/blog/thumbnails/2026/02/a.jpg.small.webp">a</a></p>',
    );
  });

  it('leave a macro’s links, already under the base path, alone even when the base path is /media/', () => {
    const urls = new SiteUrls('https://example.com/media/');
    const html = '<img src="/media/media/2026/02/sea%20(1).jpg" alt="Sea" srcset="x 1w">';
    expect(publishMediaLinks(html, described(urls), urls)).toBe(html);
    const other = '<a href="/media/">media</a> <a href="https://elsewhere.example/media/2026/02/a.jpg">a</a>';
    expect(publishMediaLinks(other, described(urls), urls)).toBe(other);
  });
});
