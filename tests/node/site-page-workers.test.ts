import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PageWorkers } from '../../src/cli/page-workers';
import { defaultSiteSettings } from '../../src/core/site-settings';
import { type PageRequest, type PageSetup, renderPagesInPlace } from '../../src/site/page-renderer';
import { SiteUrls } from '../../src/site/site-urls';
import { buildNodeBundles } from './site-harness';

/*
 * `pymark build` renders a large build's pages in worker threads (the bundled page-worker.mjs):
 * they must come out exactly as the engine renders them in place, template errors included.
 */

let workers: PageWorkers;

beforeAll(async () => {
  workers = new PageWorkers(pathToFileURL(join(await buildNodeBundles(), 'page-worker.mjs')));
}, 120_000);

afterAll(() => workers.dispose());

const settings = { ...defaultSiteSettings(), title: 'Threads & pages', base_url: 'https://example.test/' };
const urls = new SiteUrls(settings.base_url);

/** 300 pages: posts (one of them shared by every list) and lists of them, in the theme's templates. */
function pages(): PageRequest[] {
  const post = (index: number) => ({
    title: `Post <${index}>`,
    slug: `post-${index}`,
    url: urls.post(`post-${index}`).url,
    date: new Date(Date.UTC(2024, 0, 1 + index)).toISOString(),
    tags: [{ name: 'tag', url: urls.tag('tag').url }],
    categories: [],
    summary: `Summary of ${index} & more`,
    content: `<p>Post ${index}</p>`,
  });
  const shared = post(0);
  return Array.from({ length: 300 }, (_, index) =>
    index % 3 === 0
      ? {
          location: urls.home(index + 1),
          template: 'list',
          scope: {
            posts: [shared, post(index)],
            page: { kind: 'home', title: `Page ${index}` },
            pagination: { page: index + 1, pages: 300, previous_url: null, next_url: null },
          },
        }
      : {
          location: urls.post(`post-${index}`),
          template: 'post',
          scope: { post: post(index), page: { kind: 'post', title: `Post ${index}` } },
        },
  );
}

test('pages rendered in worker threads are the pages rendered in place, in order', async () => {
  const setup: PageSetup = { templates: new Map(), settings, stylesheets: ['/theme/site.0123456789ab.css'] };
  const requests = pages();
  const inPlace = await renderPagesInPlace.renderPages(setup, requests);
  const threaded = await workers.renderPages(setup, requests);
  expect(threaded).toEqual(inPlace);
  expect(threaded.every((outcome) => 'html' in outcome)).toBe(true);
  // Each page its own: the threads' shares are put back in the pages' order.
  expect(threaded[299]).toMatchObject({ html: expect.stringContaining('Post 299') });
});

test('a template error in a worker thread is located as in place', async () => {
  const setup: PageSetup = {
    templates: new Map([['post.liquid', '<h1>{{ post.title }}</h1>\n{{ post.title | no_such_filter }}']]),
    settings,
    stylesheets: [],
  };
  const requests = pages();
  const threaded = await workers.renderPages(setup, requests);
  expect(threaded).toEqual(await renderPagesInPlace.renderPages(setup, requests));
  expect(threaded[1]).toMatchObject({
    problem: { file: 'templates/post.liquid', line: 2, message: expect.stringContaining('no_such_filter') },
  });
});

test('a page worker that cannot start fails the pages with its error, not the process', async () => {
  const broken = new PageWorkers(pathToFileURL(join(tmpdir(), 'no-such-folder', 'page-worker.mjs')));
  // Started ahead, as a build does while Python runs: its failure waits for the pages.
  broken.prepare(300);
  const setup: PageSetup = { templates: new Map(), settings, stylesheets: [] };
  await expect(broken.renderPages(setup, pages())).rejects.toThrow(/page-worker\.mjs|Cannot find module/);
  await broken.dispose();
});
