import { describe, expect, test } from 'vitest';
import type { MacroContext } from '../../src/core/abi';
import type { RenderItem, RenderOutcome } from '../../src/runtime/types';
import { MacroBatcher } from '../../src/site/macro-batcher';

const script = { id: 's1', version: 1, slug: 'echo', body: 'def render(c): ...', entrypoint: 'render' };

function item(postId: string, value: string, body = script.body): RenderItem {
  const context: MacroContext = {
    macro: 'echo',
    params: { v: { type: 'str', value } },
    args: [],
    env: { preview: false, language: 'en', base_url: 'https://b.example/' },
    post: { id: postId, title: 't', slug: 's', status: 'published', tags: [], categories: [] },
  };
  return { script: { ...script, body }, context };
}

/** Echoes each item's `v`; `fail` raises. Records each call it got. */
class EchoRunner {
  readonly calls: RenderItem[][] = [];
  async renderMany(items: readonly RenderItem[]): Promise<RenderOutcome[]> {
    this.calls.push([...items]);
    return items.map((entry) => {
      const value = entry.context.params.v?.value;
      return value === 'fail'
        ? { ok: false, kind: 'exception', script: 'echo.py', message: 'ValueError: fail', line: 2 }
        : { ok: true, html: `<b>${value}</b>`, warnings: [] };
    });
  }
}

