import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostStore } from '../../src/storage/idb-post-store';
import { PostsWorkspace } from '../../src/ui/posts-workspace';

const opened: { dispose(): void }[] = [];
afterEach(() => {
  for (const each of opened.splice(0)) each.dispose();
});

async function setup() {
  const store = await openPostStore({ dbName: `posts-workspace-${crypto.randomUUID()}` });
  const posts = new PostsWorkspace({
    store,
    render: async (post) => ({
      body: post.body,
      html: '',
      warnings: [],
      css: [],
      macroCount: 0,
      executed: 0,
    }),
  });
  opened.push(posts, { dispose: () => store.close() });
  await posts.init();
  return { store, posts };
}

describe('a renamed macro', () => {
  it('is offered as an update of the posts that call it, which rewrites only those calls', async () => {
    const { store, posts } = await setup();
    const caller = await store.create({ title: 'Caller', body: 'A [[shout text="hi"]] and `[[shout]]`.' });
    const other = await store.create({ title: 'Other', body: 'No [[shouting]] here.' });

    await posts.offerMacroRename('shout', 'yell');
    expect(posts.state.renameOffer).toEqual({ from: 'shout', to: 'yell', postIds: [caller.id] });
    await posts.acceptMacroRename();
    expect(posts.state.renameOffer).toBeNull();
    expect((await store.get(caller.id))?.body).toBe('A [[yell text="hi"]] and `[[shout]]`.');
    expect(await store.get(other.id)).toEqual(other);

    await posts.offerMacroRename('nobody_calls_me', 'still_nobody');
    expect(posts.state.renameOffer).toBeNull();
  });

  it('rewrites the open post through the editor, keeping its unsaved text', async () => {
    const { store, posts } = await setup();
    const open = await store.create({ title: 'Open', body: '[[shout]]' });
    await posts.select(open.id);
    posts.edit('[[shout]] and unsaved words');
    await posts.offerMacroRename('shout', 'yell');
    await posts.acceptMacroRename();
    expect(posts.state.editing?.body).toBe('[[yell]] and unsaved words');
    expect(posts.state.saveState).toBe('unsaved');
    await posts.flushSave();
    expect((await store.get(open.id))?.body).toBe('[[yell]] and unsaved words');
  });

  it('can be left as it is', async () => {
    const { store, posts } = await setup();
    const caller = await store.create({ title: 'Caller', body: '[[shout]]' });
    await posts.offerMacroRename('shout', 'yell');
    posts.dismissMacroRename();
    expect(posts.state.renameOffer).toBeNull();
    expect(await store.get(caller.id)).toEqual(caller);
  });
});
