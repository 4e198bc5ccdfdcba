// One Eleventy 3 build of the benchmark corpus, in a process of its own: the site benchmark's
// baseline. It builds the site `pymark build` builds from the same posts (docs/site.md): post pages,
// the paginated home, tag, category, year and month lists, RSS and Atom with the full post HTML, a
// sitemap of every page, a 404 page and the theme's CSS named by content, with the same URLs and
// markup. Its templates are bench/site/eleventy/ (the theme's, in Eleventy's terms); the shortcodes,
// filters and collections are here, in JavaScript: youtube and vimeo write what defaults/youtube.py
// and vimeo.py write, and the tag cloud is laid out by a port of defaults/tag_cloud.py.
// Prints {durationMs, peakRssBytes, files} as JSON.
// Usage: node bench/site/eleventy-build.mjs <input> <output>
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Eleventy from '@11ty/eleventy';
import { escapeAttribute } from './html-escape.mjs';
import { tagCloudHtml } from './tag-cloud.mjs';

const [input, output] = process.argv.slice(2);
/** The site's settings, written by the corpus from the values of its site.yml. */
const site = JSON.parse(readFileSync(join(input, '_data', 'site.json'), 'utf8'));
const origin = new URL(site.base_url).origin;

/** The theme's stylesheets, named as pymark names them: by the start of their SHA-256. */
const stylesheets = [
  ['pico', createRequire(import.meta.url).resolve('@picocss/pico/css/pico.min.css')],
  ['site', new URL('../../src/site/theme/theme.css', import.meta.url).pathname],
].map(([name, path]) => {
  const hash = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12);
  return { path, url: `/theme/${name}.${hash}.css` };
});

const videoId = /^[A-Za-z0-9_-]+$/;
const youtubeAllow =
  'accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture';

/** A video player as the macros write it: a `<span>` within a line of text, else a `<div>`. */
function player(kind, src, title, allow, placement) {
  const wrapper = placement === 'inline' ? 'span' : 'div';
  return `<${wrapper} class="macro-${kind}"><iframe src="${escapeAttribute(src)}" title="${escapeAttribute(title)}" frameborder="0" allow="${allow}" allowfullscreen=""></iframe></${wrapper}>`;
}

/** The published posts, newest first by date, then by slug: pymark's order. */
function newestFirst(collectionApi) {
  return collectionApi
    .getAll()
    .filter((item) => item.url.startsWith('/posts/'))
    .sort((a, b) => b.date - a.date || (a.fileSlug < b.fileSlug ? -1 : 1));
}

/** A tag or category as one folder name, as pymark's `termSegment`. */
function termSegment(term) {
  const folded = term.trim().replace(/[/\\]/g, '-');
  return folded.startsWith('.') ? `_${folded}` : folded;
}