describe('macro batcher', () => {
  test('requests made in the same tick go out as one batch, identical calls once', async () => {
    const runner = new EchoRunner();
    const batcher = new MacroBatcher(runner);
    const outcomes = await Promise.all([
      batcher.renderMany([item('p1', 'a'), item('p1', 'b')]),
      batcher.renderMany([item('p2', 'c')]),
      batcher.renderMany([item('p1', 'a')]),
    ]);
    expect(runner.calls.map((call) => call.length)).toEqual([3]);
    expect(outcomes.map((list) => list.map((outcome) => (outcome.ok ? outcome.html : '')))).toEqual([
      ['<b>a</b>', '<b>b</b>'],
      ['<b>c</b>'],
      ['<b>a</b>'],
    ]);
    expect(batcher.executed).toBe(3);
  });

  test('while held, requests made in different tasks wait and go out as one batch on release', async () => {
    const runner = new EchoRunner();
    const batcher = new MacroBatcher(runner);
    batcher.hold();
    const first = batcher.renderMany([item('p1', 'a')]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    const second = batcher.renderMany([item('p2', 'b'), item('p3', 'a')]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(runner.calls).toEqual([]);
    batcher.release();
    await Promise.all([first, second]);
    // As within one tick: one call of each kind first, then the one alike but for its post (the
    // echo does not say it read nothing of its post).
    expect(runner.calls.map((call) => call.map((entry) => entry.context.post.id))).toEqual([
      ['p1', 'p2'],
      ['p3'],
    ]);
    // Released, it sends each tick's requests again.
    await batcher.renderMany([item('p4', 'c')]);
    expect(runner.calls).toHaveLength(3);
  });

  test('held with sendWhenHeld, calls go out a round trip at a time; each post goes on when its calls are done', async () => {
    const answers: (() => void)[] = [];
    const sent: string[][] = [];
    const echo = new EchoRunner();
    // Answers each call only when the test says so, in any order.
    const runner = {
      renderMany: (items: readonly RenderItem[]) => {
        sent.push(items.map((entry) => `${entry.context.post.id}:${entry.context.params.v?.value}`));
        return new Promise<RenderOutcome[]>((resolve) =>
          answers.push(() => void echo.renderMany(items).then(resolve)),
        );
      },
    };
    const batcher = new MacroBatcher(runner, { sendWhenHeld: 2 });
    const settled: string[] = [];
    const ask = (post: string, values: string[]) =>
      batcher.renderMany(values.map((value) => item(post, value))).then((outcomes) => {
        settled.push(post);
        return outcomes;
      });
    batcher.hold();
    const p1 = ask('p1', ['a', 'b']);
    const p2 = ask('p2', ['a', 'c']);
    const p3 = ask('p3', ['d']);
    batcher.release();
    // p2's `a` is already on its way with p1's: it waits for that one instead of going again.
    expect(sent).toEqual([['p1:a', 'p1:b'], ['p2:c'], ['p3:d']]);
    answers[2]!();
    answers[1]!();
    await p3;
    expect(settled).toEqual(['p3']);
    answers[0]!();
    await p1;
    // The echo does not say it read nothing of its post: p2's `a` runs for p2 once p1's is back.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(sent[3]).toEqual(['p2:a']);
    answers[3]!();
    const outcomes = await p2;
    expect(settled).toEqual(['p3', 'p1', 'p2']);
    expect(outcomes.map((outcome) => (outcome.ok ? outcome.html : ''))).toEqual(['<b>a</b>', '<b>c</b>']);
    expect(batcher.executed).toBe(5);
  });

  test('splits a large batch into calls of at most batchSize', async () => {
    const runner = new EchoRunner();
    const batcher = new MacroBatcher(runner, { batchSize: 2 });
    await batcher.renderMany(['a', 'b', 'c', 'd', 'e'].map((value) => item('p', value)));
    expect(runner.calls.map((call) => call.length)).toEqual([2, 2, 1]);
  });

  test('remembers successes across builds (and a changed body runs again); failures are recorded, never remembered', async () => {
    const runner = new EchoRunner();
    const batcher = new MacroBatcher(runner);
    await batcher.renderMany([item('p1', 'a'), item('p2', 'fail')]);
    expect(batcher.failures.get('p2')?.[0]?.failure).toMatchObject({ message: 'ValueError: fail', line: 2 });
    batcher.resetBuild();
    await batcher.renderMany([
      item('p1', 'a'),
      item('p2', 'fail'),
      item('p1', 'a', 'def render(c): return "x"'),
    ]);
    expect(runner.calls[1]?.map((call) => call.context.params.v?.value)).toEqual(['fail', 'a']);
    expect(batcher.failures.get('p2')).toHaveLength(1);
    expect([...batcher.usedMemo().keys()]).toHaveLength(2);
  });

  test('a runtime that cannot start rejects every waiting request', async () => {
    const batcher = new MacroBatcher({
      renderMany: () => Promise.reject(new Error('Python could not start')),
    });
    await expect(
      Promise.all([batcher.renderMany([item('p', 'a')]), batcher.renderMany([item('q', 'b')])]),
    ).rejects.toThrow('Python could not start');
  });

  test('calls alike but for their post run once when the result read nothing of the post, else once per post', async () => {
    // `v` names what the echo reads: "site" reads the site data, "title" its post's title.
    const runner = {
      calls: [] as RenderItem[][],
      async renderMany(items: readonly RenderItem[]): Promise<RenderOutcome[]> {
        this.calls.push([...items]);
        return items.map(({ context }) => {
          const reads = context.params.v?.value;
          return {
            ok: true,
            html: reads === 'title' ? context.post.title : `<b>${reads}</b>`,
            warnings: [],
            reads: { site: reads === 'site' ? ['posts.tags'] : [], post: reads === 'title' ? ['title'] : [] },
          };
        });
      },
    };
    const batcher = new MacroBatcher(runner);
    batcher.siteVersions = { dataVersion: 'd1' };
    const titled = (postId: string, value: string, title: string) => {
      const call = item(postId, value);
      return { ...call, context: { ...call.context, post: { ...call.context.post, title } } };
    };
    const posts = ['p1', 'p2', 'p3'];
    const outcomes = await Promise.all(
      posts.map((id) => batcher.renderMany([item(id, 'site'), titled(id, 'title', `T ${id}`)])),
    );
    // One site call and the three title calls first... none of which another post can reuse.
    expect(runner.calls.map((call) => call.length)).toEqual([2, 2]);
    expect(outcomes.map((list) => list.map((outcome) => (outcome.ok ? outcome.html : '')))).toEqual(
      posts.map((id) => ['<b>site</b>', `T ${id}`]),
    );

    // Another build: new site data re-runs the site call only; a post with a new title, its own call.
    batcher.resetBuild();
    batcher.siteVersions = { dataVersion: 'd2' };
    await batcher.renderMany([
      item('p1', 'site'),
      titled('p1', 'title', 'T p1'),
      titled('p2', 'title', 'New'),
    ]);
    expect(runner.calls[2]?.map(({ context }) => [context.params.v?.value, context.post.title])).toEqual([
      ['site', 't'],
      ['title', 'New'],
    ]);
    expect(batcher.executed).toBe(2);
    expect([...batcher.usedMemo().values()].flat()).toHaveLength(3);
  });

  test('a call that reads its post, made by more posts than the memo keeps per call, answers every post', async () => {
    // The memo keeps the latest 64 results of a call; the posts of this flush must get theirs all the same.
    const runner = {
      async renderMany(items: readonly RenderItem[]): Promise<RenderOutcome[]> {
        return items.map(({ context }) => ({
          ok: true,
          html: context.post.id,
          warnings: [],
          reads: { site: [], post: ['id'] },
        }));
      },
    };
    const batcher = new MacroBatcher(runner);
    const posts = Array.from({ length: 100 }, (_, index) => `p${index}`);
    const outcomes = await Promise.all(posts.map((id) => batcher.renderMany([item(id, 'same')])));
    expect(outcomes.map(([outcome]) => (outcome?.ok ? outcome.html : outcome))).toEqual(posts);
  });
});
