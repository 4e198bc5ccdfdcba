import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Script } from '../../src/core/script';
import {
  defaultBodies,
  type IdbScriptStore,
  openScriptStore,
  type ScriptStoreOptions,
} from '../../src/storage/idb-script-store';
import { EditConflict } from '../../src/storage/item-store';
import {
  type InvalidRecord,
  InvalidRecordError,
  openPymarkDb,
  type PymarkDb,
} from '../../src/storage/pymark-db';
import type { ScriptChange, ScriptChanges } from '../../src/storage/script-store';

const opened: { close(): void }[] = [];

afterEach(() => {
  for (const handle of opened.splice(0)) handle.close();
});

function freshDbName(): string {
  return `pymark-test-${crypto.randomUUID()}`;
}

async function open(dbName = freshDbName(), options: ScriptStoreOptions = {}): Promise<IdbScriptStore> {
  const store = await openScriptStore({ ...options, dbName });
  opened.push(store);
  return store;
}

/** Direct access to the database, standing in for another writer (an older build, a sync, a bug). */
async function openRaw(dbName: string): Promise<PymarkDb> {
  const db = await openPymarkDb(dbName);
  opened.push(db);
  return db;
}

function nextChange(store: IdbScriptStore): Promise<ScriptChange> {
  return new Promise((resolve) => {
    const unsubscribe = store.subscribe((change) => {
      unsubscribe();
      resolve(change);
    });
  });
}

function draftOf(script: Script, body: string) {
  return { scriptId: script.id, body, baseVersion: script.version, updatedAt: new Date().toISOString() };
}

