import { bundledDefaults } from './storage/bundled-defaults';
import { adoptDefault, applyDefaults } from './storage/defaults-seeder';
import { DirectoryHandleFolder, observeDirectory } from './storage/folder/directory-handle-folder';
import { IdbFolderHandleStore, type PermissionedDirectoryHandle } from './storage/folder/folder-handle-store';
import { FolderSync } from './storage/folder/folder-sync';
import { openSyncStateStore } from './storage/folder/sync-state-store';
import type { IdbPostStore } from './storage/idb-post-store';
import type { IdbScriptStore } from './storage/idb-script-store';
import { defaultDbName, openPymarkDb, warnAboutInvalidRecord } from './storage/pymark-db';
import { DefaultOffers } from './ui/default-offers';
import { FolderConnection } from './ui/folder-connection';

/** The File System Access picker: Chromium's, not in TypeScript's DOM library yet. */
interface DirectoryPicker {
  showDirectoryPicker?(options: { mode: 'readwrite' }): Promise<FileSystemDirectoryHandle>;
}

function pickDirectory(): Promise<PermissionedDirectoryHandle> {
  const picker = (window as DirectoryPicker).showDirectoryPicker;
  if (!picker) {
    return Promise.reject(new Error('this browser cannot open folders; use Chrome or Edge to connect one'));
  }
  // Wherever the picker exists, its handles have Chromium's permission methods too.
  return picker.call(window, { mode: 'readwrite' }) as Promise<PermissionedDirectoryHandle>;
}

/**
 * The project folder half of the composition root: the remembered folder, the bundled defaults
 * (applied on every start, into the folder too when it is connected) and the folder sync.
 */
export async function openProjectFolder(stores: { scripts: IdbScriptStore; posts: IdbPostStore }): Promise<{
  connection: FolderConnection<PermissionedDirectoryHandle>;
  offers: DefaultOffers;
}> {
  const { scripts, posts } = stores;
  const [db, state] = await Promise.all([openPymarkDb(defaultDbName), openSyncStateStore()]);
  const connection = new FolderConnection<PermissionedDirectoryHandle>({
    handles: new IdbFolderHandleStore(db, warnAboutInvalidRecord),
    pickDirectory,
    openFolder: (handle) => new DirectoryHandleFolder(handle),
    createSync: (folder) => new FolderSync({ folder, scripts, posts, state }),
    observe: observeDirectory,
    focusTarget: window,
    changeSources: [scripts, posts],
  });
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
