import 'fake-indexeddb/auto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FolderSync, type FolderSyncOptions } from '../../src/storage/folder/folder-sync';
import { type NodeFs, NodeFsFolder } from '../../src/storage/folder/node-fs-folder';
import { openSyncStateStore, type SyncStateStore } from '../../src/storage/folder/sync-state-store';
import { type IdbMediaStore, openMediaStore } from '../../src/storage/idb-media-store';
import { type IdbPostStore, openPostStore } from '../../src/storage/idb-post-store';
import { type IdbScriptStore, openScriptStore } from '../../src/storage/idb-script-store';

const syncTime = new Date('2026-05-20T10:15:00.000Z');
export const syncStamp = '20260520T101500000Z';

export interface Project {
  dir: string;
  scripts: IdbScriptStore;
  posts: IdbPostStore;
  media: IdbMediaStore;
  state: SyncStateStore;
  sync: FolderSync;
  read(path: string): Promise<Buffer>;
  readText(path: string): Promise<string>;
  write(path: string, content: string | Uint8Array): Promise<void>;
  remove(path: string): Promise<void>;
  close(): Promise<void>;
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'pymark-sync-'));
}

/** An app (fresh IndexedDB) connected to a real temporary folder through the Node adapter. */
export async function openProject(
  options: { dir?: string; dbName?: string; fs?: NodeFs; exclusive?: FolderSyncOptions['exclusive'] } = {},
): Promise<Project> {
  const dir = options.dir ?? (await tempDir());
  const dbName = options.dbName ?? `pymark-sync-${crypto.randomUUID()}`;
  const [scripts, posts, media, state] = await Promise.all([
    openScriptStore({ dbName }),
    openPostStore({ dbName }),
    openMediaStore({ dbName }),
    openSyncStateStore({ dbName }),
  ]);
  const sync = new FolderSync({
    folder: new NodeFsFolder(dir, options.fs),
    scripts,
    posts,
    media,
    state,
    clock: () => syncTime,
    ...(options.exclusive ? { exclusive: options.exclusive } : {}),
  });
  return {
    dir,
    scripts,
    posts,
    media,
    state,
    sync,
    read: (path) => readFile(join(dir, path)),
    readText: (path) => readFile(join(dir, path), 'utf8'),
    async write(path, content) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    },
    remove: (path) => rm(join(dir, path)),
    async close() {
      scripts.close();
      posts.close();
      media.close();
      state.close();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A lock shared by the projects it is passed to, as a Web Lock is shared by the app's tabs. */
export function sharedLock(): NonNullable<FolderSyncOptions['exclusive']> {
  let tail: Promise<unknown> = Promise.resolve();
  return (pass) => {
    const run = tail.then(pass);
    tail = run.catch(() => {});
    return run;
  };
}