describe('creating and reading scripts', () => {
  it('creates a script with the defaults of its kind and reads it back', async () => {
    const store = await open();
    const script = await store.create({ title: '  Word count ', kind: 'utility' });

    expect(script).toMatchObject({
      title: 'Word count',
      slug: 'word_count',
      kind: 'utility',
      entrypoint: 'main',
      enabled: true,
      body: defaultBodies.utility,
      version: 1,
    });
    expect(script.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(script.updatedAt).toBe(script.createdAt);
    expect(await store.get(script.id)).toEqual(script);
    expect(await store.list()).toEqual([script]);
  });

  it('uses the entrypoint and example body of each kind, or the body given', async () => {
    const store = await open();
    const macro = await store.create({ title: 'Badge', kind: 'macro' });
    const transform = await store.create({ title: 'Tidy', kind: 'transform', body: 'x = 1\n' });

    expect(macro).toMatchObject({ entrypoint: 'render', body: defaultBodies.macro });
    expect(defaultBodies.macro).toContain('def render(context)');
    expect(transform).toMatchObject({ entrypoint: 'transform', body: 'x = 1\n' });
  });

  it('lists scripts by title and answers undefined for an unknown id', async () => {
    const store = await open();
    await store.create({ title: 'Zebra', kind: 'utility' });
    await store.create({ title: 'apple', kind: 'utility' });

    expect((await store.list()).map((script) => script.title)).toEqual(['apple', 'Zebra']);
    expect(await store.get(crypto.randomUUID())).toBeUndefined();
  });

  it.each([
    [{ title: '', kind: 'utility' }, /title must not be empty/],
    [{ title: '   ', kind: 'utility' }, /title must not be empty/],
    [{ title: 'Fine', kind: 'plugin' }, /kind/],
    [{ title: 42, kind: 'utility' }, /title/],
  ])('rejects %j with a clear message and stores nothing', async (input, message) => {
    const store = await open();
    // Cast: these are exactly the inputs the type would forbid, as they arrive from a form or a file.
    await expect(store.create(input as { title: string; kind: 'utility' })).rejects.toThrow(message);
    expect(await store.list()).toEqual([]);
  });
});

describe('slugs', () => {
  it('counts up _2, _3 when titles collide', async () => {
    const store = await open();
    const slugs: string[] = [];
    for (const title of ['Hello World', 'hello world!', 'HELLO  WORLD']) {
      slugs.push((await store.create({ title, kind: 'utility' })).slug);
    }
    expect(slugs).toEqual(['hello_world', 'hello_world_2', 'hello_world_3']);
  });

  it('falls back to "script" for titles with nothing slug-worthy', async () => {
    const store = await open();
    const first = await store.create({ title: '日本語のスクリプト', kind: 'utility' });
    const second = await store.create({ title: '🐍', kind: 'utility' });
    expect([first.slug, second.slug]).toEqual(['script', 'script_2']);
    expect(first.title).toBe('日本語のスクリプト');
  });

  it('keeps the slug of a trashed script reserved', async () => {
    const store = await open();
    const original = await store.create({ title: 'Footer', kind: 'macro' });
    await store.delete(original.id);
    expect((await store.create({ title: 'Footer', kind: 'macro' })).slug).toBe('footer_2');
  });
});

describe('saving', () => {
  it('bumps the version and updatedAt, and clears the draft', async () => {
    const store = await open();
    const script = await store.create({ title: 'Count', kind: 'utility' });
    await store.putDraft(draftOf(script, 'print(1)\n'));
    await new Promise((resolve) => setTimeout(resolve, 5));

    const saved = await store.save(script.id, { body: 'print(1)\n' });

    expect(saved).toMatchObject({ body: 'print(1)\n', version: 2, createdAt: script.createdAt });
    expect(saved.updatedAt > script.updatedAt).toBe(true);
    expect(await store.get(script.id)).toEqual(saved);
    expect(await store.getDraft(script.id)).toBeUndefined();
  });

  it('loses no version when saves run concurrently', async () => {
    const store = await open();
    const script = await store.create({ title: 'Busy', kind: 'utility' });

    const saves = await Promise.all(
      Array.from({ length: 20 }, (_, n) => store.save(script.id, { body: `n = ${n}\n` })),
    );

    expect(saves.map((saved) => saved.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, n) => n + 2),
    );
    expect((await store.get(script.id))?.version).toBe(21);
  });

  it('moves a default entrypoint along with the kind but keeps a custom one', async () => {
    const store = await open();
    const plain = await store.create({ title: 'Plain', kind: 'utility' });
    const custom = await store.create({ title: 'Custom', kind: 'utility' });
    await store.save(custom.id, { entrypoint: 'run' });

    expect((await store.save(plain.id, { kind: 'macro' })).entrypoint).toBe('render');
    expect((await store.save(custom.id, { kind: 'macro' })).entrypoint).toBe('run');
    expect((await store.save(plain.id, { enabled: false })).enabled).toBe(false);
  });

  it('rejects invalid changes and unknown scripts without touching anything', async () => {
    const store = await open();
    const script = await store.create({ title: 'Strict', kind: 'utility' });

    await expect(store.save(script.id, { entrypoint: 'not valid' })).rejects.toThrow(/Python identifier/);
    // Cast: a field the type forbids, as a caller from plain JavaScript could send it.
    await expect(store.save(script.id, { body: 'x', title: 'Sneaky' } as ScriptChanges)).rejects.toThrow(
      /title/,
    );
    await expect(store.save(crypto.randomUUID(), { body: '' })).rejects.toThrow(/No script with id/);
    expect(await store.get(script.id)).toEqual(script);
  });

  it('with the body the edit began from, refuses to write over another body saved since', async () => {
    const store = await open();
    const script = await store.create({ title: 'Shared', kind: 'utility', body: 'v = 1\n' });
    const other = await store.save(script.id, { body: 'v = "theirs"\n' });

    const refused = store.save(script.id, { body: 'v = "mine"\n' }, 'v = 1\n');
    await expect(refused).rejects.toBeInstanceOf(EditConflict);
    await expect(refused).rejects.toMatchObject({ current: other });
    expect(await store.get(script.id)).toEqual(other);

    const saved = await store.save(script.id, { body: 'v = "mine"\n' }, 'v = "theirs"\n');
    expect(saved).toMatchObject({ body: 'v = "mine"\n', version: other.version + 1 });
  });
});

describe('renaming', () => {
  it('re-derives a unique slug, excluding the script itself, and keeps the version', async () => {
    const store = await open();
    const taken = await store.create({ title: 'Archive', kind: 'utility' });
    const script = await store.create({ title: 'Gallery', kind: 'macro' });

    const same = await store.rename(script.id, 'Gallery!');
    expect(same).toMatchObject({ title: 'Gallery!', slug: 'gallery', version: 1 });

    const colliding = await store.rename(script.id, 'Archive');
    expect(colliding).toMatchObject({ title: 'Archive', slug: 'archive_2', version: 1 });
    expect(await store.get(taken.id)).toEqual(taken);
  });

  it('rejects an empty title', async () => {
    const store = await open();
    const script = await store.create({ title: 'Keep', kind: 'utility' });
    await expect(store.rename(script.id, ' ')).rejects.toThrow(/title must not be empty/);
    expect(await store.get(script.id)).toEqual(script);
  });
});