/** Lists by key, keys in code-unit order, each keeping the posts' order (newest first). */
function groupBy(posts, keysOf) {
  const groups = new Map();
  for (const post of posts) {
    for (const key of new Set(keysOf(post).map((term) => term.trim()))) {
      if (key === '') continue;
      groups.set(key, [...(groups.get(key) ?? []), post]);
    }
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Every page of every list (home, tags, categories, years, months), `posts_per_page` posts each: what
 * lists.liquid paginates over, one page at a time (Eleventy's pagination of pagination).
 */
function listPages(collectionApi) {
  const posts = newestFirst(collectionApi);
  const iso = (item) => item.date.toISOString();
  const lists = [{ kind: 'home', title: site.title, posts, path: '' }];
  for (const [tag, tagged] of groupBy(posts, (item) => item.data.tags ?? [])) {
    lists.push({ kind: 'tag', title: `Tag: ${tag}`, posts: tagged, path: `tag/${termSegment(tag)}/` });
  }
  for (const [category, inCategory] of groupBy(posts, (item) => item.data.categories ?? [])) {
    const path = `category/${termSegment(category)}/`;
    lists.push({ kind: 'category', title: `Category: ${category}`, posts: inCategory, path });
  }
  for (const [year, ofYear] of groupBy(posts, (item) => [iso(item).slice(0, 4)])) {
    lists.push({ kind: 'year', title: year, posts: ofYear, path: `${year}/` });
  }
  for (const [month, ofMonth] of groupBy(posts, (item) => [iso(item).slice(0, 7)])) {
    lists.push({ kind: 'month', title: month, posts: ofMonth, path: `${month.replace('-', '/')}/` });
  }
  const perPage = site.posts_per_page;
  const pages = [];
  for (const list of lists) {
    const count = Math.max(1, Math.ceil(list.posts.length / perPage));
    const at = (page) => `/${list.path}${page > 1 ? `page/${page}/` : ''}`;
    const link = (page) => at(page).split('/').map(encodeURIComponent).join('/');
    for (let page = 1; page <= count; page++) {
      pages.push({
        kind: list.kind,
        title: page > 1 ? `${list.title} (page ${page})` : list.title,
        posts: list.posts.slice((page - 1) * perPage, page * perPage),
        permalink: at(page),
        url: link(page),
        page,
        pages: count,
        previousUrl: page > 1 ? link(page - 1) : null,
        nextUrl: page < count ? link(page + 1) : null,
      });
    }
  }
  return pages;
}

/** What a list shows of a post: its first paragraph's text, at most 50 words (pymark's `summaryOf`). */
const summaries = new Map();
const entities = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
function summary(html) {
  let text = summaries.get(html);
  if (text === undefined) {
    const paragraph = /<p>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '';
    const words = paragraph
      .replace(/<[^>]*>/g, '')
      .replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => entities[entity])
      .replace(/\s+/g, ' ')
      .trim()
      .split(' ');
    text = words.length > 50 ? `${words.slice(0, 50).join(' ')}…` : words.join(' ');
    summaries.set(html, text);
  }
  return text;
}

/** Tag counts of the published posts, for the tag cloud: known once the collections are. */
let tagCounts = [];
/** The cloud by its arguments: every call alike draws the same cloud (pymark runs such calls once too). */
const clouds = new Map();

function config(eleventyConfig) {
  for (const { path, url } of stylesheets) eleventyConfig.addPassthroughCopy({ [path]: url.slice(1) });
  eleventyConfig.addGlobalData(
    'stylesheets',
    stylesheets.map(({ url }) => url),
  );
  // Dates print the same wherever the site is built, as in pymark's templates. Liquid keeps each
  // partial it parsed (Eleventy leaves liquidjs's cache off, and then reads and parses a partial at
  // every include: twice the CPU time of this build); the output is the same either way, and the
  // baseline should be the fast Eleventy a blogger could have, not the slow one.
  eleventyConfig.setLiquidOptions({ timezoneOffset: 0, cache: true });

  eleventyConfig.addShortcode('youtube', (id, title = 'YouTube video', placement = 'block', start) => {
    const video = String(id).trim();
    if (!videoId.test(video)) return '';
    const from = Number.isInteger(start) && start >= 0 ? `&start=${start}` : '';
    const src = `https://www.youtube.com/embed/${video}?rel=0${from}`;
    return player('youtube', src, title, youtubeAllow, placement);
  });
  eleventyConfig.addShortcode('vimeo', (id, title = 'Vimeo video', placement = 'block') => {
    const video = String(id).trim();
    if (!videoId.test(video)) return '';
    const src = `https://player.vimeo.com/video/${video}`;
    return player('vimeo', src, title, 'autoplay; fullscreen; picture-in-picture', placement);
  });
  eleventyConfig.addShortcode('tag_cloud', (orientation, width, height) => {
    const key = JSON.stringify([orientation, width, height]);
    if (!clouds.has(key)) clouds.set(key, tagCloudHtml(tagCounts, { orientation, width, height }));
    return clouds.get(key);
  });

  eleventyConfig.addCollection('posts', (collectionApi) => {
    const posts = newestFirst(collectionApi);
    tagCounts = groupBy(posts, (item) => item.data.tags ?? []).map(([tag, tagged]) => [tag, tagged.length]);
    return posts;
  });
  eleventyConfig.addCollection('listPages', listPages);

  eleventyConfig.addFilter('summary', summary);
  eleventyConfig.addFilter('absoluteUrl', (url) => origin + url);
  eleventyConfig.addFilter('tagUrl', (tag) => `/tag/${encodeURIComponent(termSegment(tag))}/`);
  eleventyConfig.addFilter(
    'categoryUrl',
    (category) => `/category/${encodeURIComponent(termSegment(category))}/`,
  );
  eleventyConfig.addFilter('isoDate', (date) => new Date(date).toISOString());
  eleventyConfig.addFilter('rfc822', (date) => new Date(date).toUTCString());
  eleventyConfig.addFilter('isoSeconds', (date) => new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  // The newest `updated` of the feed's posts; an empty feed says the epoch (Atom requires a date).
  eleventyConfig.addFilter(
    'latestUpdate',
    (posts, count) =>
      posts
        .slice(0, count)
        .map((item) => item.data.updated)
        .sort()
        .at(-1) ?? '1970-01-01T00:00:00Z',
  );
  // Feeds: XML text without the control characters XML cannot carry, and links a reader can follow.
  eleventyConfig.addFilter('xml', (text) =>
    String(text)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters XML forbids
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`),
  );
  eleventyConfig.addFilter('absoluteLinks', (html) =>
    html.replace(/\b(href|src)="\/(?!\/)/g, `$1="${origin}/`),
  );
}

const started = performance.now();
const eleventy = new Eleventy(input, output, { quietMode: true, configPath: false, config });
const written = await eleventy.write();
const durationMs = Math.round(performance.now() - started);
const files = Array.isArray(written?.[0]) ? written.flat().length : 0;
process.stdout.write(
  `${JSON.stringify({ durationMs, peakRssBytes: process.resourceUsage().maxRSS * 1024, files })}\n`,
);
