import { describe, expect, it } from 'vitest';
import { readIncomingPost } from '../../src/core/incoming-post';
import type { Post } from '../../src/core/post';
import type { Script } from '../../src/core/script';
import type { TransformInput } from '../../src/core/transform-abi';
import type { MacroScript, TransformOutcome } from '../../src/runtime/types';
import type { NewPost } from '../../src/storage/post-store';
import { IncomingPosts, type LastTransformMemory, postToSave } from '../../src/ui/incoming-posts';

function script(slug: string, overrides: Partial<Script> = {}): Script {
  return {
    id: `${slug}-id`,
    title: slug,
    slug,
    kind: 'transform',
    entrypoint: 'transform',
    enabled: true,
    body: '',
    version: 1,
    createdAt: '2026-11-24T00:00:00.000Z',
    updatedAt: '2026-11-24T00:00:00.000Z',
    ...overrides,
  };
}

const shared = readIncomingPost('?share_title=Shared&share_text=Words&share_url=https%3A%2F%2Fa.example%2F');

/** Transforms that answer when the test says so, so a slow one can be overtaken. */
function setUp(scripts: Script[], deleted: string[] = [], lastTransform?: LastTransformMemory) {
  const created: NewPost[] = [];
  const calls: {
    script: MacroScript;
    post: TransformInput;
    signal?: AbortSignal;
    answer(outcome: TransformOutcome): void;
  }[] = [];
  let forgotten = 0;
  const incoming = new IncomingPosts({
    scripts: {
      list: async () => scripts,
      get: async (id) => scripts.find((candidate) => candidate.id === id && !deleted.includes(id)),
    },
    posts: {
      create: async (input) => {
        created.push(input);
        return { id: 'new-post' } as Post;
      },
    },
    runtime: {
      transformPost: (script, post, signal) =>
        new Promise((answer) => calls.push({ script, post, signal, answer })),
    },
    forget: () => forgotten++,
    lastTransform,
  });
  return { incoming, created, calls, forgotten: () => forgotten };
}

const madeBy = (title: string): TransformOutcome => ({
  ok: true,
  post: { title, body: 'b', tags: ['t'], categories: [] },
  printed: '',
});

