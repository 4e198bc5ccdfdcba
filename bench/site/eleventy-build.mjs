// One Eleventy 3 build of the benchmark corpus, in a process of its own: the site benchmark's
// baseline. Shortcodes in JavaScript write the same markup as the Python macros. Prints
// {durationMs, peakRssBytes, files} as JSON.
// Usage: node bench/site/eleventy-build.mjs <input> <output>
import { createRequire } from 'node:module';
import Eleventy from '@11ty/eleventy';

const [input, output] = process.argv.slice(2);
const pico = createRequire(import.meta.url).resolve('@picocss/pico/css/pico.min.css');
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
const allow = 'accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture';
let tagCounts = [];

function config(eleventyConfig) {
  eleventyConfig.addPassthroughCopy({ [pico]: 'theme/pico.css' });
  eleventyConfig.addShortcode(
    'youtube',
    (id, title = 'YouTube video') =>
      `<div class="macro-youtube"><iframe src="https://www.youtube.com/embed/${escapeHtml(id)}?rel=0" title="${escapeHtml(title)}" frameborder="0" allow="${allow}" allowfullscreen></iframe></div>`,
  );
  eleventyConfig.addShortcode(
    'vimeo',
    (id, title = 'Vimeo video') =>
      `<div class="macro-vimeo"><iframe src="https://player.vimeo.com/video/${escapeHtml(id)}" title="${escapeHtml(title)}" frameborder="0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe></div>`,
  );
  eleventyConfig.addShortcode('tag_cloud', () => {
    const counts = tagCounts.map(([, count]) => count);
    const [min, max] = [Math.min(...counts), Math.max(...counts)];
    const words = tagCounts.map(([text, count]) => ({
      text,
      size: max === min ? 35 : Math.round(14 + ((count - min) / (max - min)) * 42),
      count,
      url: `/tag/${encodeURIComponent(text)}/`,
    }));
    return `<div class="macro-tag-cloud" data-tag-cloud="true" data-orientation="horizontal" data-tag-cloud-words="${escapeHtml(JSON.stringify(words))}" data-width="900" data-height="420"><svg class="tag-cloud-canvas" viewBox="0 0 900 420" preserveAspectRatio="xMidYMid meet" aria-label="Tag cloud"></svg></div>`;
  });
  // Tag pages, 10 posts a page, and the counts the tag cloud draws.
  eleventyConfig.addCollection('tagPages', (collectionApi) => {
    const byTag = new Map();
    for (const item of collectionApi.getFilteredByTag('post').reverse()) {
      for (const tag of item.data.tags) {
        if (tag === 'post') continue;
        byTag.set(tag, [...(byTag.get(tag) ?? []), item]);
      }
    }
    tagCounts = [...byTag]
      .map(([tag, items]) => [tag, items.length])
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const pages = [];
    for (const [tag, items] of [...byTag].sort()) {
      for (let start = 0; start < items.length; start += 10) {
        pages.push({ tag, number: start / 10 + 1, posts: items.slice(start, start + 10) });
      }
    }
    return pages;
  });
}

const started = performance.now();
const eleventy = new Eleventy(input, output, { quietMode: true, configPath: false, config });
const written = await eleventy.write();
const durationMs = Math.round(performance.now() - started);
const files = Array.isArray(written?.[0]) ? written.flat().length : 0;
process.stdout.write(
  `${JSON.stringify({ durationMs, peakRssBytes: process.resourceUsage().maxRSS * 1024, files })}\n`,
);
