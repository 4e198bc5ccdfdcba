import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostStore } from '../../src/storage/idb-post-store';
import { openScriptStore } from '../../src/storage/idb-script-store';
import { restoreUnsavedEdits, type UnsavedEdit, UnsavedJournal } from '../../src/storage/unsaved-journal';

/** Web Storage in memory. */
function memoryStorage() {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});

async function stores() {
  const dbName = `pymark-journal-${crypto.randomUUID()}`;
  const [scripts, posts] = await Promise.all([openScriptStore({ dbName }), openPostStore({ dbName })]);
  opened.push(scripts, posts);
  return { scripts, posts };
}

const at = (minute: number) => `2026-11-24T06:${String(minute).padStart(2, '0')}:00.000Z`;

describe('the unsaved-edits journal', () => {
  it('keeps edits until taken, once; no edits clear it', () => {
    const storage = memoryStorage();
    const journal = new UnsavedJournal(storage);
    const edit: UnsavedEdit = { kind: 'script', id: 's', body: 'x', baseVersion: 1, at: at(0) };
    journal.keep([edit]);
    expect(journal.take()).toEqual([edit]);
    expect(journal.take()).toEqual([]);
    journal.keep([edit]);
    journal.keep([]);
    expect(storage.items.size).toBe(0);
  });

  it('drops what is malformed, and survives storage that throws', () => {
    const storage = memoryStorage();
    const journal = new UnsavedJournal(storage);
    storage.setItem('pymark:unsaved-edits', '[{"kind":"script","id":"s"}, {"kind":"nope"}]');
    expect(journal.take()).toEqual([]);
    storage.setItem('pymark:unsaved-edits', '{not json');
    expect(journal.take()).toEqual([]);
    const full = new UnsavedJournal({
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('quota');
      },
      removeItem: () => {},
    });
    expect(() =>
      full.keep([{ kind: 'script', id: 's', body: 'x', baseVersion: 1, at: at(0) }]),
    ).not.toThrow();
    expect(full.take()).toEqual([]);
  });
});

describe('restoring kept edits', () => {
  it("puts a script's text back as its draft unless a save or a newer draft came after it", async () => {
    const { scripts, posts } = await stores();
    const a = await scripts.create({ title: 'A', kind: 'utility' });
    const b = await scripts.create({ title: 'B', kind: 'utility' });
    const c = await scripts.create({ title: 'C', kind: 'utility' });
    await scripts.save(b.id, { body: 'saved after the edit' });
    await scripts.putDraft({ scriptId: c.id, body: 'newer draft', baseVersion: 1, updatedAt: at(5) });
    const edit = (id: string): UnsavedEdit => ({
      kind: 'script',
      id,
      body: 'typed',
      baseVersion: 1,
      at: at(1),
    });
    expect(
      await restoreUnsavedEdits([edit(a.id), edit(b.id), edit(c.id), edit('gone')], { scripts, posts }),
    ).toBe(1);
    expect(await scripts.getDraft(a.id)).toMatchObject({ body: 'typed', baseVersion: 1 });
    expect(await scripts.getDraft(b.id)).toBeUndefined();
    expect(await scripts.getDraft(c.id)).toMatchObject({ body: 'newer draft' });
  });

  it("saves a post's edits unless the post changed since they were typed", async () => {
    const { scripts, posts } = await stores();
    const kept = await posts.create({ title: 'Kept', body: 'old' });
    const moved = await posts.create({ title: 'Moved', body: 'old' });
    const changes = { body: 'typed', status: 'published' as const, tags: ['t'], categories: [] };
    const baseOfMoved = moved.updatedAt;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await posts.save(moved.id, { body: 'saved elsewhere' });
    const restored = await restoreUnsavedEdits(
      [
        { kind: 'post', id: kept.id, changes, baseUpdatedAt: kept.updatedAt },
        { kind: 'post', id: moved.id, changes, baseUpdatedAt: baseOfMoved },
      ],
      { scripts, posts },
    );
    expect(restored).toBe(1);
    expect(await posts.get(kept.id)).toMatchObject(changes);
    expect(await posts.get(moved.id)).toMatchObject({ body: 'saved elsewhere' });
  });
});
