import 'fake-indexeddb/auto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FolderHandleStore } from '../../src/storage/folder/folder-handle-store';
import { FolderSync } from '../../src/storage/folder/folder-sync';
import { NodeFsFolder } from '../../src/storage/folder/node-fs-folder';
import { FolderConnection, type FolderHandle } from '../../src/ui/folder-connection';
import { openProject, type Project } from '../node/folder-sync-harness';

/** A picked folder on disk whose permission the test sets, like a handle after a reload. */
class FakeHandle implements FolderHandle {
  permission: PermissionState = 'granted';
  /** What the browser's prompt answers. */
  answer: PermissionState = 'granted';
  prompts = 0;

  constructor(
    readonly name: string,
    readonly dir: string,
  ) {}

  async queryPermission(): Promise<PermissionState> {
    return this.permission;
  }

  async requestPermission(): Promise<PermissionState> {
    this.prompts++;
    this.permission = this.answer;
    return this.permission;
  }
}

class MemoryHandleStore implements FolderHandleStore<FakeHandle> {
  handle: FakeHandle | undefined;
  async load() {
    return this.handle;
  }
  async save(handle: FakeHandle) {
    this.handle = handle;
  }
  async clear() {
    this.handle = undefined;
  }
}

const projects: Project[] = [];
const connections: FolderConnection<FakeHandle>[] = [];

afterEach(async () => {
  for (const connection of connections.splice(0)) connection.dispose();
  for (const project of projects.splice(0)) await project.close();
});

async function setup(
  options: { picked?: FakeHandle; handles?: MemoryHandleStore; pick?: () => Promise<FakeHandle> } = {},
) {
  const project = await openProject();
  projects.push(project);
  const handles = options.handles ?? new MemoryHandleStore();
  const picked = options.picked ?? new FakeHandle('my-blog', project.dir);
  const observers: { started: number; stopped: number } = { started: 0, stopped: 0 };
  const connection = new FolderConnection<FakeHandle>({
    handles,
    pickDirectory: options.pick ?? (async () => picked),
    openFolder: (handle) => new NodeFsFolder(handle.dir),
    createSync: (folder) =>
      new FolderSync({ folder, scripts: project.scripts, posts: project.posts, state: project.state }),
    observe: () => () => {
      observers.started++;
      return () => observers.stopped++;
    },
    changeSources: [project.scripts, project.posts],
    debounceMs: 5,
  });
  connections.push(connection);
  return { project, handles, picked, connection, observers };
}

