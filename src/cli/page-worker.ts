import { parentPort } from 'node:worker_threads';
import { PageRenderer } from '../site/page-renderer';
import type { PageWorkerRequest, PageWorkerResponse } from './page-workers';

/*
 * A worker thread of `pymark build` that renders pages with Liquid (page-workers.ts sends them):
 * the same renderer the engine runs in place, so the pages are the same bytes.
 */
parentPort?.on('message', ({ setup, pages }: PageWorkerRequest) => {
  const renderer = new PageRenderer(setup);
  const response: PageWorkerResponse = pages.map((page) => renderer.render(page));
  parentPort?.postMessage(response);
});
