import { contextBridge, ipcRenderer } from 'electron';
import {
  type DesktopBridge,
  type FolderOperation,
  folderChangedChannel,
  folderOperations,
  type WindowOperation,
  windowOperations,
} from '../src/storage/folder/desktop-bridge';

/**
 * Exposes `window.pymarkDesktop` and nothing else: each function invokes one fixed channel, so the
 * page can never name a channel (or reach `ipcRenderer`). Replies pass through unread; the app
 * validates them, main validates the requests.
 */
function forwardFolder(operation: FolderOperation): (request: unknown) => Promise<unknown> {
  const { channel } = folderOperations[operation];
  return (request) => ipcRenderer.invoke(channel, request);
}

function forwardWindow(operation: WindowOperation): () => Promise<unknown> {
  const { channel } = windowOperations[operation];
  return () => ipcRenderer.invoke(channel);
}

const bridge: DesktopBridge = {
  pickFolder: forwardWindow('pickFolder'),
  connectedFolder: forwardWindow('connectedFolder'),
  forgetFolder: forwardWindow('forgetFolder'),
  onFolderChanged(listener) {
    // The event object stays here: the page gets a bare call, never `ipcRenderer`.
    const forward = () => listener();
    ipcRenderer.on(folderChangedChannel, forward);
    return () => ipcRenderer.removeListener(folderChangedChannel, forward);
  },
  folder: {
    list: forwardFolder('list'),
    listFolders: forwardFolder('listFolders'),
    read: forwardFolder('read'),
    writeAtomic: forwardFolder('writeAtomic'),
    move: forwardFolder('move'),
    remove: forwardFolder('remove'),
    removeEmptyFolder: forwardFolder('removeEmptyFolder'),
  },
};

contextBridge.exposeInMainWorld('pymarkDesktop', bridge);
