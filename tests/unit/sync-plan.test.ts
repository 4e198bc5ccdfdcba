import { describe, expect, it } from 'vitest';
import {
  type AppEntry,
  type FolderEntry,
  planSync,
  type SyncedEntry,
  type SyncInput,
  slugOfPath,
} from '../../src/core/sync-plan';

const layout = { dir: 'scripts', extension: '.py' };
const timestamp = '20260520T101500Z';

function plan(parts: Partial<Pick<SyncInput, 'synced' | 'app' | 'folder'>>) {
  return planSync({ layout, timestamp, synced: [], app: [], folder: [], ...parts });
}

const synced = (id: string, slug: string, version = 'v1'): SyncedEntry => ({
  id,
  path: `scripts/${slug}.py`,
  fileHash: `file-${version}`,
  appHash: `app-${version}`,
});
const app = (id: string, slug: string, version = 'v1'): AppEntry => ({ id, slug, appHash: `app-${version}` });
const file = (id: string, slug: string, version = 'v1'): FolderEntry => ({
  path: `scripts/${slug}.py`,
  readable: true,
  id,
  fileHash: `file-${version}`,
  appHash: `app-${version}`,
});
const broken = (slug: string, reason = 'broken'): FolderEntry => ({
  path: `scripts/${slug}.py`,
  readable: false,
  reason,
});

describe('planSync on first connect (nothing synced yet)', () => {
  it('writes app-only items, imports folder-only files, links items both sides agree on', () => {
    expect(
      plan({ app: [app('a', 'alpha'), app('c', 'same')], folder: [file('b', 'beta'), file('c', 'same')] }),
    ).toEqual([
      { type: 'import', id: 'b', path: 'scripts/beta.py' },
      { type: 'link', id: 'c', path: 'scripts/same.py' },
      { type: 'write', id: 'a', path: 'scripts/alpha.py', slug: 'alpha' },
    ]);
  });

  it('treats differing versions of one id as a conflict the file wins', () => {
    expect(plan({ app: [app('a', 'alpha', 'v2')], folder: [file('a', 'alpha')] })).toEqual([
      {
        type: 'conflict',
        id: 'a',
        path: 'scripts/alpha.py',
        copyPath: `scripts/alpha.conflict-${timestamp}.py`,
      },
    ]);
  });

  it('gives an app item another slug when a different file holds its path', () => {
    expect(plan({ app: [app('a', 'hello')], folder: [file('b', 'hello'), file('c', 'hello_2')] })).toEqual([
      { type: 'import', id: 'b', path: 'scripts/hello.py' },
      { type: 'import', id: 'c', path: 'scripts/hello_2.py' },
      { type: 'write', id: 'a', path: 'scripts/hello_3.py', slug: 'hello_3' },
    ]);
  });
});

