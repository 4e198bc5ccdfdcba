import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScriptAction, scriptActionSchema } from '../../src/core/script-actions';
import { type IdbPostStore, openPostStore } from '../../src/storage/idb-post-store';
import type { PostChange } from '../../src/storage/post-store';
import { applyScriptActions } from '../../src/storage/script-actions';

const opened: { close(): void }[] = [];

afterEach(() => {
  for (const handle of opened.splice(0)) handle.close();
});

async function openPosts(): Promise<IdbPostStore> {
  const store = await openPostStore({ dbName: `pymark-test-${crypto.randomUUID()}` });
  opened.push(store);
  return store;
}

/** The posts as a reader compares them: by slug, the fields a utility changes. */
async function snapshot(store: IdbPostStore) {
  return (await store.list())
    .map(({ slug, title, status, tags, categories, body }) => ({
      slug,
      title,
      status,
      tags,
      categories,
      body,
    }))
    .sort((a, b) => a.slug.localeCompare(b.slug));
}

async function seeded(): Promise<IdbPostStore> {
  const store = await openPosts();
  const hello = await store.create({
    title: 'Hello',
    body: 'Hi.',
    tags: ['python', 'web'],
    categories: ['notes'],
  });
  await store.save(hello.id, { status: 'published' });
  await store.create({ title: 'Later', tags: ['python '], categories: [] });
  return store;
}

describe("a utility run's actions, applied through the post store", () => {
  it('creates, updates, relabels and trashes posts, each announced to subscribers, in order', async () => {
    const store = await seeded();
    const changes: PostChange[] = [];
    store.subscribe((change) => changes.push(change));
    const actions: ScriptAction[] = [
      {
        type: 'create-post',
        title: 'From a script',
        body: 'Made by Python.',
        tags: ['py'],
        categories: [],
        status: 'published',
      },
      { type: 'update-post', post: 'hello', title: 'Hello again', body: 'Changed.' },
      { type: 'rename-tag', from: 'python', to: 'Python' },
      { type: 'delete-category', name: 'notes' },
      { type: 'delete-post', post: 'later' },
    ];
    const applied = await applyScriptActions(store, actions);
    expect(applied.lines).toEqual([
      'create post "From a script" (published)',
      'update post "hello": title, body',
      'rename tag "python" to "Python"',
      'remove category "notes"',
      'move post "later" to the trash',
    ]);
    expect(await snapshot(store)).toEqual([
      {
        slug: 'from_a_script',
        title: 'From a script',
        status: 'published',
        tags: ['py'],
        categories: [],
        body: 'Made by Python.',
      },
      {
        slug: 'hello_again',
        title: 'Hello again',
        status: 'published',
        tags: ['Python', 'web'],
        categories: [],
        body: 'Changed.',
      },
    ]);
    expect((await store.listTrash()).map(({ slug }) => slug)).toEqual(['later']);
    expect(changes.length).toBeGreaterThanOrEqual(actions.length);
  });

  it('undoes every action, last first', async () => {
    const store = await seeded();
    const before = await snapshot(store);
    const applied = await applyScriptActions(store, [
      { type: 'create-post', title: 'Temporary', body: '', tags: [], categories: [], status: 'draft' },
      { type: 'update-post', post: 'hello', title: 'Renamed', tags: ['x'] },
      { type: 'delete-tag', name: 'python' },
      { type: 'delete-post', post: 'later' },
    ]);
    await applied.undo();
    expect(await snapshot(store)).toEqual(before);
    expect(await store.listTrash()).toEqual([]);
  });

  it('keeps no change when an action fails, and says which and why', async () => {
    const store = await seeded();
    const before = await snapshot(store);
    await expect(
      applyScriptActions(store, [
        { type: 'create-post', title: 'Half', body: '', tags: [], categories: [], status: 'draft' },
        { type: 'rename-tag', from: 'web', to: 'www' },
        { type: 'delete-post', post: 'no_such_post' },
      ]),
    ).rejects.toThrow(
      'move post "no_such_post" to the trash: there is no post with the id or slug "no_such_post"; no change was kept',
    );
    expect(await snapshot(store)).toEqual(before);
  });

  it('refuses, at the boundary, anything outside the allowlist', () => {
    for (const action of [
      { type: 'delete-script', id: 'x' },
      { type: 'create-post', title: ' ', body: '', tags: [], categories: [], status: 'draft' },
      { type: 'update-post', post: 'x', status: 'scheduled' },
      { type: 'delete-post', post: 'x', purge: true },
    ]) {
      expect(scriptActionSchema.safeParse(action).success).toBe(false);
    }
  });
});
