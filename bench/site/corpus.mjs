// The site benchmark's corpus, generated the same way every time (a seeded generator): posts of about
// 400 words with a youtube call on its own line and an inline vimeo call in each, a tag cloud in every
// 50th, every 10th a draft, 40 tags. Written as a Pymark project folder and as an Eleventy input folder
// with the same text, the macros as Liquid shortcodes.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
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
    'title: "Bench blog"\nbase_url: "https://bench.example/"\nposts_per_page: 10\n',
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

export function writeEleventyInput(dir, posts) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'posts'), { recursive: true });
  mkdirSync(join(dir, '_includes'), { recursive: true });
  for (const post of posts) {
    if (post.status !== 'published') continue;
    const [first, second, third, fourth, fifth] = post.paragraphs;
    const body = [
      first,
      `{% youtube "${post.youtubeId}" %}`,
      `${second} Watch {% vimeo "${post.vimeoId}" %} as well. ${third}`,
      ...(post.tagCloud ? ['{% tag_cloud %}'] : []),
      fourth,
      fifth,
    ].join('\n\n');
    writeFileSync(
      join(dir, 'posts', `${post.slug}.md`),
      `---\ntitle: "${post.title}"\ndate: ${post.date}\ntags: [${['post', ...post.tags].map((tag) => `"${tag}"`).join(', ')}]\nlayout: post.liquid\npermalink: "/posts/${post.slug}/"\n---\n${body}\n`,
    );
  }
  const head =
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{{ title }} · Bench blog</title>\n<link rel="stylesheet" href="/theme/pico.css">\n</head>\n<body>\n<main class="container">\n';
  writeFileSync(
    join(dir, '_includes', 'post.liquid'),
    `${head}<article><h1>{{ title }}</h1>\n<p><time datetime="{{ page.date | date: '%Y-%m-%d' }}">{{ page.date | date: "%B %-d, %Y" }}</time></p>\n<ul>{% for tag in tags %}{% if tag != "post" %}<li><a href="/tag/{{ tag }}/">#{{ tag }}</a></li>{% endif %}{% endfor %}</ul>\n{{ content }}</article>\n</main>\n</body>\n</html>\n`,
  );
  const list = (title) =>
    `${head}<h1>${title}</h1>\n{% for item in pagination.items %}<article><h2><a href="{{ item.url }}">{{ item.data.title }}</a></h2><time>{{ item.date | date: "%B %-d, %Y" }}</time></article>\n{% endfor %}\n{% if pagination.href.previous %}<a href="{{ pagination.href.previous }}">Newer</a>{% endif %}{% if pagination.href.next %}<a href="{{ pagination.href.next }}">Older</a>{% endif %}\n</main>\n</body>\n</html>\n`;
  writeFileSync(
    join(dir, 'index.liquid'),
    `---\npagination:\n  data: collections.post\n  size: 10\n  reverse: true\n  alias: items\npermalink: "/{% if pagination.pageNumber > 0 %}page/{{ pagination.pageNumber | plus: 1 }}/{% endif %}"\n---\n${list('Bench blog')}`,
  );
  writeFileSync(
    join(dir, 'tags.liquid'),
    `---\npagination:\n  data: collections.tagPages\n  size: 1\n  alias: tagPage\npermalink: "/tag/{{ tagPage.tag }}/{% if tagPage.number > 1 %}page/{{ tagPage.number }}/{% endif %}"\n---\n${list(
      'Tag: {{ tagPage.tag }}',
    )
      .replace('pagination.items', 'tagPage.posts')
      .replace(/\{% if pagination\.href[^\n]*\n/, '\n')}`,
  );
  writeFileSync(
    join(dir, 'feed.liquid'),
    '---\npermalink: /rss.xml\n---\n<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Bench blog</title><link>https://bench.example/</link><description>Bench blog</description>\n{% assign newest = collections.post | reverse %}{% for item in newest limit: 20 %}<item><title>{{ item.data.title | escape }}</title><link>https://bench.example{{ item.url }}</link><guid>https://bench.example{{ item.url }}</guid><description>{{ item.content | escape }}</description></item>\n{% endfor %}</channel></rss>\n',
  );
  writeFileSync(
    join(dir, 'sitemap.liquid'),
    '---\npermalink: /sitemap.xml\n---\n<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{% for item in collections.all %}<url><loc>https://bench.example{{ item.url }}</loc></url>\n{% endfor %}</urlset>\n',
  );
}