describe('planSync after a sync', () => {
  const base = { synced: [synced('a', 'alpha')] };

  it('does nothing when neither side changed', () => {
    expect(plan({ ...base, app: [app('a', 'alpha')], folder: [file('a', 'alpha')] })).toEqual([]);
  });

  it('writes an app edit and imports a file edit', () => {
    expect(plan({ ...base, app: [app('a', 'alpha', 'v2')], folder: [file('a', 'alpha')] })).toEqual([
      { type: 'write', id: 'a', path: 'scripts/alpha.py', slug: 'alpha' },
    ]);
    expect(plan({ ...base, app: [app('a', 'alpha')], folder: [file('a', 'alpha', 'v2')] })).toEqual([
      { type: 'import', id: 'a', path: 'scripts/alpha.py' },
    ]);
  });

  it('renames the file when the app renamed the item, and imports a rename made outside', () => {
    expect(plan({ ...base, app: [app('a', 'omega', 'v2')], folder: [file('a', 'alpha')] })).toEqual([
      { type: 'write', id: 'a', path: 'scripts/omega.py', slug: 'omega', replaces: 'scripts/alpha.py' },
    ]);
    expect(plan({ ...base, app: [app('a', 'alpha')], folder: [file('a', 'omega')] })).toEqual([
      { type: 'import', id: 'a', path: 'scripts/omega.py' },
    ]);
  });

  it('lets a rename take a path another item is leaving', () => {
    const synced2 = [synced('a', 'alpha'), synced('b', 'beta')];
    expect(
      plan({
        synced: synced2,
        app: [app('a', 'beta', 'v2'), app('b', 'gamma', 'v2')],
        folder: [file('a', 'alpha'), file('b', 'beta')],
      }),
    ).toEqual([
      { type: 'write', id: 'a', path: 'scripts/beta.py', slug: 'beta', replaces: 'scripts/alpha.py' },
      { type: 'write', id: 'b', path: 'scripts/gamma.py', slug: 'gamma', replaces: 'scripts/beta.py' },
    ]);
  });

  it('reports a conflict when both sides changed differently, and links identical edits', () => {
    expect(plan({ ...base, app: [app('a', 'alpha', 'v2')], folder: [file('a', 'alpha', 'v3')] })).toEqual([
      {
        type: 'conflict',
        id: 'a',
        path: 'scripts/alpha.py',
        copyPath: `scripts/alpha.conflict-${timestamp}.py`,
      },
    ]);
    expect(plan({ ...base, app: [app('a', 'alpha', 'v2')], folder: [file('a', 'alpha', 'v2')] })).toEqual([
      { type: 'link', id: 'a', path: 'scripts/alpha.py' },
    ]);
  });

  it('trashes in the app what was deleted in the folder, unless the app edited it since', () => {
    expect(plan({ ...base, app: [app('a', 'alpha')] })).toEqual([{ type: 'trashApp', id: 'a' }]);
    expect(plan({ ...base, app: [app('a', 'alpha', 'v2')] })).toEqual([
      { type: 'write', id: 'a', path: 'scripts/alpha.py', slug: 'alpha' },
    ]);
  });

  it('trashes in the folder what was deleted in the app, unless the file was edited since', () => {
    expect(plan({ ...base, folder: [file('a', 'alpha')] })).toEqual([
      {
        type: 'trashFile',
        id: 'a',
        path: 'scripts/alpha.py',
        trashPath: `.trash/${timestamp}/scripts/alpha.py`,
      },
    ]);
    expect(plan({ ...base, folder: [file('a', 'alpha', 'v2')] })).toEqual([
      { type: 'import', id: 'a', path: 'scripts/alpha.py' },
    ]);
  });

  it('forgets an item gone from both sides', () => {
    expect(plan(base)).toEqual([{ type: 'forget', id: 'a' }]);
  });
});

describe('planSync with unreadable files', () => {
  it('reports them and never writes over them or trashes the item they hold', () => {
    const actions = plan({
      synced: [synced('a', 'alpha')],
      app: [app('a', 'alpha', 'v2'), app('n', 'alpha_new')],
      folder: [broken('alpha', 'not UTF-8'), broken('alpha_new')],
    });
    expect(actions).toEqual([
      { type: 'unreadable', path: 'scripts/alpha.py', reason: 'not UTF-8' },
      { type: 'unreadable', path: 'scripts/alpha_new.py', reason: 'broken' },
      { type: 'write', id: 'n', path: 'scripts/alpha_new_2.py', slug: 'alpha_new_2' },
    ]);
  });

  it('keeps the synced file of a duplicated id and reports the copy', () => {
    const copy: FolderEntry = { ...file('a', 'alpha'), path: 'scripts/alpha_copy.py' };
    expect(
      plan({ synced: [synced('a', 'alpha')], app: [app('a', 'alpha')], folder: [copy, file('a', 'alpha')] }),
    ).toEqual([
      {
        type: 'unreadable',
        path: 'scripts/alpha_copy.py',
        reason: 'duplicate id a, also in scripts/alpha.py',
      },
    ]);
  });

  it('keeps the first by path when nothing tells the copies apart', () => {
    const second: FolderEntry = { ...file('a', 'alpha'), path: 'scripts/beta.py' };
    expect(plan({ folder: [second, file('a', 'alpha')] })).toEqual([
      { type: 'unreadable', path: 'scripts/beta.py', reason: 'duplicate id a, also in scripts/alpha.py' },
      { type: 'import', id: 'a', path: 'scripts/alpha.py' },
    ]);
  });
});

describe('slugOfPath', () => {
  it.each([
    ['scripts/alpha.py', 'alpha'],
    ['scripts/a.conflict-1.py', undefined],
    ['scripts/My Script.py', 'My Script'],
    ['scripts/sub/alpha.py', undefined],
    ['posts/alpha.md', undefined],
  ])('%s → %s', (path, slug) => {
    expect(slugOfPath(layout, path)).toBe(slug);
  });
});
