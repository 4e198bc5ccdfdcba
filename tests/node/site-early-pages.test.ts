import { afterAll, expect, test } from 'vitest';
import { LazyNodeRuntime } from '../../src/cli/lazy-runtime';
import { defaultSiteSettings } from '../../src/core/site-settings';
import { SiteBuilder } from '../../src/site/build-site';
import type { SiteProject, SourcePost } from '../../src/site/project';
import { defaultTheme } from '../../src/site/theme';

/*
 * Post pages render as soon as their posts do, 200 at a time, before the site stylesheet's name (a
 * hash of every macro's CSS) is known: with a stand-in for it, put in place after. A page so rendered
 * must be the very page a late rendering gives: the same post built alone (too few pages to render
 * early) is the reference. No macros here, so Python never starts.
 */

const runtime = new LazyNodeRuntime();
afterAll(() => runtime.dispose());

const settings = { ...defaultSiteSettings(), title: 'Early pages', base_url: 'https://example.test/blog/' };

function post(index: number): SourcePost {
  const day = String(1 + (index % 28)).padStart(2, '0');
  const time = `2025-03-${day}T10:${String(index % 60).padStart(2, '0')}:00.000Z`;
  return {
    file: `posts/post_${index}.md`,
    bodyLine: 10,
    post: {
      id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      title: `Post <${index}> & more`,
      slug: `post_${index}`,
      status: 'published',
      tags: [`tag${index % 7}`],
      categories: [],
      body: `Paragraph of post ${index}, with *emphasis*.\n\nAnother one.\n`,
      createdAt: time,
      updatedAt: time,
      publishedAt: time,
    },
  };
}

function project(posts: SourcePost[], templates = new Map<string, string>()): SiteProject {
  return { settings, posts, scripts: [], templates, assets: [] };
}

async function pages(site: SiteProject): Promise<Map<string, string>> {
  const result = await new SiteBuilder(runtime).build(site);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const decoder = new TextDecoder();
  return new Map([...result.files].map(([path, bytes]) => [path, decoder.decode(bytes)]));
}

const posts = Array.from({ length: 230 }, (_, index) => post(index));

test('post pages rendered early are the pages a late rendering gives, with the real stylesheet', async () => {
  const all = await pages(project(posts));
  const alone = await pages(project([posts[123]!]));
  const stylesheet = [...all.keys()].find((path) => /^theme\/site\.[0-9a-f]{12}\.css$/.test(path));
  expect(stylesheet).toBeDefined();
  const page = all.get('posts/post_123/index.html');
  expect(page).toContain(`<link rel="stylesheet" href="/blog/${stylesheet}">`);
  expect(page).toBe(alone.get('posts/post_123/index.html'));
  for (const [path, html] of all) expect(html.toLowerCase(), path).not.toContain('pendingstyle');
});

test('a template that changes the stylesheet URL gets its pages rendered late, still right', async () => {
  const head = defaultTheme.templates.get('partials/head.liquid')!;
  const shouting = head.replace('href="{{ stylesheet }}"', 'href="{{ stylesheet | upcase }}"');
  expect(shouting).not.toBe(head);
  const templates = new Map([['partials/head.liquid', shouting]]);
  const all = await pages(project(posts, templates));
  const alone = await pages(project([posts[45]!], templates));
  const page = all.get('posts/post_45/index.html');
  expect(page).toMatch(/href="\/BLOG\/THEME\/SITE\.[0-9A-F]{12}\.CSS"/);
  expect(page).toBe(alone.get('posts/post_45/index.html'));
});
