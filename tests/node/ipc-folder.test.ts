import 'fake-indexeddb/auto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderHost } from '../../electron/folder-host';
import type { DesktopBridge } from '../../src/storage/folder/desktop-bridge';
import { DesktopFolderHandleStore, pickDesktopFolder } from '../../src/storage/folder/desktop-folder';
import { FolderSync } from '../../src/storage/folder/folder-sync';
import { IpcFolder } from '../../src/storage/folder/ipc-folder';
import { FolderConnection } from '../../src/ui/folder-connection';
import { fakeBridge } from './desktop-bridge-harness';
import { openProject, type Project, tempDir } from './folder-sync-harness';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The app's stores (fake-indexeddb) syncing a real temporary folder through the desktop bridge. */
async function desktopProject(): Promise<{ project: Project; bridge: DesktopBridge; folder: IpcFolder }> {
  const dir = await tempDir();
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const bridge = fakeBridge(new FolderHost(), async () => dir);
  const handle = await pickDesktopFolder(bridge);
  const folder = new IpcFolder(bridge.folder, handle.id);
  const project = await openProject({ dir });
  cleanups.push(() => project.close());
  // The harness syncs through Node's fs directly; this sync goes through the bridge instead.
  const sync = new FolderSync({
    folder,
    scripts: project.scripts,
    posts: project.posts,
    state: project.state,
  });
  return { project: { ...project, sync }, bridge, folder };
}

describe('folder sync through the desktop bridge', () => {
  it('writes app changes to disk and imports edits made on disk', async () => {
    const { project } = await desktopProject();
    const script = await project.scripts.create({ title: 'Hello', kind: 'utility' });
    await project.posts.create({ title: 'First post', body: 'Hi\n' });
    expect((await project.sync.syncNow()).written).toEqual(['scripts/hello.py', 'posts/first_post.md']);
    expect(await project.readText('scripts/hello.py')).toContain('Hello from Pymark');

    const edited = (await project.readText('scripts/hello.py')).replace('Hello from Pymark', 'Edited in vim');
    await project.write('scripts/hello.py', edited);
    expect((await project.sync.syncNow()).imported).toEqual(['scripts/hello.py']);
    expect((await project.scripts.get(script.id))?.body).toContain('Edited in vim');

    await project.scripts.rename(script.id, 'Greeting');
    expect((await project.sync.syncNow()).written).toEqual(['scripts/greeting.py']);
    expect(await readdir(join(project.dir, 'scripts'))).toEqual(['greeting.py']);

    await project.scripts.delete(script.id);
    const { trashed } = await project.sync.syncNow();
    expect(trashed).toEqual([{ id: script.id, path: 'scripts/greeting.py', trashPath: expect.any(String) }]);
    expect(await readFile(join(project.dir, trashed[0]!.trashPath!), 'utf8')).toContain('Edited in vim');
  });

  it('reports what main refused, file by file, and goes on', async () => {
    const { project, folder } = await desktopProject();
    await expect(folder.read('../outside.txt')).rejects.toThrow(
      /^Malformed request on pymark:folder:read: ✖ must be a path inside the folder/,
    );
    await project.write('scripts/bad.py', new Uint8Array([0xff, 0xfe]));
    expect((await project.sync.syncNow()).unreadable).toEqual([
      { path: 'scripts/bad.py', reason: 'not valid UTF-8 text' },
    ]);
  });

  it('fails requests for a folder picked before the current one', async () => {
    const { project, bridge, folder } = await desktopProject();
    await project.scripts.create({ title: 'Hello', kind: 'utility' });
    await pickDesktopFolder(bridge);
    await expect(folder.list('scripts')).rejects.toThrow('This folder is no longer connected');
    await expect(project.sync.syncNow()).rejects.toThrow('This folder is no longer connected');
    expect(await readdir(project.dir)).toEqual([]);
  });
});

describe('replies the app does not trust', () => {
  const folderId = '00000000-0000-4000-8000-000000000000';
  const replying = (reply: unknown): DesktopBridge['folder'] => {
    const answer = async () => reply;
    return {
      list: answer,
      listFolders: answer,
      read: answer,
      writeAtomic: answer,
      move: answer,
      remove: answer,
      removeEmptyFolder: answer,
    };
  };

  it.each([
    [undefined, 'Malformed reply on pymark:folder:list: ✖ Invalid input'],
    [{ ok: true, value: [{ path: 'scripts/a.py', size: -1, modifiedAt: 'today' }] }, '→ at [0].size'],
    [{ ok: true, value: [{ path: 'scripts/a.py', size: 1, modifiedAt: 'today' }] }, '→ at [0].modifiedAt'],
    [
      { ok: true, value: 'scripts/a.py' },
      'Malformed value on pymark:folder:list: ✖ Invalid input: expected array',
    ],
    [{ ok: false }, '→ at error'],
  ])('%j is refused, naming the channel and the field', async (reply, message) => {
    await expect(new IpcFolder(replying(reply), folderId).list('scripts')).rejects.toThrow(message);
  });

  it('a read must bring a Uint8Array, and an error reply becomes the error', async () => {
    await expect(new IpcFolder(replying({ ok: true, value: 'text' }), folderId).read('a')).rejects.toThrow(
      'Malformed value on pymark:folder:read: ✖ expected a Uint8Array',
    );
    await expect(
      new IpcFolder(replying({ ok: false, error: 'EACCES: permission denied' }), folderId).remove('a'),
    ).rejects.toThrow(/^EACCES: permission denied$/);
  });
});

describe('the folder connection on the desktop', () => {
  it('connects through the picker, keeps the folder over a reload and forgets it on disconnect', async () => {
    const project = await openProject();
    cleanups.push(() => project.close());
    let choice: string | undefined;
    const bridge = fakeBridge(new FolderHost(), async () => choice);
    const connect = () => {
      const connection = new FolderConnection({
        handles: new DesktopFolderHandleStore(bridge),
        pickDirectory: () => pickDesktopFolder(bridge),
        openFolder: (handle) => new IpcFolder(bridge.folder, handle.id),
        createSync: (folder) =>
          new FolderSync({ folder, scripts: project.scripts, posts: project.posts, state: project.state }),
        changeSources: [],
        pollIntervalMs: 60_000,
      });
      cleanups.push(async () => connection.dispose());
      return connection;
    };
    await project.scripts.create({ title: 'Hello', kind: 'utility' });

    const page = connect();
    await page.connect();
    expect(page.state).toMatchObject({ status: 'not-connected', problem: null });

    choice = project.dir;
    await page.connect();
    expect(page.state).toMatchObject({ status: 'connected', folderName: project.dir.split('/').pop() });
    expect(page.state.lastSync?.report.written).toEqual(['scripts/hello.py']);

    const reloaded = connect();
    await reloaded.restore();
    expect(reloaded.state.status).toBe('connected');
    expect(reloaded.folder).toBeInstanceOf(IpcFolder);

    await reloaded.disconnect();
    expect(await bridge.connectedFolder()).toEqual({ ok: true, value: null });
    const afterDisconnect = connect();
    await afterDisconnect.restore();
    expect(afterDisconnect.state.status).toBe('not-connected');
  });
});
