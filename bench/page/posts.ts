import type { Post } from '../../src/core/post';
import { videoId } from './contexts';

/*
 * The document set of the "render 1,000 posts" figure: Markdown posts with a few macros each
 * (youtube and vimeo in every post, a tag cloud in every 25th), or the very same posts with the
 * macro lines left out. Deterministic, so every run renders the same text. Pure data: the unit test
 * (tests/unit/render-1000-posts.test.ts) renders the same set.
 */

const tagPool = ['python', 'pyodide', 'web', 'wasm', 'markdown', 'video', 'travel', 'food', 'music', 'notes'];
const time = '2026-11-24T10:00:00.000Z';

export interface PostSetOptions {
  /** Without macros: the same text, minus the lines that hold a macro. */
  macros: boolean;
}

export function benchPosts(count: number, { macros }: PostSetOptions): Post[] {
  return Array.from({ length: count }, (_, index) => benchPost(index, macros));
}

function benchPost(index: number, macros: boolean): Post {
  const lines = [
    `# Notes, part ${index}`,
    '',
    `An intro with **bold**, _emphasis_, \`code\` and [a link](https://example.com/${index}).`,
    '',
    macros && `[[youtube id="${videoId(index)}" title="Clip ${index}" start=${index % 300}]]`,
    '',
    '- first point',
    '- second point, with more words in it',
    '',
    macros && `Inline: [[vimeo id=${76_979_871 + index} title="Take ${index}"]] and on.`,
    '',
    '> A quoted line.',
    '',
    macros && index % 25 === 0 && '[[tag_cloud orientation="mixed-hv" width=800 height=400]]',
  ];
  return {
    id: `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`,
    title: `Notes, part ${index}`,
    slug: `notes_${index}`,
    status: index % 5 === 4 ? 'draft' : 'published',
    tags: [0, 3, 7].map((offset) => tagPool[(index + offset) % tagPool.length]!),
    categories: ['blog'],
    body: `${lines.filter((line) => line !== false).join('\n')}\n`,
    createdAt: time,
    updatedAt: time,
    publishedAt: index % 5 === 4 ? null : time,
  };
}