describe('a post arriving from outside', () => {
  it('goes through the first enabled transform, and is saved as what it made', async () => {
    const { incoming, created, calls, forgotten } = setUp([
      script('utility_one', { kind: 'utility' }),
      script('off', { enabled: false }),
      script('link_post'),
    ]);
    const received = incoming.receive(shared);
    await expect.poll(() => calls.length).toBe(1);
    expect(incoming.state.transforms).toEqual([
      { id: 'link_post-id', title: 'link_post', fileName: 'link_post.py' },
    ]);
    expect(incoming.state.transform).toEqual({ kind: 'running', fileName: 'link_post.py' });
    expect(postToSave(incoming.state)).toBeNull();
    expect(calls[0]!.post).toMatchObject({ title: 'Shared', body: 'Words\n\n<https://a.example/>' });
    calls[0]!.answer(madeBy('Made'));
    await received;
    expect(await incoming.save()).toEqual({ id: 'new-post' });
    expect(created).toEqual([{ title: 'Made', body: 'b', tags: ['t'], categories: [] }]);
    expect(forgotten()).toBe(1);
    expect(incoming.state.incoming).toBeNull();
  });

  it('shows only the newest choice, and saves the draft as it came with no transform', async () => {
    const { incoming, created, calls } = setUp([script('a'), script('b')]);
    void incoming.receive(shared);
    await expect.poll(() => calls.length).toBe(1);
    void incoming.choose('b-id');
    await expect.poll(() => calls.length).toBe(2);
    // The first one was stopped: the user moved on.
    expect([calls[0]!.signal?.aborted, calls[1]!.signal?.aborted]).toEqual([true, false]);
    calls[1]!.answer(madeBy('From b'));
    calls[0]!.answer(madeBy('From a, too late'));
    await expect.poll(() => postToSave(incoming.state)?.title).toBe('From b');
    await incoming.choose(null);
    await incoming.save();
    expect(created).toEqual([
      { title: 'Shared', body: 'Words\n\n<https://a.example/>', tags: [], categories: [] },
    ]);
  });

  it('cannot be saved while its transform failed; nothing is lost until saved or discarded', async () => {
    const { incoming, created, calls, forgotten } = setUp([script('a')]);
    void incoming.receive(shared);
    await expect.poll(() => calls.length).toBe(1);
    calls[0]!.answer({ ok: false, kind: 'exception', script: 'a.py', message: 'KeyError', line: 2 });
    await expect.poll(() => incoming.state.transform.kind).toBe('done');
    expect(await incoming.save()).toBeUndefined();
    expect(created).toEqual([]);
    expect(forgotten()).toBe(0);
    incoming.discard();
    expect(forgotten()).toBe(1);
    expect(incoming.state.incoming).toBeNull();
  });

  it('says so when the chosen transform was deleted meanwhile', async () => {
    const { incoming, calls } = setUp([script('a')], ['a-id']);
    await incoming.receive(shared);
    expect(incoming.state.transform).toEqual({
      kind: 'done',
      outcome: { ok: false, kind: 'worker-failed', script: 'a.py', message: 'a.py was deleted' },
    });
    expect(calls).toEqual([]);
  });

  it('can be put aside and resumed, which runs the chosen transform again', async () => {
    const { incoming, calls } = setUp([script('a')]);
    void incoming.receive(shared);
    await expect.poll(() => calls.length).toBe(1);
    calls[0]!.answer({ ok: false, kind: 'exception', script: 'a.py', message: 'KeyError' });
    await expect.poll(() => incoming.state.transform.kind).toBe('done');
    incoming.later();
    expect(incoming.state).toMatchObject({
      deferred: true,
      incoming: shared.kind === 'incoming' ? shared.incoming : null,
    });
    void incoming.resume();
    await expect.poll(() => calls.length).toBe(2);
    expect(incoming.state.deferred).toBe(false);
    calls[1]!.answer(madeBy('Fixed'));
    await expect.poll(() => postToSave(incoming.state)?.title).toBe('Fixed');
  });

  it('falls back to the post as it came when the chosen transform left the list, saying so', async () => {
    const scripts = [script('a'), script('b')];
    const { incoming, calls } = setUp(scripts);
    void incoming.receive(shared);
    await expect.poll(() => calls.length).toBe(1);
    calls[0]!.answer(madeBy('From a'));
    await expect.poll(() => incoming.state.transform.kind).toBe('done');
    scripts.splice(0, 1);
    await incoming.choose('a-id');
    expect(incoming.state.transforms.map((transform) => transform.id)).toEqual(['b-id']);
    expect(incoming.state).toMatchObject({
      transformId: null,
      transform: { kind: 'none' },
      problem: 'a.py was deleted or disabled meanwhile; the post is shown as it came.',
    });
    expect(postToSave(incoming.state)?.title).toBe('Shared');
  });

  it('is refused with the reasons when unusable, and dropped from the address', async () => {
    const { incoming, forgotten } = setUp([]);
    await incoming.receive(readIncomingPost('?share_url=ftp%3A%2F%2Fx'));
    expect(incoming.state.problem).toBe(
      'A shared post could not be taken: the address is not an http or https URL.',
    );
    expect(incoming.state.incoming).toBeNull();
    expect(forgotten()).toBe(1);
    incoming.dismissProblem();
    expect(incoming.state.problem).toBeNull();
  });
});

describe('the post to save', () => {
  it('takes the title and tags the user typed over what the transform made', async () => {
    const { incoming, created, calls } = setUp([script('link_post')]);
    const received = incoming.receive(shared);
    await expect.poll(() => calls.length).toBe(1);
    calls[0]!.answer(madeBy('Made'));
    await received;
    incoming.edit({ title: '  My own title ' });
    incoming.edit({ tags: ['mine', 'too'] });
    expect(postToSave(incoming.state)).toMatchObject({
      title: 'My own title',
      tags: ['mine', 'too'],
      body: 'b',
    });
    // An emptied title falls back to the transform's.
    incoming.edit({ title: ' ' });
    expect(postToSave(incoming.state)?.title).toBe('Made');
    incoming.edit({ title: 'Kept' });
    await incoming.save();
    expect(created).toMatchObject([{ title: 'Kept', tags: ['mine', 'too'] }]);
    expect(incoming.state.edits).toEqual({});
  });

  it('goes through the transform used last time, not the first by name', async () => {
    let remembered: string | null | undefined;
    const memory = { read: () => remembered, remember: (id: string | null) => (remembered = id) };
    const { incoming, calls } = setUp([script('alpha'), script('beta')], [], memory);
    void incoming.receive(shared);
    await expect.poll(() => calls.length).toBe(1);
    expect(calls[0]!.script.slug).toBe('alpha');
    const chosen = incoming.choose('beta-id');
    await expect.poll(() => calls.length).toBe(2);
    calls[1]!.answer(madeBy('By beta'));
    await chosen;
    await incoming.save();
    expect(remembered).toBe('beta-id');
    const received = incoming.receive(shared);
    await expect.poll(() => calls.length).toBe(3);
    expect(calls[2]!.script.slug).toBe('beta');
    calls[2]!.answer(madeBy('Again'));
    await received;
  });
});
