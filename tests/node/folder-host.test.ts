import * as nodeFs from 'node:fs/promises';
import { link, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { assertInsideFolder, OutsideFolderError } from '../../electron/confined-path';
import { FolderHost, withoutAbsolutePaths } from '../../electron/folder-host';
import type { FolderOperation } from '../../src/storage/folder/desktop-bridge';
import type { NodeFs } from '../../src/storage/folder/node-fs-folder';

const windowId = 1;
const bytes = (text: string) => new TextEncoder().encode(text);

/** Every file below `dir` with its content, links as `-> target`: what "nothing touched" compares. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: Record<string, string> = {};
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isSymbolicLink()) files[path] = `-> ${await nodeFs.readlink(path)}`;
    else if (entry.isFile()) files[path] = await readFile(path, 'utf8');
    else files[path] = '(folder)';
  }
  return files;
}

let base: string;
let root: string;
let outside: string;
let host: FolderHost;
let folderId: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'pymark-host-'));
  root = join(base, 'project');
  outside = join(base, 'outside');
  await mkdir(join(root, 'scripts'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), 'secret');
  await writeFile(join(root, 'scripts', 'hello.py'), 'print("hi")\n');
  host = new FolderHost();
  folderId = (await host.connect(windowId, root)).id;
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

function request<Op extends FolderOperation>(operation: Op, payload: Record<string, unknown>) {
  return host.handle(windowId, operation, { folderId, ...payload });
}

describe('the picked folder', () => {
  it('is held per window, by an id that changes with every pick', async () => {
    expect(host.connected(windowId)).toEqual({ id: folderId, name: 'project' });
    expect(host.connected(2)).toBeNull();
    expect(await host.handle(2, 'list', { folderId, dir: 'scripts' })).toEqual({
      ok: false,
      error: 'This folder is no longer connected; connect it again.',
    });

    const again = await host.connect(windowId, root);
    expect(again.id).not.toBe(folderId);
    expect(await request('read', { path: 'scripts/hello.py' })).toMatchObject({ ok: false });

    host.forget(windowId);
    expect(host.connected(windowId)).toBeNull();
    expect(await host.handle(windowId, 'list', { folderId: again.id, dir: 'scripts' })).toMatchObject({
      ok: false,
    });
  });

  it('must still be there: a vanished folder fails instead of listing as empty', async () => {
    await rm(root, { recursive: true });
    const reply = await request('list', { dir: 'scripts' });
    expect(reply).toEqual({
      ok: false,
      error: 'The folder “project” is no longer where it was picked; connect it again.',
    });
  });

  it('refuses a file as the folder', async () => {
    await expect(host.connect(windowId, join(outside, 'secret.txt'))).rejects.toThrow('Not a folder');
  });
});

describe('folder operations', () => {
  it('list, read, write, move and remove files inside the folder', async () => {
    expect(await request('list', { dir: 'scripts' })).toEqual({
      ok: true,
      value: [{ path: 'scripts/hello.py', size: 12, modifiedAt: expect.any(String) }],
    });
    expect(await request('list', { dir: 'posts' })).toEqual({ ok: true, value: [] });

    const read = await request('read', { path: 'scripts/hello.py' });
    expect(read.ok && new TextDecoder().decode(read.value)).toBe('print("hi")\n');

    expect(await request('writeAtomic', { path: 'posts/new.md', bytes: bytes('# New\n') })).toEqual({
      ok: true,
      value: null,
    });
    expect(await readFile(join(root, 'posts', 'new.md'), 'utf8')).toBe('# New\n');

    expect(await request('move', { from: 'posts/new.md', to: '.trash/1/posts/new.md' })).toEqual({
      ok: true,
      value: null,
    });
    expect(await readFile(join(root, '.trash', '1', 'posts', 'new.md'), 'utf8')).toBe('# New\n');

    expect(await request('remove', { path: 'scripts/hello.py' })).toEqual({ ok: true, value: null });
    expect(await readdir(join(root, 'scripts'))).toEqual([]);
  });

  it('write atomically: a temporary file renamed over the old one, removed when the write fails', async () => {
    await request('writeAtomic', { path: 'scripts/hello.py', bytes: bytes('print("new")\n') });
    expect(await readdir(join(root, 'scripts'))).toEqual(['hello.py']);
    expect(await readFile(join(root, 'scripts', 'hello.py'), 'utf8')).toBe('print("new")\n');

    const renames: string[] = [];
    const failingRename: NodeFs = {
      ...nodeFs,
      rename: async (from) => {
        renames.push(String(from));
        throw new Error('disk gone mid-write');
      },
    };
    const failing = new FolderHost({ fs: failingRename });
    const failingId = (await failing.connect(windowId, root)).id;
    const reply = await failing.handle(windowId, 'writeAtomic', {
      folderId: failingId,
      path: 'scripts/hello.py',
      bytes: bytes('half'),
    });
    expect(reply).toEqual({ ok: false, error: 'disk gone mid-write' });
    expect(renames).toEqual([expect.stringMatching(/scripts\/\.[0-9a-f-]+\.pymark-tmp$/)]);
    expect(await readdir(join(root, 'scripts'))).toEqual(['hello.py']);
    expect(await readFile(join(root, 'scripts', 'hello.py'), 'utf8')).toBe('print("new")\n');
  });
});

describe('paths outside the folder', () => {
  const hostile = [
    '../x',
    '/etc/passwd',
    'a/../../x',
    'scripts/../../outside/secret.txt',
    './x',
    'a//b',
    '..\\x',
  ];

  it.each(hostile)(
    '%s is refused by every operation, with the field named, and nothing touched',
    async (path) => {
      const before = await snapshot(base);
      const replies = [
        await request('list', { dir: path }),
        await request('read', { path }),
        await request('writeAtomic', { path, bytes: bytes('pwned') }),
        await request('move', { from: 'scripts/hello.py', to: path }),
        await request('move', { from: path, to: 'scripts/taken.py' }),
        await request('remove', { path }),
      ];
      for (const reply of replies) {
        expect(reply.ok).toBe(false);
        expect(!reply.ok && reply.error).toMatch(
          /^Malformed request on pymark:folder:[a-z-]+: ✖ must be a path inside the folder.*\n {2}→ at (dir|path|from|to)$/,
        );
      }
      expect(await snapshot(base)).toEqual(before);
    },
  );

  describe('through symbolic links', () => {
    beforeEach(async () => {
      await symlink(outside, join(root, 'posts'));
      await symlink(join(outside, 'secret.txt'), join(root, 'scripts', 'leak.py'));
      await symlink(join(base, 'nowhere'), join(root, 'dangling'));
    });

    it.each([
      ['list', 'posts', { dir: 'posts' }],
      ['read', 'scripts/leak.py', { path: 'scripts/leak.py' }],
      ['read', 'posts/secret.txt', { path: 'posts/secret.txt' }],
      ['writeAtomic', 'posts/new.md', { path: 'posts/new.md', bytes: bytes('pwned') }],
      ['writeAtomic', 'scripts/leak.py', { path: 'scripts/leak.py', bytes: bytes('pwned') }],
      ['writeAtomic', 'dangling/new.md', { path: 'dangling/new.md', bytes: bytes('pwned') }],
      ['move', 'to posts/hello.py', { from: 'scripts/hello.py', to: 'posts/hello.py' }],
      ['move', 'from posts/secret.txt', { from: 'posts/secret.txt', to: 'scripts/secret.py' }],
      ['remove', 'scripts/leak.py', { path: 'scripts/leak.py' }],
      ['remove', 'posts/secret.txt', { path: 'posts/secret.txt' }],
    ] as const)('%s %s is refused and nothing touched', async (operation, _path, payload) => {
      const before = await snapshot(base);
      const reply = await request(operation, payload);
      expect(reply.ok).toBe(false);
      expect(!reply.ok && reply.error).toMatch(
        /^Refused ".+": goes through a symbolic link to (outside the folder|nothing)$/,
      );
      expect(await snapshot(base)).toEqual(before);
    });

    it('leaves symbolic links out of listings and follows those that stay inside', async () => {
      expect(await request('list', { dir: 'scripts' })).toMatchObject({
        ok: true,
        value: [{ path: 'scripts/hello.py' }],
      });
      await symlink(join(root, 'scripts'), join(root, 'code'));
      const read = await request('read', { path: 'code/hello.py' });
      expect(read.ok && new TextDecoder().decode(read.value)).toBe('print("hi")\n');
    });
  });

  it('are refused by the path check itself too, whatever the schema lets through', async () => {
    for (const path of ['../x', '/etc/passwd', 'a/../../x']) {
      await expect(assertInsideFolder(root, path)).rejects.toThrow(OutsideFolderError);
    }
    await expect(assertInsideFolder(root, 'scripts/new/deeper.py')).resolves.toBeUndefined();
  });
});

describe('watching the picked folder', () => {
  it('tells the window when its folder changes on disk, and stops when it is forgotten or replaced', async () => {
    const changed: number[] = [];
    const watching = new FolderHost({ onFolderChanged: (id) => changed.push(id) });
    await watching.connect(windowId, root);
    await writeFile(join(root, 'scripts', 'edited.py'), 'x = 1\n');
    await vi.waitFor(() => expect(changed).toContain(windowId), { timeout: 5_000 });

    // Another pick for the window: only the new folder is watched.
    await watching.connect(windowId, outside);
    changed.length = 0;
    await writeFile(join(root, 'scripts', 'again.py'), 'x = 2\n');
    await writeFile(join(outside, 'note.txt'), 'x');
    await vi.waitFor(() => expect(changed).toContain(windowId), { timeout: 5_000 });
    watching.forget(windowId);
    changed.length = 0;
    await writeFile(join(outside, 'later.txt'), 'x');
    await writeFile(join(root, 'scripts', 'later.py'), 'x = 3\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(changed).toEqual([]);
  });

  it('starts and stops the watch it is given, once per pick', async () => {
    const watches: string[] = [];
    const stopped: string[] = [];
    const watching = new FolderHost({
      onFolderChanged: () => {},
      watch: (watchedRoot) => {
        watches.push(watchedRoot);
        return () => stopped.push(watchedRoot);
      },
    });
    await watching.connect(windowId, root);
    await watching.connect(windowId, outside);
    watching.forget(windowId);
    expect(watches.map((path) => path.split('/').at(-1))).toEqual(['project', 'outside']);
    expect(stopped).toEqual(watches);
  });
});

describe('Windows path forms', () => {
  const windowsForms = [
    'D:..',
    'C:/Windows/win.ini',
    'scripts/hello.py:secret',
    'scripts/hello.py::$DATA',
    'CON',
    'scripts/nul.py',
    'posts/Aux .md',
    'scripts/com1',
    'scripts/LPT¹.md',
    'scripts/hello.py.',
    'scripts/hello.py ',
    'scripts/a?.py',
  ];

  it.each(windowsForms)('%s is refused by every operation, located, and nothing touched', async (path) => {
    const before = await snapshot(base);
    const replies = [
      await request('list', { dir: path }),
      await request('read', { path }),
      await request('writeAtomic', { path, bytes: bytes('pwned') }),
      await request('move', { from: 'scripts/hello.py', to: path }),
      await request('remove', { path }),
    ];
    for (const reply of replies) {
      expect(!reply.ok && reply.error).toMatch(
        /^Malformed request on pymark:folder:[a-z-]+: ✖ must be a path inside the folder, not a Windows path form: .+\n {2}→ at (dir|path|to)$/,
      );
    }
    expect(await snapshot(base)).toEqual(before);
  });

  it.each(windowsForms)('%s is refused by the path check itself too', async (path) => {
    await expect(assertInsideFolder(root, path)).rejects.toThrow(/a Windows path form/);
  });

  it('leaves ordinary names alone, dotted and side files included', async () => {
    for (const path of [
      'scripts/console.py',
      'scripts/null.py',
      'scripts/x.conflict-20260520T101500000Z.py',
      '.trash/20260520T101500000Z/posts/a.md',
    ]) {
      await expect(assertInsideFolder(root, path)).resolves.toBeUndefined();
    }
  });
});

describe('hard links', () => {
  it('are refused on read: the file may be one outside the folder', async () => {
    await link(join(outside, 'secret.txt'), join(root, 'scripts', 'linked.py'));
    const reply = await request('read', { path: 'scripts/linked.py' });
    expect(reply).toEqual({
      ok: false,
      error: 'Refused "scripts/linked.py": it is a hard link, so the same file may be outside the folder',
    });
    // A file with one link reads as before.
    expect(await request('read', { path: 'scripts/hello.py' })).toMatchObject({ ok: true });
  });
});

describe('replies', () => {
  it('never reveal where the folder is on the disk', async () => {
    await writeFile(join(root, 'scripts', 'dir.py'), '');
    await rm(join(root, 'scripts', 'dir.py'));
    await mkdir(join(root, 'scripts', 'dir.py'));
    const replies = [
      await request('read', { path: 'scripts/missing.py' }),
      await request('read', { path: 'scripts/dir.py' }),
      await request('move', { from: 'scripts/missing.py', to: 'scripts/other.py' }),
      await request('remove', { path: 'scripts/missing.py' }),
      await host.pick(windowId, async () => join(base, 'nowhere')),
      await host.pick(windowId, async () => join(outside, 'secret.txt')),
    ];
    for (const reply of replies) {
      expect(reply.ok).toBe(false);
      expect(!reply.ok && reply.error).not.toContain(base);
      expect(!reply.ok && reply.error).not.toMatch(/'\//);
    }
    expect(replies[0]).toEqual({
      ok: false,
      error: "ENOENT: no such file or directory, open 'scripts/missing.py'",
    });
  });

  it('replace an absolute path outside the folder with a placeholder', () => {
    expect(withoutAbsolutePaths("EACCES: permission denied, open '/home/someone/x'")).toBe(
      "EACCES: permission denied, open '(a path outside the folder)'",
    );
    expect(withoutAbsolutePaths("ENOENT: open 'C:\\Users\\someone\\x'")).toBe(
      "ENOENT: open '(a path outside the folder)'",
    );
  });
});

describe('malformed requests', () => {
  const validId = '00000000-0000-4000-8000-000000000000';
  it.each([
    [null, '✖ Invalid input: expected object, received null'],
    [{ dir: 'scripts' }, '✖ Invalid input: expected string, received undefined\n  → at folderId'],
    [{ folderId: 'not-a-uuid', dir: 'scripts' }, '✖ Invalid UUID\n  → at folderId'],
    [{ folderId: validId, dir: 7 }, '✖ Invalid input: expected string, received number\n  → at dir'],
    [{ folderId: validId, dir: 'scripts', extra: true }, '✖ Unrecognized key: "extra"'],
  ])('%j is refused with the fault located', async (payload, message) => {
    const reply = await host.handle(windowId, 'list', payload);
    expect(reply.ok).toBe(false);
    expect(!reply.ok && reply.error).toContain(`Malformed request on pymark:folder:list: ${message}`);
  });

  it('refuses bytes that are not a Uint8Array', async () => {
    const reply = await request('writeAtomic', { path: 'scripts/x.py', bytes: [112, 119] });
    expect(reply).toEqual({
      ok: false,
      error: 'Malformed request on pymark:folder:write-atomic: ✖ expected a Uint8Array\n  → at bytes',
    });
    expect(await readdir(join(root, 'scripts'))).toEqual(['hello.py']);
  });
});
