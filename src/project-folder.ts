import { bundledDefaults } from './storage/bundled-defaults';
import { adoptDefault, applyDefaults } from './storage/defaults-seeder';
import type { DesktopBridge } from './storage/folder/desktop-bridge';
import { DesktopFolderHandleStore, pickDesktopFolder } from './storage/folder/desktop-folder';
import { DirectoryHandleFolder, observeDirectory } from './storage/folder/directory-handle-folder';
import { OffThreadFolderParser } from './storage/folder/folder-file-parser';
import { IdbFolderHandleStore, type PermissionedDirectoryHandle } from './storage/folder/folder-handle-store';
import { FolderSync } from './storage/folder/folder-sync';
import { IpcFolder } from './storage/folder/ipc-folder';
import { openSyncStateStore } from './storage/folder/sync-state-store';
import type { IdbMediaStore } from './storage/idb-media-store';
import type { IdbPostStore } from './storage/idb-post-store';
import type { IdbScriptStore } from './storage/idb-script-store';
import { defaultDbName, openPymarkDb, type PymarkDb, warnAboutInvalidRecord } from './storage/pymark-db';
import { DefaultOffers } from './ui/default-offers';
import {
  FolderConnection,
  type FolderConnectionDeps,
  type FolderControls,
  type FolderHandle,
} from './ui/folder-connection';

/** The File System Access picker: Chromium's, not in TypeScript's DOM library yet. */
interface DirectoryPicker {
  showDirectoryPicker?(options: { mode: 'read' | 'readwrite' }): Promise<FileSystemDirectoryHandle>;
}

const noPicker = 'this browser cannot open folders; use Chrome or Edge to connect one';

function pickDirectory(): Promise<PermissionedDirectoryHandle> {
  const picker = (window as DirectoryPicker).showDirectoryPicker;
  if (!picker) return Promise.reject(new Error(noPicker));
  // Wherever the picker exists, its handles have Chromium's permission methods too.
  return picker.call(window, { mode: 'readwrite' }) as Promise<PermissionedDirectoryHandle>;
}

/** A reference desktop app project to import: read only, and never remembered. */
export async function pickReferenceFolder(): Promise<{ name: string; folder: DirectoryHandleFolder }> {
  const picker = (window as DirectoryPicker).showDirectoryPicker;
  if (!picker) throw new Error(noPicker);
  const handle = await picker.call(window, { mode: 'read' });
  return { name: handle.name, folder: new DirectoryHandleFolder(handle) };
}

/** What the folder connection needs whichever way the folder is reached. */
type SharedDeps = Pick<FolderConnectionDeps<FolderHandle>, 'createSync' | 'focusTarget' | 'changeSources'>;

/** A folder picked in the browser (File System Access), its handle kept in IndexedDB. */
function browserConnection(db: PymarkDb, shared: SharedDeps) {
  return new FolderConnection<PermissionedDirectoryHandle>({
    ...shared,
    handles: new IdbFolderHandleStore(db, warnAboutInvalidRecord),
    pickDirectory,
    openFolder: (handle) => new DirectoryHandleFolder(handle),
    observe: observeDirectory,
  });
}

/**
 * A folder picked in the Electron build, held by the main process and reached over IPC. Main watches
 * the folder and says when it changed; the watch also polls and checks on focus, in case main's
 * watch could not start.
 */
function desktopConnection(bridge: DesktopBridge, shared: SharedDeps) {
  const folderChanges = { subscribe: (listener: () => void) => bridge.onFolderChanged(listener) };
  return new FolderConnection({
    ...shared,
    changeSources: [...(shared.changeSources ?? []), folderChanges],
    handles: new DesktopFolderHandleStore(bridge),
    pickDirectory: () => pickDesktopFolder(bridge),
    openFolder: (handle) => new IpcFolder(bridge.folder, handle.id),
  });
}

/** Held by the tab whose sync pass is running: tabs share the stores and the folder. */
const folderSyncLock = 'pymark:folder-sync';

/**
 * The project folder half of the composition root: the remembered folder, the bundled defaults
 * (applied on every start, into the folder too when it is connected) and the folder sync.
 */

export async function openProjectFolder(stores: {
  scripts: IdbScriptStore;
  posts: IdbPostStore;
  media?: IdbMediaStore;
}): Promise<{
  connection: FolderControls;
  offers: DefaultOffers;
}> {
  const { scripts, posts, media } = stores;
  const [db, state] = await Promise.all([openPymarkDb(defaultDbName), openSyncStateStore()]);
  // One worker for every sync pass of the page (docs/security.md, "Files from a connected folder").
  const folderFileParser = new OffThreadFolderParser(
    () => new Worker(new URL('./storage/folder/folder-parse-worker.ts', import.meta.url), { type: 'module' }),
  );
  const shared: SharedDeps = {
    createSync: (folder) =>
      new FolderSync({
        folder,
        scripts,
        posts,
        ...(media ? { media } : {}),
        state,
        exclusive: (pass) => navigator.locks.request(folderSyncLock, pass),
        parser: folderFileParser,
      }),
    focusTarget: window,
    changeSources: [scripts, posts, ...(media ? [media] : [])],
  };
  const desktop = window.pymarkDesktop;
  const connection = desktop ? desktopConnection(desktop, shared) : browserConnection(db, shared);
  await connection.restore();
  const defaults = await applyDefaults({
    db,
    scripts,
    bundled: bundledDefaults,
    folder: connection.folder,
    onInvalidRecord: warnAboutInvalidRecord,
  });
  void connection.start();
  return {
    connection,
    offers: new DefaultOffers(defaults.offered, (offer) => adoptDefault(db, scripts, offer)),
  };
}
