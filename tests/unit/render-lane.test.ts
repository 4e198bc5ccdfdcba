import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WorkerRenderAnswer, WorkerRenderRequest } from '../../src/runtime/protocol';
import { RenderLane, serveRenderLane } from '../../src/runtime/render-lane';

/*
 * Both sides of the lane in one thread: Atomics.waitAsync lets the worker's loop and the page's wait
 * take turns, so the protocol runs as it does across threads.
 */

const lanes: RenderLane[] = [];

afterEach(() => {
  for (const lane of lanes.splice(0)) lane.close();
});

function laneServedBy(
  render: (request: WorkerRenderRequest) => WorkerRenderAnswer | Promise<WorkerRenderAnswer>,
  byteLength = 1024,
) {
  const lane = new RenderLane(byteLength);
  lanes.push(lane);
  const held: WorkerRenderAnswer[] = [];
  const requests: WorkerRenderRequest[] = [];
  void serveRenderLane(
    lane.buffer,
    (request) => {
      requests.push(request);
      return render(request);
    },
    (answer) => held.push(answer),
  );
  return { lane, held, requests };
}

describe('the render lane', () => {
  it('carries requests and answers, text intact, one after the other', async () => {
    const { lane, requests } = laneServedBy(({ batch, site }) => ({
      results: `${batch}|${site ?? 'no site'}`,
      heapBytes: 2 ** 33 + batch.length,
    }));
    const first = lane.send({ batch: 'naïve — 🎉 "quotes"', site: '{"posts":[]}' })!;
    expect(await lane.answer(first)).toEqual({
      kind: 'answered',
      answer: { results: 'naïve — 🎉 "quotes"|{"posts":[]}', heapBytes: 2 ** 33 + 19 },
    });
    const second = lane.send({ batch: 'b' })!;
    expect(second).not.toBe(first);
    expect(await lane.answer(second)).toEqual({
      kind: 'answered',
      answer: { results: 'b|no site', heapBytes: 2 ** 33 + 1 },
    });
    expect(requests).toEqual([{ batch: 'naïve — 🎉 "quotes"', site: '{"posts":[]}' }, { batch: 'b' }]);
  });

  it('refuses a request that does not fit, so it can go by Comlink', async () => {
    const { lane, requests } = laneServedBy(({ batch }) => ({ results: batch, heapBytes: 0 }), 16);
    expect(lane.send({ batch: 'x'.repeat(17) })).toBeUndefined();
    expect(lane.send({ batch: 'x'.repeat(10), site: 'é'.repeat(4) })).toBeUndefined();
    const fits = lane.send({ batch: 'x'.repeat(8), site: 'é'.repeat(4) })!;
    expect(await lane.answer(fits)).toMatchObject({ kind: 'answered' });
    expect(requests).toHaveLength(1);
  });

  it('has the worker hold an answer that does not fit', async () => {
    const { lane, held } = laneServedBy(() => ({ results: 'y'.repeat(17), heapBytes: 5 }), 16);
    expect(await lane.answer(lane.send({ batch: 'b' })!)).toEqual({ kind: 'held' });
    expect(held).toEqual([{ results: 'y'.repeat(17), heapBytes: 5 }]);
  });

  it('answers a request the worker could not render as failed, with its message', async () => {
    const { lane } = laneServedBy(() => {
      throw new Error('Malformed render request: batch');
    });
    expect(await lane.answer(lane.send({ batch: 'b' })!)).toEqual({
      kind: 'failed',
      message: 'Malformed render request: batch',
    });
    // The worker goes on serving.
    expect(await lane.answer(lane.send({ batch: 'c' })!)).toMatchObject({ kind: 'failed' });
  });

  it('releases a wait when closed, and takes no more requests', async () => {
    const { lane } = laneServedBy(() => new Promise(() => {}));
    const waiting = lane.answer(lane.send({ batch: 'b' })!);
    const settled = vi.fn();
    void waiting.then(settled);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).not.toHaveBeenCalled();
    lane.close();
    expect(await waiting).toEqual({ kind: 'closed' });
    expect(lane.send({ batch: 'c' })).toBeUndefined();
  });
});
