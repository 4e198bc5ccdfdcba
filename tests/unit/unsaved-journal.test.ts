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
    get length() {
      return items.size;
    },
    key: (index: number) => [...items.keys()][index] ?? null,
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

/** The script text typed at 06:01 on version 1 of script `id`. */
const typed = (id: string): UnsavedEdit => ({ kind: 'script', id, body: 'typed', baseVersion: 1, at: at(1) });

describe('the unsaved-edits journal', () => {
  const edit = (id: string): UnsavedEdit => ({ kind: 'script', id, body: 'x', baseVersion: 1, at: at(0) });

  it("keeps each tab's edits under its own key, until settled", () => {
    const storage = memoryStorage();
    const first = new UnsavedJournal(storage, 'tab-1');
    const second = new UnsavedJournal(storage, 'tab-2');
    first.keep([edit('a')]);
    // A tab with nothing unsaved clears only its own copy.
    second.keep([]);
    second.keep([edit('b')]);
    expect(first.kept()).toEqual([
      { key: 'pymark:unsaved-edits:tab-1', edits: [edit('a')] },
      { key: 'pymark:unsaved-edits:tab-2', edits: [edit('b')] },
    ]);
    // Still there until settled: a failed restore must not lose the copy.
    expect(first.kept()).toHaveLength(2);
    first.settle('pymark:unsaved-edits:tab-1', []);
    first.settle('pymark:unsaved-edits:tab-2', [edit('b')]);
    expect(first.kept()).toEqual([{ key: 'pymark:unsaved-edits:tab-2', edits: [edit('b')] }]);
    first.keep([edit('c')]);
    first.keep([]);
    expect([...storage.items.keys()]).toEqual(['pymark:unsaved-edits:tab-2']);
  });

  it('drops what is malformed and keeps the valid entries beside it, and survives storage that throws', () => {
    const storage = memoryStorage();
    storage.setItem(
      'pymark:unsaved-edits:x',
      JSON.stringify([{ kind: 'script', id: 's' }, edit('ok'), { kind: 'nope' }]),
    );
    storage.setItem('pymark:unsaved-edits:y', '{not json');
    storage.setItem('something-else', JSON.stringify([edit('not ours')]));
    expect(new UnsavedJournal(storage).kept()).toEqual([
      { key: 'pymark:unsaved-edits:x', edits: [edit('ok')] },
      { key: 'pymark:unsaved-edits:y', edits: [] },
    ]);
    const broken = new UnsavedJournal({
      length: 1,
      key: () => {
        throw new Error('denied');
      },
      getItem: () => null,
      setItem: () => {
        throw new Error('quota');
      },
      removeItem: () => {},
    });
    expect(() => broken.keep([edit('s')])).not.toThrow();
    expect(broken.kept()).toEqual([]);
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
    expect(
      await restoreUnsavedEdits([typed(a.id), typed(b.id), typed(c.id), typed('gone')], { scripts, posts }),
    ).toEqual({ failed: [], problems: [] });
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
    expect(restored).toEqual({ failed: [], problems: [] });
    expect(await posts.get(kept.id)).toMatchObject(changes);
    expect(await posts.get(moved.id)).toMatchObject({ body: 'saved elsewhere' });
  });
});

describe('a restore that cannot write', () => {
  it('returns the edit with why, and goes on with the others', async () => {
    const { scripts, posts } = await stores();
    const a = await scripts.create({ title: 'A', kind: 'utility' });
    const b = await scripts.create({ title: 'B', kind: 'utility' });
    const failing = {
      ...scripts,
      get: scripts.get.bind(scripts),
      getDraft: scripts.getDraft.bind(scripts),
      putDraft: async (draft: Parameters<typeof scripts.putDraft>[0]) => {
        if (draft.scriptId === a.id) throw new Error('QuotaExceededError');
        return scripts.putDraft(draft);
      },
    } as typeof scripts;
    const outcome = await restoreUnsavedEdits([typed(a.id), typed(b.id)], { scripts: failing, posts });
    expect(outcome).toEqual({ failed: [typed(a.id)], problems: ['QuotaExceededError'] });
    expect(await scripts.getDraft(b.id)).toMatchObject({ body: 'typed' });
  });
});
