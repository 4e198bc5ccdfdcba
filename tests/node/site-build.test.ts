import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFeed } from '@rowanmanning/feed-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NodeProjectSource, NodeSiteTarget } from '../../src/cli/node-folders';
import { createNodeRuntime, type NodeRuntime } from '../../src/runtime/node/node-runtime';
import type { BuildManifestStore } from '../../src/site/build-manifest';
import { type BuildResult, SiteBuilder } from '../../src/site/build-site';
import { readProject, type SiteProject } from '../../src/site/project';
import { publishedFiles, writeSite } from '../../src/site/site-writer';
import { hashBytes } from '../../src/storage/folder/content-hash';
import { sharedSnapshots } from './python-snapshot';
import {
  blogFixture,
  buildNodeBundles,
  copyFixture,
  referenceFixture,
  referenceProject,
} from './site-harness';

/*
 * The site engine over real Pyodide in Node worker threads (the runtime the CLI uses), building the
 * fixture projects in tests/fixtures/.
 */

let python: NodeRuntime;

beforeAll(async () => {
  const bundles = await buildNodeBundles();
  python = createNodeRuntime({
    workers: 1,
    workerUrl: new URL(`file://${bundles}/python-worker.mjs`),
    snapshots: sharedSnapshots,
  });
  await python.ready();
}, 180_000);

afterAll(() => python?.dispose());

async function project(dir: string): Promise<SiteProject> {
  const read = await readProject(new NodeProjectSource(dir));
  if (!read.ok) throw new Error(JSON.stringify(read.problems));
  return read.project;
}

async function built(dir: string, builder = new SiteBuilder(python)) {
  const result = await builder.build(await project(dir));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result;
}

