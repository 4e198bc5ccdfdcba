import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  type PageOutcome,
  type PageRendering,
  type PageRequest,
  type PageSetup,
  renderPagesInPlace,
} from '../site/page-renderer';

export interface PageWorkerRequest {
  setup: PageSetup;
  pages: PageRequest[];
}

export type PageWorkerResponse = PageOutcome[];

/**
 * Pages below this many are rendered in place: a rebuild after an edit renders a handful, and a
 * thread costs tens of milliseconds to start and to load Liquid.
 */
const pagesWorthThreads = 200;

/**
 * Liquid over a full build's pages is a single thread's work of a second or more: spread over one
 * worker thread per core (Python is done by then), it takes a share of each, on an idle machine and
 * on a loaded one alike. Each thread gets every n-th page, so post pages and list pages mix alike.
 */
export class PageWorkers implements PageRendering {
  #workers: Worker[] = [];

  /** `workerUrl`: the bundled page-worker.mjs, beside this module in dist-node/. */
  constructor(private readonly workerUrl = new URL('./page-worker.mjs', import.meta.url)) {}

  prepare(pages: number): void {
    if (pages >= pagesWorthThreads) this.#start();
  }

  async renderPages(setup: PageSetup, pages: readonly PageRequest[]): Promise<PageOutcome[]> {
    if (pages.length < pagesWorthThreads) return renderPagesInPlace.renderPages(setup, pages);
    const workers = this.#start();
    const count = workers.length;
    const shares = await Promise.all(
      workers.map((worker, share) =>
        ask(worker, { setup, pages: pages.filter((_, index) => index % count === share) }),
      ),
    );
    return pages.map((_, index) => shares[index % count]![Math.floor(index / count)]!);
  }

  #start(): Worker[] {
    if (this.#workers.length === 0)
      this.#workers = Array.from({ length: availableParallelism() }, () => new Worker(this.workerUrl));
    return this.#workers;
  }

  /** Ends the threads. */
  async dispose(): Promise<void> {
    const workers = this.#workers;
    this.#workers = [];
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function ask(worker: Worker, request: PageWorkerRequest): Promise<PageWorkerResponse> {
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => {
      worker.off('message', answer);
      reject(error instanceof Error ? error : new Error(`a page worker stopped: ${String(error)}`));
    };
    const answer = (response: PageWorkerResponse) => {
      worker.off('error', fail);
      resolve(response);
    };
    worker.once('message', answer);
    worker.once('error', fail);
    worker.postMessage(request);
  });
}