/** Time for a write that must not happen; a write that should happen is waited for with `expect.poll`. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('FolderConnection', () => {
  it('starts not connected and connects to a picked folder, writing app items and importing files', async () => {
    const { project, connection, handles, picked } = await setup();
    expect(connection.state.status).toBe('not-connected');
    await project.scripts.create({ title: 'From App', kind: 'utility' });
    await mkdir(join(project.dir, 'scripts'), { recursive: true });
    await writeFile(
      join(project.dir, 'scripts/from_folder.py'),
      '"""\n---\nid: "0b6f6f2e-3a41-4d7e-8c15-2f4a7b9d0e31"\ntitle: "From Folder"\nkind: "utility"\n---\n"""\nprint(1)\n',
    );

    const seen: string[] = [];
    connection.subscribe((state) => seen.push(state.status));
    await connection.connect();

    // The import is a change in the app too, so one more (empty) sync follows it.
    await vi.waitFor(() => expect(connection.state.status).toBe('connected'), { timeout: 30_000 });
    expect(connection.state).toMatchObject({ folderName: 'my-blog', problem: null });
    expect(seen).toContain('syncing');
    expect(handles.handle).toBe(picked);
    expect(connection.state.lastChanges?.report.written).toEqual(['scripts/from_app.py']);
    expect(connection.state.lastChanges?.report.imported).toEqual(['scripts/from_folder.py']);
    expect((await project.scripts.list()).map((script) => script.slug)).toEqual(['from_app', 'from_folder']);
  });

  it('stays as it was when the user cancels the picker', async () => {
    const { connection } = await setup({
      pick: async () => {
        throw new DOMException('The user aborted a request.', 'AbortError');
      },
    });
    await connection.connect();
    expect(connection.state).toMatchObject({ status: 'not-connected', problem: null });
  });

  it('remembers the folder: after a reload it is connected again, or needs one click to re-grant', async () => {
    const handles = new MemoryHandleStore();
    const first = await setup({ handles });
    await first.connection.connect();

    const granted = await setup({ handles });
    await granted.connection.restore();
    expect(granted.connection.state).toMatchObject({ status: 'connected', folderName: 'my-blog' });

    first.picked.permission = 'prompt';
    const prompted = await setup({ handles });
    await prompted.connection.restore();
    expect(prompted.connection.state).toMatchObject({ status: 'needs-permission', folderName: 'my-blog' });
    expect(prompted.connection.folder).toBeUndefined();

    first.picked.answer = 'denied';
    await prompted.connection.reconnect();
    expect(prompted.connection.state.status).toBe('needs-permission');
    expect(prompted.connection.state.problem).toMatch(/not granted/);

    first.picked.answer = 'granted';
    await prompted.connection.reconnect();
    expect(first.picked.prompts).toBe(2);
    expect(prompted.connection.state).toMatchObject({ status: 'connected', problem: null });
    expect(prompted.connection.state.lastSync).not.toBeNull();
  });

  it('turns a conflict in a sync report into a notice until it is dismissed', async () => {
    const { project, connection } = await setup();
    const script = await project.scripts.create({ title: 'Both', kind: 'utility' });
    await connection.connect();
    const path = join(project.dir, 'scripts/both.py');
    await writeFile(path, (await readFile(path, 'utf8')).replace(/print\(.*\)/, 'print("folder")'));
    await project.scripts.save(script.id, { body: 'print("app")\n' });
    await connection.syncNow();

    expect(connection.state.conflicts).toHaveLength(1);
    const [notice] = connection.state.conflicts;
    expect(notice?.path).toBe('scripts/both.py');
    expect(notice?.copyPath).toMatch(/^scripts\/both\.conflict-\d{8}T\d{9}Z\.py$/);
    expect(await readdir(join(project.dir, 'scripts'))).toContain(notice?.copyPath.slice('scripts/'.length));
    expect((await project.scripts.get(script.id))?.body).toContain('print("folder")');

    await connection.syncNow();
    expect(connection.state.conflicts).toHaveLength(1);
    connection.dismissConflict(notice!.copyPath);
    expect(connection.state.conflicts).toEqual([]);
  });

  it('watches while connected: app saves are written out; disconnect stops the watch', async () => {
    const { project, connection, observers, handles } = await setup();
    await connection.connect();
    expect(observers).toEqual({ started: 1, stopped: 0 });

    const script = await project.scripts.create({ title: 'Later', kind: 'utility' });
    // Written by the watch's pass after the store's change event: wait for the file, not a fixed time.
    await expect
      .poll(() => readFile(join(project.dir, 'scripts/later.py'), 'utf8').catch(() => ''), {
        timeout: 30_000,
      })
      .toContain(script.id);

    await connection.disconnect();
    expect(observers).toEqual({ started: 1, stopped: 1 });
    expect(connection.state).toMatchObject({ status: 'not-connected', folderName: null });
    expect(handles.handle).toBeUndefined();
    await project.scripts.create({ title: 'Unsynced', kind: 'utility' });
    await settle();
    await expect(readFile(join(project.dir, 'scripts/unsynced.py'))).rejects.toThrow();
  });

  it('asks for permission again when a sync finds it revoked, and shows other failures', async () => {
    const revoked = await setup();
    await revoked.connection.connect();
    revoked.picked.permission = 'prompt';
    revoked.project.scripts.close();
    await revoked.connection.syncNow();
    expect(revoked.connection.state.status).toBe('needs-permission');
    expect(revoked.observers.stopped).toBe(1);

    const broken = await setup();
    await broken.connection.connect();
    broken.project.scripts.close();
    await broken.connection.syncNow();
    expect(broken.connection.state.status).toBe('error');
    expect(broken.connection.state.problem).toMatch(/Could not sync the folder/);
  });
});
