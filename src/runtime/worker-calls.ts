import { z } from 'zod';

/** The part of a `Worker` that `WorkerCalls` uses, so a test can stand in for it. */
export interface CallableWorker<Request> {
  postMessage(request: Request): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

interface Waiting<Answer, Context> {
  resolve(answer: Answer): void;
  reject(error: Error): void;
  context: Context;
}

/**
 * What a worker may ask the page while it works on a request (the render worker: a macro batch for
 * Python). A question names its request by `id`; `answer` gets the context that request was sent
 * with, and its reply goes back to the worker.
 */
export interface WorkerQuestions<Question extends { id: number }, Reply, Context> {
  schema: z.ZodType<Question>;
  answer(question: Question, context: Context): Promise<Reply>;
}

/**
 * Requests to a worker that answers each one by its `id`: the worker is made on first use, every
 * answer is checked with `answerSchema`, and if the worker fails, the waiting requests fail with the
 * reason (`what` names the worker in it) and the next request gets a new worker.
 */
export class WorkerCalls<
  Request extends { id: number },
  Answer extends { id: number },
  Question extends { id: number } = never,
  Reply = never,
  Context = undefined,
> {
  #worker: CallableWorker<Request | Reply> | undefined;
  #nextId = 0;
  readonly #waiting = new Map<number, Waiting<Answer, Context>>();

  constructor(
    private readonly what: string,
    private readonly createWorker: () => CallableWorker<Request | NoInfer<Reply>>,
    private readonly answerSchema: z.ZodType<Answer>,
    private readonly questions?: WorkerQuestions<Question, Reply, Context>,
  ) {}

  /**
   * Sends `request` (given its id here) and resolves with the worker's answer to it; `context` goes
   * to the answers to the worker's questions about it.
   */
  call(
    request: Omit<Request, 'id'>,
    ...[context]: [Context] extends [undefined] ? [] : [Context]
  ): Promise<Answer> {
    const id = this.#nextId++;
    const worker = this.#started();
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject, context: context as Context });
      worker.postMessage({ ...request, id } as Request);
    });
  }

  #started(): CallableWorker<Request | Reply> {
    if (this.#worker) return this.#worker;
    const worker = this.createWorker();
    worker.addEventListener('message', (event) => {
      const question = this.questions?.schema.safeParse(event.data);
      if (question?.success) {
        const asking = this.#waiting.get(question.data.id);
        if (asking)
          void this.questions!.answer(question.data, asking.context).then((reply) =>
            worker.postMessage(reply),
          );
        return;
      }
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
