import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { openScriptStore } from '../../src/storage/idb-script-store';
import { type InvalidRecord, openPymarkDb } from '../../src/storage/pymark-db';
import {
  defaultSettings,
  openSettingsStore,
  type SettingsStore,
  type SettingsStoreOptions,
} from '../../src/storage/settings-store';

const opened: { close(): void }[] = [];

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});

function freshDbName(): string {
  return `pymark-test-${crypto.randomUUID()}`;
}

async function open(dbName: string, options: SettingsStoreOptions = {}): Promise<SettingsStore> {
  const store = await openSettingsStore({ ...options, dbName });
  opened.push(store);
  return store;
}

describe('settings store', () => {
  it('starts from the exported defaults', async () => {
    expect(defaultSettings).toEqual({ runTimeoutMs: 30_000 });
    expect(await (await open(freshDbName())).getSettings()).toEqual(defaultSettings);
  });

  it('keeps an update across a re-open of the database', async () => {
    const dbName = freshDbName();
    const first = await open(dbName);
    expect(await first.updateSettings({ runTimeoutMs: 5_000 })).toEqual({ runTimeoutMs: 5_000 });
    first.close();
    expect(await (await open(dbName)).getSettings()).toEqual({ runTimeoutMs: 5_000 });
  });

  it('accepts the limits themselves', async () => {
    const settings = await open(freshDbName());
    expect((await settings.updateSettings({ runTimeoutMs: 1_000 })).runTimeoutMs).toBe(1_000);
    expect((await settings.updateSettings({ runTimeoutMs: 600_000 })).runTimeoutMs).toBe(600_000);
  });

  it('treats an empty update as no change', async () => {
    const settings = await open(freshDbName());
    await settings.updateSettings({ runTimeoutMs: 2_000 });
    expect(await settings.updateSettings({})).toEqual({ runTimeoutMs: 2_000 });
  });

  it.each([
    [{ runTimeoutMs: 999 }, /runTimeoutMs/],
    [{ runTimeoutMs: 600_001 }, /runTimeoutMs/],
    [{ runTimeoutMs: 1_500.5 }, /runTimeoutMs/],
    [{ runTimeoutMs: '5000' }, /runTimeoutMs/],
    [{ runTimeout: 5_000 }, /runTimeout/],
  ])('rejects %j with a message naming the setting, and stores nothing', async (changes, message) => {
    const settings = await open(freshDbName());
    // Cast: these are exactly the inputs the type would forbid, as they arrive from a form or a file.
    await expect(settings.updateSettings(changes as { runTimeoutMs: number })).rejects.toThrow(message);
    expect(await settings.getSettings()).toEqual(defaultSettings);
  });

  it('reports an invalid stored record, falls back to the defaults and leaves the record alone', async () => {
    const dbName = freshDbName();
    const db = await openPymarkDb(dbName);
    await db.put('settings', { runTimeoutMs: -1 }, 'app');
    const reported: InvalidRecord[] = [];
    const settings = await open(dbName, { onInvalidRecord: (record) => reported.push(record) });

    expect(await settings.getSettings()).toEqual(defaultSettings);
    expect(reported).toEqual([
      { store: 'settings', key: 'app', reason: expect.stringContaining('runTimeoutMs') },
    ]);
    expect(await db.get('settings', 'app')).toEqual({ runTimeoutMs: -1 });
    db.close();
  });

  it('lives in the same database as the scripts', async () => {
    const dbName = freshDbName();
    const scripts = await openScriptStore({ dbName });
    opened.push(scripts);
    const settings = await open(dbName);
    await scripts.create({ title: 'Hello', kind: 'utility' });
    await settings.updateSettings({ runTimeoutMs: 10_000 });
    expect(await scripts.list()).toHaveLength(1);
    expect(await settings.getSettings()).toEqual({ runTimeoutMs: 10_000 });
  });
});
