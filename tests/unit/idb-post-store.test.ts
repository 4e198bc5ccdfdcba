import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { type IdbPostStore, openPostStore } from '../../src/storage/idb-post-store';
import { type IdbScriptStore, openScriptStore } from '../../src/storage/idb-script-store';
import { ChangedMeanwhile } from '../../src/storage/item-store';
import type { PostChange } from '../../src/storage/post-store';

const opened: { close(): void }[] = [];

afterEach(() => {
  for (const handle of opened.splice(0)) handle.close();
});

async function openPosts(): Promise<IdbPostStore> {
  const store = await openPostStore({ dbName: `pymark-test-${crypto.randomUUID()}` });
  opened.push(store);
  return store;
}

async function openScripts(): Promise<IdbScriptStore> {
  const store = await openScriptStore({ dbName: `pymark-test-${crypto.randomUUID()}` });
  opened.push(store);
  return store;
}

describe('post store', () => {
  it('creates drafts with unique slugs and publishes once', async () => {
    const store = await openPosts();
    const first = await store.create({ title: 'Hello, World', tags: ['intro'] });
    const second = await store.create({ title: 'hello world' });
    expect(first).toMatchObject({
      slug: 'hello_world',
      status: 'draft',
      tags: ['intro'],
      body: '',
      publishedAt: null,
    });
    expect(second.slug).toBe('hello_world_2');

    const published = await store.save(first.id, { status: 'published', body: '# Hi\n' });
    expect(published.publishedAt).toBe(published.updatedAt);
    const republished = await store.save(first.id, { status: 'published' });
    expect(republished.publishedAt).toBe(published.publishedAt);
    await expect(store.save(first.id, { status: 'live' as 'draft' })).rejects.toThrow(/status/);
  });

  it('renames, trashes and restores, telling subscribers', async () => {
    const store = await openPosts();
    const changes: PostChange[] = [];
    store.subscribe((change) => changes.push(change));
    const post = await store.create({ title: 'Old' });
    const renamed = await store.rename(post.id, 'New name');
    await store.delete(post.id);
    expect(await store.list()).toEqual([]);
    expect(await store.listTrash()).toEqual([{ ...renamed, deletedAt: expect.any(String) }]);
    expect(await store.restore(post.id)).toEqual(renamed);
    expect(changes.map((change) => change.type)).toEqual(['put', 'put', 'delete', 'put']);
    expect(renamed.slug).toBe('new_name');
  });
});

describe('purging the trash', () => {
  it('deletes a trashed item for good and frees its slug; only trashed items can be purged', async () => {
    const posts = await openPosts();
    const post = await posts.create({ title: 'Gone' });
    await expect(posts.purge(post.id)).rejects.toThrow(/No post with id .* in the trash/);
    await posts.delete(post.id);
    await posts.purge(post.id);
    expect(await posts.listTrash()).toEqual([]);
    await expect(posts.restore(post.id)).rejects.toThrow(/in the trash/);
    expect((await posts.create({ title: 'Gone' })).slug).toBe('gone');

    const scripts = await openScripts();
    const script = await scripts.create({ title: 'Tool', kind: 'utility' });
    await scripts.putDraft({ scriptId: script.id, body: 'x', baseVersion: 1, updatedAt: script.updatedAt });
    await scripts.delete(script.id);
    expect(await scripts.getDraft(script.id)).toBeDefined();
    await scripts.purge(script.id);
    expect(await scripts.getDraft(script.id)).toBeUndefined();
    expect(await scripts.listTrash()).toEqual([]);
  });
});

describe('external changes', () => {
  it('let slugs trade places and trash items in one step', async () => {
    const store = await openScripts();
    const a = await store.create({ title: 'A', kind: 'utility' });
    const b = await store.create({ title: 'B', kind: 'utility' });
    const c = await store.create({ title: 'C', kind: 'utility' });

    await store.applyExternal({
      put: [
        { ...a, slug: 'b' },
        { ...b, slug: 'a' },
      ],
      trash: [c.id],
    });

    expect((await store.list()).map((script) => [script.title, script.slug])).toEqual([
      ['A', 'b'],
      ['B', 'a'],
    ]);
    expect((await store.listTrash()).map((script) => script.id)).toEqual([c.id]);
  });

  it('bring a trashed item back when it is put again, and reject invalid items whole', async () => {
    const store = await openScripts();
    const a = await store.create({ title: 'A', kind: 'utility' });
    await store.delete(a.id);
    await store.applyExternal({ put: [{ ...a, body: 'from the folder\n' }], trash: [] });
    expect(await store.get(a.id)).toEqual({ ...a, body: 'from the folder\n' });
    expect(await store.listTrash()).toEqual([]);

    await expect(store.applyExternal({ put: [{ ...a, slug: 'Bad Slug' }], trash: [] })).rejects.toThrow(
      /slug/,
    );
    expect(await store.get(a.id)).toEqual({ ...a, body: 'from the folder\n' });
  });

  it('are refused whole when an item they replace or trash changed since it was read', async () => {
    const store = await openScripts();
    const a = await store.create({ title: 'A', kind: 'utility' });
    const b = await store.create({ title: 'B', kind: 'utility' });
    const readAs = new Map([
      [a.id, a],
      [b.id, b],
    ]);
    const saved = await store.save(a.id, { body: 'saved in the app\n' });

    await expect(
      store.applyExternal({ put: [{ ...a, body: 'from the folder\n' }], trash: [b.id], readAs }),
    ).rejects.toBeInstanceOf(ChangedMeanwhile);
    expect(await store.list()).toEqual([saved, b]);

    await store.applyExternal({
      put: [{ ...a, body: 'from the folder\n' }],
      trash: [b.id],
      readAs: new Map([
        [a.id, saved],
        [b.id, b],
      ]),
    });
    expect((await store.list()).map((script) => script.body)).toEqual(['from the folder\n']);
  });

  it('expecting no such item, are refused when one was created meanwhile', async () => {
    const store = await openScripts();
    const a = await store.create({ title: 'A', kind: 'utility' });
    await expect(
      store.applyExternal({ put: [{ ...a, body: 'x' }], trash: [], readAs: new Map([[a.id, null]]) }),
    ).rejects.toBeInstanceOf(ChangedMeanwhile);
  });
});
