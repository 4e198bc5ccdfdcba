import { type FolderHost, replyTo } from '../../electron/folder-host';
import {
  type DesktopBridge,
  type FolderOperation,
  type FolderRequest,
  folderOperations,
} from '../../src/storage/folder/desktop-bridge';

export const windowId = 7;

/**
 * Electron's part without Electron: each call is copied as IPC copies it (structured clone), handled
 * by the same FolderHost main.ts wires to ipcMain, and its reply copied back.
 */
export function fakeBridge(host: FolderHost, choose: () => Promise<string | undefined>): DesktopBridge {
  const overIpc = async (handle: () => Promise<unknown>) => structuredClone(await handle());
  const folderCall =
    <Op extends FolderOperation>(operation: Op) =>
    (request: FolderRequest<Op>) =>
      overIpc(() => host.handle(windowId, operation, structuredClone(request)));
  const operations = Object.keys(folderOperations) as FolderOperation[];
  return {
    pickFolder: () => overIpc(() => host.pick(windowId, choose)),
    connectedFolder: () => overIpc(() => replyTo(() => host.connected(windowId))),
    forgetFolder: () =>
      overIpc(() =>
        replyTo(() => {
          host.forget(windowId);
          return null;
        }),
      ),
    onFolderChanged: () => () => {},
    // Every operation of the contract, as the preload forwards them.
    folder: Object.fromEntries(
      operations.map((operation) => [operation, folderCall(operation)]),
    ) as DesktopBridge['folder'],
  };
}