const text = (result: BuildResult & { ok: true }, path: string) => {
  const bytes = result.files.get(path);
  if (!bytes) throw new Error(`no ${path} in ${[...result.files.keys()].join(', ')}`);
  return new TextDecoder().decode(bytes);
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('building the fixture blog', () => {
  let result: BuildResult & { ok: true };
  beforeAll(async () => {
    result = await built(blogFixture);
  }, 120_000);

  test('makes every page at its documented URL, each as index.html in its folder', () => {
    expect([...result.files.keys()]).toEqual([
      '2026/01/index.html',
      '2026/02/index.html',
      '2026/03/index.html',
      '2026/index.html',
      '2026/page/2/index.html',
      '404.html',
      'assets/extra.css',
      'assets/img/dot.gif',
      'atom.xml',
      'category/media/index.html',
      'category/notes/index.html',
      'index.html',
      'page/2/index.html',
      'posts/cloud/index.html',
      'posts/hello/index.html',
      'posts/march/index.html',
      'posts/videos/index.html',
      'rss.xml',
      'sitemap.xml',
      'tag/meta/index.html',
      'tag/pyodide/index.html',
      'tag/python/index.html',
      'tag/python/page/2/index.html',
      'tag/video/index.html',
      expect.stringMatching(/^theme\/pico\.[0-9a-f]{12}\.css$/),
      expect.stringMatching(/^theme\/site\.[0-9a-f]{12}\.css$/),
    ]);
    expect(result.stats).toMatchObject({ posts: 4, drafts: 1, macroCalls: 3 });
  });

  test('post pages carry the sanitized macro output, escaped titles and links under base_url', () => {
    const page = text(result, 'posts/videos/index.html');
    expect(page).toContain('<h1>Videos &amp; &lt;embeds&gt;</h1>');
    expect(page).toContain(
      '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0" title="Never Gonna"',
    );
    expect(page).toContain('<iframe src="https://player.vimeo.com/video/76979871"');
    expect(page).toContain('<a href="/sub/tag/video/">#video</a>');
    expect(page).toContain('<link rel="canonical" href="https://blog.example/sub/posts/videos/">');
    expect(page).toMatch(/<link rel="stylesheet" href="\/sub\/theme\/site\.[0-9a-f]{12}\.css">/);
  });

  test('lists are newest first and paginated by posts_per_page, with links between pages', () => {
    const home = text(result, 'index.html');
    const titles = [...home.matchAll(/<h2><a href="([^"]+)">([^<]+)<\/a><\/h2>/g)].map((match) => match[1]);
    expect(titles).toEqual(['/sub/posts/march/', '/sub/posts/cloud/']);
    expect(home).toContain('<a href="/sub/page/2/" rel="next">');
    const second = text(result, 'page/2/index.html');
    expect(second).toContain('/sub/posts/videos/');
    expect(second).toContain('/sub/posts/hello/');
    expect(second).toContain('<a href="/sub/" rel="prev">');
    expect(second).not.toContain('rel="next"');
    expect(text(result, 'tag/python/page/2/index.html')).toContain('/sub/posts/hello/');
    expect(text(result, '2026/02/index.html')).toContain('/sub/posts/cloud/');
  });

  test('drafts appear nowhere: pages, lists, feeds, sitemap, tag counts', () => {
    for (const [path, bytes] of result.files) {
      const content = new TextDecoder().decode(bytes);
      expect(content, path).not.toContain('A draft secret');
      expect(content, path).not.toContain('secret-tag');
      expect(content, path).not.toContain('posts/later');
    }
    expect(result.files.has('category/drafts/index.html')).toBe(false);
    // The tag cloud counts published posts only: python is on three of them.
    expect(text(result, 'posts/cloud/index.html')).toContain(
      '&quot;text&quot;:&quot;python&quot;,&quot;size&quot;:56,&quot;count&quot;:3',
    );
  });

  test('a template in the project overrides the theme by name, and assets are copied as they are', () => {
    expect(text(result, 'index.html')).toContain('Overridden footer for Fixture Blog');
    expect(text(result, 'assets/extra.css')).toBe(
      readFileSync(join(blogFixture, 'assets/extra.css'), 'utf8'),
    );
    expect(result.files.get('assets/img/dot.gif')).toEqual(
      new Uint8Array(readFileSync(join(blogFixture, 'assets/img/dot.gif'))),
    );
  });

  test('the 404 page uses the not_found template', () => {
    const page = text(result, '404.html');
    expect(page).toContain('<h1>Page not found</h1>');
    expect(page).toContain('<a href="/sub/">home page</a>');
  });

  test('RSS and Atom parse, with absolute URLs and the full post HTML', () => {
    for (const path of ['rss.xml', 'atom.xml']) {
      const feed = parseFeed(text(result, path));
      expect(feed.title).toBe('Fixture Blog');
      expect(feed.items.map((item) => item.url)).toEqual([
        'https://blog.example/sub/posts/march/',
        'https://blog.example/sub/posts/cloud/',
        'https://blog.example/sub/posts/videos/',
        'https://blog.example/sub/posts/hello/',
      ]);
      const videos = feed.items[2]!;
      expect(videos.title).toBe('Videos & <embeds>');
      expect(videos.content).toContain('<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0"');
      expect(videos.published?.toISOString()).toBe('2026-01-20T09:00:00.000Z');
      expect(videos.categories.map((category) => category.term).sort()).toEqual(['media', 'video']);
      // Root-relative links in a post become absolute: a reader shows it away from the site.
      expect(feed.items[3]!.content).toContain(
        '<a href="https://blog.example/sub/posts/videos/">the videos</a>',
      );
    }
    expect(text(result, 'atom.xml')).toContain('<author><name>Ada Example</name></author>');
  });

  test('the sitemap lists every page but the 404, with absolute URLs', () => {
    const locations = [...text(result, 'sitemap.xml').matchAll(/<loc>([^<]+)<\/loc>/g)].map(
      (match) => match[1],
    );
    const pages = [...result.files.keys()]
      .filter((path) => path.endsWith('index.html'))
      .map((path) => `https://blog.example/sub/${path.replace(/index\.html$/, '')}`);
    expect(locations.sort()).toEqual(pages.sort());
  });
});

describe('incremental, deterministic output', () => {
  test('two builds of the same input are byte-identical', async () => {
    const first = await built(blogFixture);
    const second = await built(blogFixture);
    expect([...second.files.keys()]).toEqual([...first.files.keys()]);
    for (const [path, bytes] of first.files) expect(second.files.get(path), path).toEqual(bytes);
  }, 120_000);

  test('a rebuild writes only changed files, runs no unchanged macro, and removes what no longer belongs', async () => {
    const dir = copyFixture(blogFixture);
    const out = join(dir, 'site');
    const builder = new SiteBuilder(python);
    const first = await built(dir, builder);
    const firstWrite = await writeSite(first.files, new NodeSiteTarget(out));
    expect(firstWrite.written).toHaveLength(first.files.size);

    const again = await built(dir, builder);
    expect(again.stats.macrosRun).toBe(0);
    expect(await writeSite(again.files, new NodeSiteTarget(out))).toEqual({
      written: [],
      unchanged: first.files.size,
      removed: [],
    });

    // The body of one post changes; its first paragraph is its summary in the lists that show it.
    const hello = join(dir, 'posts/hello.md');
    writeFileSync(hello, readFileSync(hello, 'utf8').replace('Second paragraph.', 'A changed paragraph.'));
    const edited = await built(dir, builder);
    const editWrite = await writeSite(edited.files, new NodeSiteTarget(out));
    expect(editWrite.written).toEqual(['posts/hello/index.html', 'rss.xml', 'atom.xml'].sort());
    expect(edited.stats.macrosRun).toBe(0);

    // A post goes away: its page, its tag's pages and an emptied archive go too, folders included.
    rmSync(join(dir, 'posts/march.md'));
    const fewer = await built(dir, builder);
    // The site data changed, so the memoized tag cloud, which read it, is not reused (python is on
    // two posts now); the players read none of it and are.
    expect(fewer.stats.macrosRun).toBe(1);
    expect(text(fewer, 'posts/cloud/index.html')).toContain(
      '&quot;text&quot;:&quot;python&quot;,&quot;size&quot;:56,&quot;count&quot;:2',
    );
    const removed = await writeSite(fewer.files, new NodeSiteTarget(out));
    expect(removed.removed).toEqual([
      '2026/03/index.html',
      'posts/march/index.html',
      'tag/python/page/2/index.html',
    ]);
    const left = filesUnder(out);
    expect(left).not.toContain('posts/march/index.html');
    expect(readdirSync(join(out, 'posts'))).not.toContain('march');
    expect(readdirSync(join(out, '2026'))).not.toContain('03');
  }, 180_000);
});

describe("the site data holds the posts' bodies, as the preview's does", () => {
  const excerpt = `"""
---
id: "5d0c8a52-1f7e-4f57-9a59-0d3f3c1b2a01"
title: "Excerpt"
kind: "macro"
entrypoint: "render"
enabled: true
version: 1
createdAt: "2026-11-24T00:00:00.000Z"
updatedAt: "2026-11-24T00:00:00.000Z"
---
"""
import html

from pymark import site


def render(context):
    body = site.post(context["params"]["of"])["body"]
    return "<blockquote>" + html.escape(body.split("\\n\\n")[1]) + "</blockquote>"
`;
  const related = `---
id: "00000000-0000-4000-8000-000000000099"
title: "Related"
status: "published"
tags: [ "meta" ]
categories: [  ]
createdAt: "2026-04-01T08:00:00.000Z"
updatedAt: "2026-04-01T08:00:00.000Z"
publishedAt: "2026-04-01T08:00:00.000Z"
---
From the first post:

[[excerpt of="hello"]]
`;

  test("a macro shows another post's body and runs again when it changes; a tag cloud only when tags do, not on a new updated_at", async () => {
    const dir = copyFixture(blogFixture);
    writeFileSync(join(dir, 'scripts/excerpt.py'), excerpt);
    writeFileSync(join(dir, 'posts/related.md'), related);
    const hello = join(dir, 'posts/hello.md');
    const edit = (from: string, to: string) =>
      writeFileSync(hello, readFileSync(hello, 'utf8').replace(from, to));
    // As `pymark build` does: a new builder each time, with the stored manifest and macro memo.
    let stored: Uint8Array | undefined;
    const manifest: BuildManifestStore = {
      read: async () => stored,
      write: async (bytes) => {
        stored = bytes;
      },
    };
    const memo = new SiteBuilder(python).batcher.memo;
    const build = async () => {
      const builder = new SiteBuilder(python, { memo, manifest });
      const result = await built(dir, builder);
      await builder.saveManifest();
      return result;
    };

    const first = await build();
    expect(text(first, 'posts/related/index.html')).toContain('<blockquote>Second paragraph.</blockquote>');

    edit('Second paragraph.', 'A changed paragraph.');
    const bodyEdited = await build();
    expect(text(bodyEdited, 'posts/related/index.html')).toContain(
      '<blockquote>A changed paragraph.</blockquote>',
    );
    // The excerpt ran again; the tag cloud, which read no body, did not.
    expect(bodyEdited.stats.macrosRun).toBe(1);

    // What an autosave changes besides the text: neither macro read any post's updated_at.
    edit('updatedAt: "2026-01-05T10:00:00.000Z"', 'updatedAt: "2026-01-06T10:00:00.000Z"');
    const touched = await build();
    expect(touched.stats).toMatchObject({ macrosRun: 0, postsRendered: 1 });

    edit('"pyodide"', '"wasm"');
    const tagEdited = await build();
    expect(text(tagEdited, 'posts/cloud/index.html')).toContain('&quot;text&quot;:&quot;wasm&quot;');
    // Only the tag cloud: the excerpt read bodies, ids and slugs, and none of them changed.
    expect(tagEdited.stats.macrosRun).toBe(1);
  }, 180_000);
});

describe('incremental rebuilds equal a clean full build, file for file', () => {
  /** Every file under `dir` (the write manifest too) with its SHA-256. */
  async function hashesUnder(dir: string): Promise<Record<string, string>> {
    const hashes: Record<string, string> = {};
    for (const path of filesUnder(dir)) hashes[path] = await hashBytes(readFileSync(join(dir, path)));
    return hashes;
  }

  const edit = (dir: string, path: string, from: string | RegExp, to: string) => {
    const file = join(dir, path);
    const before = readFileSync(file, 'utf8');
    const after = before.replace(from, to);
    if (after === before) throw new Error(`${path} has no ${from}`);
    writeFileSync(file, after);
  };

  const steps: [string, (dir: string) => void][] = [
    ['a body', (dir) => edit(dir, 'posts/hello.md', 'Second paragraph.', 'A changed paragraph.')],
    [
      'a title',
      (dir) => edit(dir, 'posts/videos.md', 'title: "Videos & <embeds>"', 'title: "Moving pictures"'),
    ],
    ['a tag', (dir) => edit(dir, 'posts/hello.md', '"pyodide"', '"wasm"')],
    [
      'a template',
      (dir) => edit(dir, 'templates/partials/footer.liquid', 'Overridden footer', 'Another footer'),
    ],
    ['a script', (dir) => edit(dir, 'scripts/vimeo.py', '"Vimeo video"', '"A Vimeo video"')],
    ['site.yml', (dir) => edit(dir, 'site.yml', 'title: "Fixture Blog"', 'title: "Renamed Blog"')],
    ['a deleted post', (dir) => rmSync(join(dir, 'posts/march.md'))],
    ['a post turned draft', (dir) => edit(dir, 'posts/videos.md', 'status: "published"', 'status: "draft"')],
  ];

  test('in the CLI (manifest stored, a new builder each time) and in one long-lived builder (the app)', async () => {
    const dir = copyFixture(blogFixture);
    const work = mkdtempSync(join(tmpdir(), 'pymark-incremental-'));
    let stored: Uint8Array | undefined;
    const store: BuildManifestStore = {
      read: async () => stored,
      write: async (bytes) => {
        stored = bytes;
      },
    };
    const longLived = new SiteBuilder(python);
    const cliOut = join(work, 'cli');
    const appOut = join(work, 'app');
    /** As `pymark build` does: a fresh builder, its manifest from the store, unchanged pages left in place. */
    const cliBuild = async () => {
      const builder = new SiteBuilder(python, { memo: longLived.batcher.memo, manifest: store });
      const target = new NodeSiteTarget(cliOut);
      const result = await builder.build(await project(dir), { published: await publishedFiles(target) });
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      const written = await writeSite(result.files, target, result.kept);
      await builder.saveManifest();
      return { result, written };
    };
    const appBuild = async () => {
      const result = await built(dir, longLived);
      expect(result.kept.size).toBe(0);
      await writeSite(result.files, new NodeSiteTarget(appOut));
      return result;
    };
    const first = await cliBuild();
    await appBuild();
    const pagesOf = (result: BuildResult & { ok: true }) =>
      [...result.files.keys()].filter((path) => path.endsWith('.html')).length;
    expect(first.result.stats.pagesRendered).toBe(pagesOf(first.result));

    for (const [index, [what, change]] of steps.entries()) {
      change(dir);
      const { result, written } = await cliBuild();
      const app = await appBuild();
      // A clean full build: a new builder with no manifest into a new folder (the macro memo only
      // spares Python the same runs; what it holds is checked by the macro batcher's tests).
      const cleanOut = join(work, `clean-${index}`);
      const clean = await built(dir, new SiteBuilder(python, { memo: longLived.batcher.memo }));
      expect(clean.stats.pagesRendered).toBe(pagesOf(clean));
      await writeSite(clean.files, new NodeSiteTarget(cleanOut));
      const expected = await hashesUnder(cleanOut);
      expect(await hashesUnder(cliOut), `after ${what}, the CLI's rebuild`).toEqual(expected);
      expect(await hashesUnder(appOut), `after ${what}, the long-lived builder's`).toEqual(expected);
      if (what === 'a body') {
        // Only the edited post is rendered again, and only the pages that show it.
        expect(result.stats.postsRendered).toBe(1);
        expect(app.stats.postsRendered).toBe(1);
        expect(result.stats.pagesRendered).toBeLessThan(10);
        expect(result.kept.size).toBeGreaterThan(5);
        expect(written.written).toEqual(['atom.xml', 'posts/hello/index.html', 'rss.xml']);
      }
      if (what === 'a template') expect(result.stats.postsRendered).toBe(0);
      if (what === 'a script') expect(result.stats.postsRendered).toBe(1);
    }
  }, 300_000);
});

describe('errors fail the build, located, and nothing is written', () => {
  const boom = `"""
---
id: "6a1c1f4e-9a55-4a43-9a36-7a1d1f0c3b11"
title: "Boom"
kind: "macro"
---
"""
def render(context):
    value = context["params"]["n"]
    raise ValueError(f"bad n {value}")
`;

  test('a macro that raises: the post file, line and column, the script and its line', async () => {
    const dir = copyFixture(blogFixture);
    writeFileSync(join(dir, 'scripts/boom.py'), boom);
    const hello = join(dir, 'posts/hello.md');
    writeFileSync(hello, `${readFileSync(hello, 'utf8')}\nText [[boom n=1]] more.\n`);
    const result = await new SiteBuilder(python).build(await project(dir));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.objectContaining({
        file: 'posts/hello.md',
        line: 17,
        column: 6,
        script: 'boom.py',
        scriptLine: 3,
        message: expect.stringMatching(/\[\[boom\]\] failed \(exception\): .*ValueError: bad n 1/),
      }),
    ]);
  }, 60_000);

  test('an unknown macro stays as its text with a located warning, or fails the build when asked to', async () => {
    const dir = copyFixture(blogFixture);
    const hello = join(dir, 'posts/hello.md');
    writeFileSync(hello, `${readFileSync(hello, 'utf8')}\n[[nosuch a=1]]\n\nSee [[other]] inline.\n`);
    const kept = await built(dir);
    const page = text(kept, 'posts/hello/index.html');
    expect(page).toContain('<p>[[nosuch a=1]]</p>');
    expect(page).toContain('<p>See [[other]] inline.</p>');
    expect(page).not.toContain('pymark-macro-unknown');
    expect(kept.warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: 'posts/hello.md',
          line: 17,
          column: 1,
          message: expect.stringContaining('[[nosuch]]'),
        }),
        expect.objectContaining({
          file: 'posts/hello.md',
          line: 19,
          column: 5,
          message: expect.stringContaining('[[other]]'),
        }),
      ]),
    );

    const strict = await new SiteBuilder(python).build(await project(dir), { allowUnknownMacros: false });
    expect(strict.ok).toBe(false);
    if (!strict.ok)
      expect(strict.problems).toEqual([
        expect.objectContaining({
          file: 'posts/hello.md',
          line: 17,
          column: 1,
          message: expect.stringContaining('unknown macro [[nosuch]]'),
        }),
        expect.objectContaining({ file: 'posts/hello.md', line: 19, column: 5 }),
      ]);
  }, 60_000);

  test('a template error names the template and its line', async () => {
    const dir = copyFixture(blogFixture);
    writeFileSync(
      join(dir, 'templates/post.liquid'),
      '<h1>{{ post.title }}</h1>\n<p>{{ post.title | no_such_filter }}</p>\n',
    );
    const result = await new SiteBuilder(python).build(await project(dir));
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems[0]).toEqual(
        expect.objectContaining({
          file: 'templates/post.liquid',
          line: 2,
          message: expect.stringContaining('no_such_filter'),
        }),
      );
  }, 60_000);

  test('unreadable posts and a bad site.yml are each reported at their line before anything renders', async () => {
    const dir = copyFixture(blogFixture);
    writeFileSync(join(dir, 'site.yml'), 'title: "x"\nposts_per_page: many\n');
    writeFileSync(join(dir, 'posts/broken.md'), '---\nid: "not-a-uuid"\ntitle: "Broken"\n---\nbody\n');
    const read = await readProject(new NodeProjectSource(dir));
    expect(read.ok).toBe(false);
    if (!read.ok)
      expect(read.problems).toEqual([
        { file: 'site.yml', line: 2, column: 17, message: 'posts_per_page: must be a whole number' },
        expect.objectContaining({ file: 'posts/broken.md', line: 2 }),
      ]);
  });
});

test('a project folder the reference app wrote builds unchanged, its unknown macro kept as text', async () => {
  const result = await built(referenceProject);
  expect(result.stats).toMatchObject({ posts: 1, drafts: 0 });
  const page = text(result, 'posts/hello/index.html');
  expect(page).toContain('Hello from the desktop');
  expect(page).toContain('[[gallery columns=2]]');
  expect(result.warnings).toEqual([expect.objectContaining({ file: 'posts/hello.md', line: 21, column: 1 })]);
}, 60_000);

test("the reference app's fixture folder builds unchanged", async () => {
  const result = await built(referenceFixture);
  expect(result.stats).toMatchObject({ posts: 0, drafts: 0 });
  expect(text(result, 'index.html')).toContain('No posts yet.');
  expect(parseFeed(text(result, 'rss.xml')).items).toEqual([]);
  expect(parseFeed(text(result, 'atom.xml')).items).toEqual([]);
}, 60_000);