describe('trash', () => {
  it('moves a deleted script to the trash with its draft and restores both', async () => {
    const store = await open();
    const script = await store.create({ title: 'Old', kind: 'transform' });
    const draft = draftOf(script, 'unsaved\n');
    await store.putDraft(draft);

    await store.delete(script.id);
    expect(await store.get(script.id)).toBeUndefined();
    expect(await store.list()).toEqual([]);
    const [trashed] = await store.listTrash();
    expect(trashed).toMatchObject({ ...script, deletedAt: expect.any(String) });

    expect(await store.restore(script.id)).toEqual(script);
    expect(await store.list()).toEqual([script]);
    expect(await store.listTrash()).toEqual([]);
    expect(await store.getDraft(script.id)).toEqual(draft);
  });

  it('gives a restored script a new slug when its old one was taken meanwhile', async () => {
    const dbName = freshDbName();
    const store = await open(dbName);
    const script = await store.create({ title: 'Footer', kind: 'macro' });
    await store.delete(script.id);
    // Through the store a trashed slug stays reserved, so the squatter comes from another writer.
    const squatter = { ...script, id: crypto.randomUUID() };
    await (await openRaw(dbName)).put('scripts', squatter);

    const restored = await store.restore(script.id);

    expect(restored).toEqual({ ...script, slug: 'footer_2' });
    expect((await store.list()).map((each) => each.slug).sort()).toEqual(['footer', 'footer_2']);
  });

  it('leaves the trash as it was when a restore fails', async () => {
    const dbName = freshDbName();
    const store = await open(dbName);
    const script = await store.create({ title: 'Twice', kind: 'utility' });
    await store.delete(script.id);
    await (await openRaw(dbName)).put('scripts', { ...script, slug: 'elsewhere' });

    await expect(store.restore(script.id)).rejects.toThrow();
    expect((await store.listTrash()).map((trashed) => trashed.id)).toEqual([script.id]);
  });

  it('lists the most recently deleted first and rejects unknown ids', async () => {
    const store = await open();
    const first = await store.create({ title: 'First', kind: 'utility' });
    const second = await store.create({ title: 'Second', kind: 'utility' });
    await store.delete(first.id);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.delete(second.id);

    expect((await store.listTrash()).map((trashed) => trashed.id)).toEqual([second.id, first.id]);
    await expect(store.delete(first.id)).rejects.toThrow(/No script with id/);
    await expect(store.restore(crypto.randomUUID())).rejects.toThrow(/in the trash/);
  });
});

describe('drafts', () => {
  it('survive closing and re-opening the database', async () => {
    const dbName = freshDbName();
    const first = await open(dbName);
    const script = await first.create({ title: 'Draft', kind: 'utility' });
    const draft = draftOf(script, 'half-typed(\n');
    await first.putDraft(draft);
    first.close();

    expect(await (await open(dbName)).getDraft(script.id)).toEqual(draft);
  });

  it('can be cleared', async () => {
    const store = await open();
    const script = await store.create({ title: 'Draft', kind: 'utility' });
    await store.putDraft(draftOf(script, 'x\n'));
    await store.clearDraft(script.id);
    expect(await store.getDraft(script.id)).toBeUndefined();
  });

  it('are refused for unknown scripts and in an invalid shape', async () => {
    const store = await open();
    const script = await store.create({ title: 'Draft', kind: 'utility' });

    await expect(store.putDraft(draftOf({ ...script, id: crypto.randomUUID() }, 'x'))).rejects.toThrow(
      /No script with id/,
    );
    await expect(store.putDraft({ ...draftOf(script, 'x'), baseVersion: 0 })).rejects.toThrow(/baseVersion/);
    expect(await store.getDraft(script.id)).toBeUndefined();
  });
});

