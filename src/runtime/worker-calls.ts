import { z } from 'zod';

/** The part of a `Worker` that `WorkerCalls` uses, so a test can stand in for it. */
export interface CallableWorker<Request> {
  postMessage(request: Request): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

interface Waiting<Answer> {
  resolve(answer: Answer): void;
  reject(error: Error): void;
}

/**
 * Requests to a worker that answers each one by its `id`: the worker is made on first use, every
 * answer is checked with `answerSchema`, and if the worker fails, the waiting requests fail with the
 * reason (`what` names the worker in it) and the next request gets a new worker.
 */
export class WorkerCalls<Request extends { id: number }, Answer extends { id: number }> {
  #worker: CallableWorker<Request> | undefined;
  #nextId = 0;
  readonly #waiting = new Map<number, Waiting<Answer>>();

  constructor(
    private readonly what: string,
    private readonly createWorker: () => CallableWorker<Request>,
    private readonly answerSchema: z.ZodType<Answer>,
  ) {}

  /** Sends `request` (given its id here) and resolves with the worker's answer to it. */
  call(request: Omit<Request, 'id'>): Promise<Answer> {
    const id = this.#nextId++;
    const worker = this.#started();
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      worker.postMessage({ ...request, id } as Request);
    });
  }

  #started(): CallableWorker<Request> {
    if (this.#worker) return this.#worker;
    const worker = this.createWorker();
    worker.addEventListener('message', (event) => {
      const answer = this.answerSchema.safeParse(event.data);
      // A malformed answer fails the request it names, rather than leaving it waiting for good.
      const id = answer.success ? answer.data.id : idOf(event.data);
      const waiting = id === undefined ? undefined : this.#waiting.get(id);
      if (id === undefined || !waiting) return;
      this.#waiting.delete(id);
      if (answer.success) waiting.resolve(answer.data);
      else
        waiting.reject(
          new Error(`the ${this.what} sent an invalid answer: ${z.prettifyError(answer.error)}`),
        );
    });
    worker.addEventListener('error', (event) => {
      worker.terminate();
      this.#worker = undefined;
      const error = new Error(`the ${this.what} stopped: ${event.message || 'unknown error'}`);
      for (const waiting of this.#waiting.values()) waiting.reject(error);
      this.#waiting.clear();
    });
    this.#worker = worker;
    return worker;
  }
}

/** The request id an answer names, if it names one. */
function idOf(data: unknown): number | undefined {
  const id = typeof data === 'object' && data !== null ? (data as { id?: unknown }).id : undefined;
  return typeof id === 'number' ? id : undefined;
}
