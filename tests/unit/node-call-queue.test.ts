import { describe, expect, test } from 'vitest';
import { callQueue } from '../../src/runtime/node/node-runtime';
import type { RenderItem, RenderOutcome } from '../../src/runtime/types';

/** A worker whose calls end only when the test says so; it records what it was given. */
class HeldWorker {
  readonly calls: RenderItem[][] = [];
  readonly #ends: (() => void)[] = [];
  renderMany(items: readonly RenderItem[]): Promise<RenderOutcome[]> {
    this.calls.push([...items]);
    return new Promise((resolve) =>
      this.#ends.push(() => resolve(items.map(() => ({ ok: true, html: '', warnings: [] })))),
    );
  }
  endAll(): void {
    for (const end of this.#ends.splice(0)) end();
  }
}

const items = (count: number) => Array.from({ length: count }, () => ({}) as RenderItem);

describe('the Node runtime’s call queue', () => {
  test('calls made while others run go to the free workers, not all to the first', async () => {
    const workers = [new HeldWorker(), new HeldWorker()];
    const queue = callQueue(workers);
    const first = queue.render(items(2));
    const second = queue.render(items(3));
    const third = queue.render(items(1));
    expect(workers.map((worker) => worker.calls.map((call) => call.length))).toEqual([[2], [3]]);
    workers[1]!.endAll();
    await second;
    await expect.poll(() => workers[1]!.calls.map((call) => call.length)).toEqual([3, 1]);
    workers[0]!.endAll();
    workers[1]!.endAll();
    expect((await Promise.all([first, third])).map((outcomes) => outcomes.length)).toEqual([2, 1]);
  });

  test('a worker that joins takes a waiting call at once', async () => {
    const workers = [new HeldWorker()];
    const queue = callQueue(workers);
    void queue.render(items(1));
    void queue.render(items(4));
    const joining = new HeldWorker();
    workers.push(joining);
    queue.dispatch();
    expect(joining.calls.map((call) => call.length)).toEqual([4]);
  });
});