describe('invalid stored records', () => {
  it('are reported, not returned, and not deleted', async () => {
    const dbName = freshDbName();
    const reported: InvalidRecord[] = [];
    const store = await open(dbName, { onInvalidRecord: (record) => reported.push(record) });
    const good = await store.create({ title: 'Good', kind: 'utility' });
    const raw = await openRaw(dbName);
    const broken = { ...good, id: crypto.randomUUID(), slug: 'Not A Slug' };
    const brokenTrash = { ...good, id: crypto.randomUUID(), slug: 'gone' };
    const brokenDraft = { scriptId: good.id, body: 42 };
    await raw.put('scripts', broken);
    await raw.put('trash', brokenTrash);
    await raw.put('drafts', brokenDraft);

    expect(await store.list()).toEqual([good]);
    expect(await store.listTrash()).toEqual([]);
    expect(await store.getDraft(good.id)).toBeUndefined();
    expect(reported).toEqual([
      { store: 'scripts', key: broken.id, reason: expect.stringContaining('slug must be lower-case') },
      { store: 'trash', key: brokenTrash.id, reason: expect.stringContaining('deletedAt') },
      { store: 'drafts', key: good.id, reason: expect.stringContaining('body') },
    ]);

    expect(await raw.get('scripts', broken.id)).toEqual(broken);
    expect(await raw.get('trash', brokenTrash.id)).toEqual(brokenTrash);
    expect(await raw.get('drafts', good.id)).toEqual(brokenDraft);
  });

  it('make single-record operations reject with the reason', async () => {
    const dbName = freshDbName();
    const store = await open(dbName);
    const broken = { id: crypto.randomUUID(), title: 'Half', slug: 'half' };
    await (await openRaw(dbName)).put('scripts', broken);

    await expect(store.get(broken.id)).rejects.toBeInstanceOf(InvalidRecordError);
    await expect(store.save(broken.id, { body: '' })).rejects.toThrow(/kind/);
    await expect(store.delete(broken.id)).rejects.toThrow(InvalidRecordError);
    // Its slug still counts as taken, so no new script collides with it in the unique index.
    expect((await store.create({ title: 'Half', kind: 'utility' })).slug).toBe('half_2');
  });
});

describe('change events', () => {
  it('tell subscribers of puts and deletes after they commit', async () => {
    const store = await open();
    const changes: ScriptChange[] = [];
    const unsubscribe = store.subscribe((change) => changes.push(change));

    const created = await store.create({ title: 'Watched', kind: 'utility' });
    expect(changes).toEqual([{ type: 'put', script: created }]);
    const saved = await store.save(created.id, { body: 'x\n' });
    const renamed = await store.rename(created.id, 'Renamed');
    await store.delete(created.id);
    const restored = await store.restore(created.id);
    unsubscribe();
    await store.save(created.id, { body: 'unheard\n' });

    expect(changes).toEqual([
      { type: 'put', script: created },
      { type: 'put', script: saved },
      { type: 'put', script: renamed },
      { type: 'delete', id: created.id },
      { type: 'put', script: restored },
    ]);
  });

  it('reach other store instances on the same database', async () => {
    const dbName = freshDbName();
    const writer = await open(dbName);
    const reader = await open(dbName);

    const put = nextChange(reader);
    const script = await writer.create({ title: 'Elsewhere', kind: 'macro' });
    expect(await put).toEqual({ type: 'put', script });

    const deleted = nextChange(reader);
    await writer.delete(script.id);
    expect(await deleted).toEqual({ type: 'delete', id: script.id });
  });

  it('are not sent for drafts, nor for failed writes', async () => {
    const dbName = freshDbName();
    const writer = await open(dbName);
    const reader = await open(dbName);
    const created = nextChange(reader);
    const script = await writer.create({ title: 'Quiet', kind: 'utility' });
    await created;
    const heard: ScriptChange[] = [];
    writer.subscribe((change) => heard.push(change));
    const next = nextChange(reader);

    await writer.putDraft(draftOf(script, 'typing\n'));
    await writer.clearDraft(script.id);
    await expect(writer.rename(script.id, '')).rejects.toThrow();
    const saved = await writer.save(script.id, { body: 'done\n' });

    expect(await next).toEqual({ type: 'put', script: saved });
    expect(heard).toEqual([{ type: 'put', script: saved }]);
  });
});
