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
  #threads: PageThread[] = [];

  /** `workerUrl`: the bundled page-worker.mjs, beside this module in dist-node/. */
  constructor(private readonly workerUrl = new URL('./page-worker.mjs', import.meta.url)) {}

  prepare(pages: number): void {
    if (pages >= pagesWorthThreads) this.#start();
  }

  async renderPages(setup: PageSetup, pages: readonly PageRequest[]): Promise<PageOutcome[]> {
    if (pages.length < pagesWorthThreads) return renderPagesInPlace.renderPages(setup, pages);
    const threads = this.#start();
    const count = threads.length;
    try {
      const shares = await Promise.all(
        threads.map((thread, share) =>
          ask(thread, { setup, pages: pages.filter((_, index) => index % count === share) }),
        ),
      );
      return pages.map((_, index) => shares[index % count]![Math.floor(index / count)]!);
    } catch (error) {
      // A thread that failed may have left the others mid-answer: the next build starts afresh.
      await this.dispose();
      throw error;
    }
  }

  #start(): PageThread[] {
    if (this.#threads.length === 0)
      this.#threads = Array.from({ length: availableParallelism() }, () => startThread(this.workerUrl));
    return this.#threads;
  }

  /** Ends the threads. */
  async dispose(): Promise<void> {
    const threads = this.#threads;
    this.#threads = [];
    await Promise.all(threads.map(({ worker }) => worker.terminate()));
  }
}

/** A page worker, and why it stopped if it did: listened to from its start, so a failed start is no crash. */
interface PageThread {
  worker: Worker;
  failure?: Error;
  /** Rejects the request in flight. */
  fail?: (error: Error) => void;
  /**
   * Settles when the last request sent is answered: a thread answers one request at a time, and a
   * build sends a post's pages early while others may still be in flight.
   */
  idle: Promise<unknown>;
}

function startThread(workerUrl: URL): PageThread {
  const thread: PageThread = { worker: new Worker(workerUrl), idle: Promise.resolve() };
  const stop = (error: Error) => {
    thread.failure ??= error;
    thread.fail?.(thread.failure);
  };
  thread.worker.on('error', stop);
  thread.worker.on('exit', (code) => stop(new Error(`a page worker thread ended (exit code ${code})`)));
  return thread;
}

function ask(thread: PageThread, request: PageWorkerRequest): Promise<PageWorkerResponse> {
  const answer = thread.idle.then(() => askNow(thread, request));
  thread.idle = answer.catch(() => {});
  return answer;
}

function askNow(thread: PageThread, request: PageWorkerRequest): Promise<PageWorkerResponse> {
  return new Promise((resolve, reject) => {
    if (thread.failure) return reject(thread.failure);
    thread.fail = reject;
    thread.worker.once('message', (response: PageWorkerResponse) => {
      thread.fail = undefined;
      resolve(response);
    });
    thread.worker.postMessage(request);
  });
}
