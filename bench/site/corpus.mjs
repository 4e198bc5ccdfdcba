// The site benchmark's corpus, generated the same way every time (a seeded generator): posts of about
// 400 words with a youtube call on its own line and an inline vimeo call in each, a tag cloud in every
// 50th, every 10th a draft, 40 tags. Written as a Pymark project folder and as an Eleventy input folder
// with the same text and settings, the macros as Liquid shortcodes (bench/site/eleventy-build.mjs).
import { copyFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const words = (
  'python blog static site macro render page feed archive template post tag cloud river mountain coffee ' +
  'garden window morning evening quiet bright simple careful build write read small large quick slow ' +
  'north south east west music paper letter story travel city road bridge light shadow color winter ' +
  'summer spring autumn market bread apple stone glass field forest ocean island harbor train station'
).split(' ');

/** Park–Miller: small, and the same sequence on every machine. */
function generator(seed) {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

/** The site's settings: pymark's site.yml, and Eleventy's `site` data (with pymark's defaults for the rest). */
const settings = { title: 'Bench blog', base_url: 'https://bench.example/', posts_per_page: 10 };

const idCharacters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

export function makeCorpus(count) {
  const random = generator(20260520);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const tags = Array.from({ length: 40 }, (_, index) => `topic${String(index + 1).padStart(2, '0')}`);
  const posts = [];
  for (let number = 1; number <= count; number++) {
    const sentence = (length) => {
      const text = Array.from({ length }, () => pick(words)).join(' ');
      return `${text[0].toUpperCase()}${text.slice(1)}.`;
    };
    const paragraph = () => Array.from({ length: 8 }, () => sentence(10)).join(' ');
    const youtubeId = Array.from({ length: 11 }, () => pick(idCharacters.split(''))).join('');
    const vimeoId = String(Math.floor(random() * 9e8) + 1e8);
    const postTags = [...new Set([pick(tags), pick(tags), pick(tags)])].sort();
    const day = new Date(Date.UTC(2023, 0, 1) + Math.floor(random() * 1200) * 86_400_000).toISOString();
    posts.push({
      slug: `post_${String(number).padStart(5, '0')}`,
      title: `${sentence(4).slice(0, -1)} ${number}`,
      status: number % 10 === 0 ? 'draft' : 'published',
      tags: postTags,
      date: day,
      // About 400 words: five paragraphs of 80.
      paragraphs: [paragraph(), paragraph(), paragraph(), paragraph(), paragraph()],
      youtubeId,
      vimeoId,
      // The 25th, 75th, …: every 50th post, and never one of the drafts (every 10th).
      tagCloud: number % 50 === 25,
    });
  }
  return posts;
}

function uuid(number) {
  return `00000000-0000-4000-8000-${String(number).padStart(12, '0')}`;
}

export function writePymarkProject(dir, posts, defaultsDir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'posts'), { recursive: true });
  mkdirSync(join(dir, 'scripts'), { recursive: true });
  for (const name of ['youtube.py', 'vimeo.py', 'tag_cloud.py'])
    copyFileSync(join(defaultsDir, name), join(dir, 'scripts', name));
  writeFileSync(
    join(dir, 'site.yml'),
    Object.entries(settings)
      .map(([key, value]) => `${key}: ${JSON.stringify(value)}\n`)
      .join(''),
  );
  posts.forEach((post, index) => {
    const [first, second, third, fourth, fifth] = post.paragraphs;
    const body = [
      first,
      `[[youtube id="${post.youtubeId}"]]`,
      `${second} Watch [[vimeo id="${post.vimeoId}"]] as well. ${third}`,
      ...(post.tagCloud ? ['[[tag_cloud]]'] : []),
      fourth,
      fifth,
    ].join('\n\n');
    writeFileSync(
      join(dir, 'posts', `${post.slug}.md`),
      `---\nid: "${uuid(index + 1)}"\ntitle: "${post.title}"\nstatus: "${post.status}"\ntags: [${post.tags.map((tag) => `"${tag}"`).join(', ')}]\ncategories: []\ncreatedAt: "${post.date}"\nupdatedAt: "${post.date}"\npublishedAt: ${post.status === 'published' ? `"${post.date}"` : 'null'}\n---\n${body}\n`,
    );
  });
}

/**
 * The Eleventy input: the published posts (Eleventy has no drafts of its own: pymark leaves them out
 * of everything), the theme's templates from bench/site/eleventy/, and the site's settings as data.
 */
export function writeEleventyInput(dir, posts) {
  rmSync(dir, { recursive: true, force: true });
  cpSync(new URL('./eleventy/', import.meta.url), dir, { recursive: true });
  mkdirSync(join(dir, 'posts'), { recursive: true });
  mkdirSync(join(dir, '_data'), { recursive: true });
  writeFileSync(
    join(dir, '_data', 'site.json'),
    `${JSON.stringify(
      {
        ...settings,
        description: '',
        author: '',
        language: 'en',
        home_url: '/',
        rss_url: '/rss.xml',
        atom_url: '/atom.xml',
        // pymark's feeds carry the newest 20 posts.
        feed_posts: 20,
      },
      null,
      1,
    )}\n`,
  );
  for (const post of posts) {
    if (post.status !== 'published') continue;
    const [first, second, third, fourth, fifth] = post.paragraphs;
    const body = [
      first,
      `{% youtube "${post.youtubeId}" %}`,
      `${second} Watch {% vimeo "${post.vimeoId}" "Vimeo video" "inline" %} as well. ${third}`,
      ...(post.tagCloud ? ['{% tag_cloud %}'] : []),
      fourth,
      fifth,
    ].join('\n\n');
    writeFileSync(
      join(dir, 'posts', `${post.slug}.md`),
      `---\ntitle: "${post.title}"\ndate: ${post.date}\nupdated: "${post.date}"\ntags: [${post.tags.map((tag) => `"${tag}"`).join(', ')}]\ncategories: []\nlayout: post.liquid\npermalink: "/posts/${post.slug}/"\n---\n${body}\n`,
    );
  }
}
