import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RenderedPost } from '../../src/render/post-renderer';
import { openPostStore } from '../../src/storage/idb-post-store';
import { PostsWorkspace, slugProblem } from '../../src/ui/posts-workspace';

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

describe('a post edited in two tabs within the autosave delay', () => {
  /** Two tabs: two stores on one database, each with its own workspace, the same post open. */
  async function twoTabs() {
    const dbName = `posts-two-tabs-${crypto.randomUUID()}`;
    const tab = async () => {
      const store = await openPostStore({ dbName });
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
        autosaveDelayMs: 60_000,
      });
      opened.push(posts, { dispose: () => store.close() });
      await posts.init();
      return { store, posts };
    };
    const first = await tab();
    const second = await tab();
    const post = await first.store.create({ title: 'Shared', body: 'original\n' });
    await first.posts.select(post.id);
    await second.posts.select(post.id);
    return { first, second, post };
  }

  it('keeps both: the later save becomes a conflict copy with a notice', async () => {
    const { first, second, post } = await twoTabs();
    first.posts.edit('typed in the first tab\n');
    second.posts.edit('typed in the second tab\n');

    await first.posts.flushSave();
    await second.posts.flushSave();

    expect((await first.store.get(post.id))?.body).toBe('typed in the first tab\n');
    const copy = (await first.store.list()).find((each) => each.id !== post.id);
    expect(copy).toMatchObject({ title: 'Shared (conflicting edit)', body: 'typed in the second tab\n' });
    expect(second.posts.state).toMatchObject({
      editing: { id: post.id, body: 'typed in the first tab\n' },
      saveState: 'saved',
      editConflict: { title: 'Shared', copyId: copy?.id, copyTitle: 'Shared (conflicting edit)' },
    });
    expect(first.posts.state.editConflict).toBeNull();

    await second.posts.openConflictCopy();
    expect(second.posts.state).toMatchObject({ editing: { id: copy?.id }, editConflict: null });
  });

  it('a save after the other tab’s save arrived builds on it, with no conflict', async () => {
    const { first, second, post } = await twoTabs();
    first.posts.edit('first\n');
    await first.posts.flushSave();
    await expect.poll(() => second.posts.state.editing?.body).toBe('first\n');
    second.posts.edit('first\nthen second\n');
    await second.posts.flushSave();
    expect((await second.store.get(post.id))?.body).toBe('first\nthen second\n');
    expect(await second.store.list()).toHaveLength(1);
    expect(second.posts.state.editConflict).toBeNull();
  });
});

describe('the posts list', () => {
  it('deletes through the same trash as scripts: the open post’s edits are saved first, undo and purge work', async () => {
    const { store, posts } = await setup();
    const kept = await store.create({ title: 'Kept', body: 'kept' });
    const gone = await store.create({ title: 'Gone', body: 'gone' });
    await posts.init();
    await posts.select(gone.id);
    posts.edit('gone, with an unsaved line');
    await posts.delete(gone.id);
    expect(posts.state.items.map((post) => post.id)).toEqual([kept.id]);
    // The open post went; the next one opens in its place.
    expect(posts.state.selectedId).toBe(kept.id);
    expect(posts.state.recentlyDeleted?.id).toBe(gone.id);

    await posts.undoDelete();
    expect(posts.state.selectedId).toBe(gone.id);
    expect(posts.state.editing?.body).toBe('gone, with an unsaved line');
    expect(posts.state.trash).toEqual([]);

    await posts.delete(kept.id);
    await posts.delete(gone.id);
    expect(posts.state.selectedId).toBeNull();
    expect(posts.state.editing).toBeNull();
    await posts.purgeFromTrash(kept.id);
    expect(posts.state.trash.map((post) => post.id)).toEqual([gone.id]);
    await expect(store.restore(kept.id)).rejects.toThrow(/in the trash/);
  });
});

describe('titles and slugs', () => {
  it('a new post starts with an empty body; its title and slug change apart, the slug only to a free one', async () => {
    const { store, posts } = await setup();
    await posts.create();
    const id = posts.state.selectedId!;
    expect(posts.state.editing?.body).toBe('');
    await posts.rename(id, 'Émoji in titles');
    expect(posts.state.editing?.slug).toBe('emoji_in_titles');

    const other = await store.create({ title: 'Taken', body: '' });
    await posts.init();
    expect(slugProblem('taken', id, posts.state)).toBe('Taken by “Taken”.');
    expect(slugProblem('Not A Slug', id, posts.state)).toMatch(/^Not a slug.*not_a_slug/);
    expect(slugProblem('emoji_in_titles', id, posts.state)).toBeNull();
    expect(slugProblem('emojis', id, posts.state)).toBeNull();

    await posts.changeSlug('emojis');
    expect(posts.state.editing?.slug).toBe('emojis');
    expect((await store.get(id))?.title).toBe('Émoji in titles');
    await posts.delete(other.id);
    expect(slugProblem('taken', id, posts.state)).toBe('Taken by “Taken” in the trash.');
    // The store holds the line too: a taken slug is refused and reported.
    await posts.changeSlug('taken');
    expect(posts.state.problem).toMatch(/Could not change the slug to “taken”: the slug “taken” is taken/);
    expect((await store.get(id))?.slug).toBe('emojis');
  });
});

describe('the live preview', () => {
  it('shows it is rendering while it waits, and a newer preview aborts the older one', async () => {
    const store = await openPostStore({ dbName: `posts-preview-${crypto.randomUUID()}` });
    const renders: { body: string; signal: AbortSignal; finish: () => void; done: Promise<unknown> }[] = [];
    const posts = new PostsWorkspace({
      store,
      render: (post, signal) => {
        const render = {
          body: post.body,
          signal,
          finish: () => {},
          done: Promise.resolve() as Promise<unknown>,
        };
        render.done = new Promise((resolve) => {
          render.finish = () =>
            resolve({ body: post.body, html: post.body, warnings: [], css: [], macroCount: 0, executed: 0 });
        });
        renders.push(render);
        return render.done as Promise<RenderedPost>;
      },
    });
    opened.push(posts, { dispose: () => store.close() });
    await posts.init();
    const post = await store.create({ title: 'Previewed', body: 'one' });
    await posts.select(post.id);
    renders.splice(0);

    posts.edit('two');
    posts.refreshPreview();
    expect(posts.state.rendering).toBe(true);
    posts.edit('three');
    posts.refreshPreview();
    const [older, newer] = renders.slice(-2);
    expect(older).toMatchObject({ body: 'two', signal: { aborted: true } });
    expect(newer).toMatchObject({ body: 'three', signal: { aborted: false } });

    // The older one answering late is not shown, and the preview is still rendering.
    older!.finish();
    // The workspace's handler was attached first, so it has run once this await resumes.
    await older!.done;
    expect(posts.state.rendering).toBe(true);
    expect(posts.state.preview?.html).not.toBe('two');
    newer!.finish();
    await vi.waitFor(() => expect(posts.state.rendering).toBe(false), { timeout: 30_000 });
    expect(posts.state.preview?.html).toBe('three');
  });
});
