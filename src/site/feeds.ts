import type { SiteSettings } from '../core/site-settings';
import type { SiteUrls } from './site-urls';

/** A published post as the feeds need it. */
export interface FeedPost {
  title: string;
  absoluteUrl: string;
  /** ISO date-times. */
  published: string;
  updated: string;
  tags: readonly string[];
  categories: readonly string[];
  /** The post's full HTML (links still root-relative). */
  html: string;
  /** Its first paragraph as text: RSS's `<description>`, beside the full HTML in `<content:encoded>`. */
  summary: string;
}

/*
 * RSS 2.0, Atom 1.0 and the sitemap, written as text: small, fixed shapes, and every byte under our
 * control so two builds of the same input are identical. No date in them comes from the clock: the
 * feeds' own dates are their newest post's.
 */

export function rssFeed(settings: SiteSettings, urls: SiteUrls, posts: readonly FeedPost[]): string {
  const home = urls.home(1).absolute;
  const newest = posts[0];
  const items = posts.map(
    (post) =>
      '<item>\n' +
      `<title>${xml(post.title)}</title>\n` +
      `<link>${xml(post.absoluteUrl)}</link>\n` +
      `<guid isPermaLink="true">${xml(post.absoluteUrl)}</guid>\n` +
      `<pubDate>${new Date(post.published).toUTCString()}</pubDate>\n` +
      [...post.categories, ...post.tags].map((term) => `<category>${xml(term)}</category>\n`).join('') +
      `<description>${xml(post.summary)}</description>\n` +
      `<content:encoded>${xml(absoluteLinks(post.html, home))}</content:encoded>\n` +
      '</item>\n',
  );
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel>\n' +
    `<title>${xml(settings.title)}</title>\n` +
    `<link>${xml(home)}</link>\n` +
    `<description>${xml(settings.description || settings.title)}</description>\n` +
    `<language>${xml(settings.language)}</language>\n` +
    `<atom:link href="${xml(urls.rss().absolute)}" rel="self" type="application/rss+xml"/>\n` +
    (newest ? `<lastBuildDate>${new Date(newest.updated).toUTCString()}</lastBuildDate>\n` : '') +
    items.join('') +
    '</channel>\n</rss>\n'
  );
}

export function atomFeed(settings: SiteSettings, urls: SiteUrls, posts: readonly FeedPost[]): string {
  const home = urls.home(1).absolute;
  const updated =
    posts
      .map((post) => post.updated)
      .sort()
      .at(-1) ?? '';
  const entries = posts.map(
    (post) =>
      '<entry>\n' +
      `<title>${xml(post.title)}</title>\n` +
      `<link rel="alternate" type="text/html" href="${xml(post.absoluteUrl)}"/>\n` +
      `<id>${xml(post.absoluteUrl)}</id>\n` +
      `<published>${isoSeconds(post.published)}</published>\n` +
      `<updated>${isoSeconds(post.updated)}</updated>\n` +
      [...post.categories, ...post.tags].map((term) => `<category term="${xml(term)}"/>\n`).join('') +
      `<content type="html">${xml(absoluteLinks(post.html, home))}</content>\n` +
      '</entry>\n',
  );
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${xml(settings.language)}">\n` +
    `<title>${xml(settings.title)}</title>\n` +
    (settings.description ? `<subtitle>${xml(settings.description)}</subtitle>\n` : '') +
    `<link rel="alternate" type="text/html" href="${xml(home)}"/>\n` +
    `<link rel="self" type="application/atom+xml" href="${xml(urls.atom().absolute)}"/>\n` +
    `<id>${xml(home)}</id>\n` +
    // An empty feed still needs an <updated>; the epoch keeps it deterministic.
    `<updated>${isoSeconds(updated || '1970-01-01T00:00:00Z')}</updated>\n` +
    // Atom requires an author for the feed when its entries name none.
    `<author><name>${xml(settings.author || settings.title)}</name></author>\n` +
    entries.join('') +
    '</feed>\n'
  );
}

export interface SitemapEntry {
  absoluteUrl: string;
  /** ISO date-time of the page's last change, when it has one of its own. */
  updated?: string;
}

export function sitemap(entries: readonly SitemapEntry[]): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' +
    entries
      .map(
        (entry) =>
          `<url><loc>${xml(entry.absoluteUrl)}</loc>` +
          (entry.updated ? `<lastmod>${entry.updated.slice(0, 10)}</lastmod>` : '') +
          '</url>\n',
      )
      .join('') +
    '</urlset>\n'
  );
}

/** Text escaped for XML, without the control characters XML 1.0 cannot carry at all. */
export function xml(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters XML forbids
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
  );
}

/** `2026-05-20T10:15:00.000Z` as RFC 3339 without fractions, which every Atom reader accepts. */
function isoSeconds(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Root-relative `href` and `src` made absolute: a feed reader shows a post away from the site. Only
 * double-quoted attributes occur here, because the HTML comes from markdown-it and the sanitizer.
 */
function absoluteLinks(html: string, home: string): string {
  const origin = new URL(home).origin;
  return html.replace(/\b(href|src)="\/(?!\/)/g, `$1="${origin}/`);
}
