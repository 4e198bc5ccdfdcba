import { resolve } from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  type IpcMainInvokeEvent,
  ipcMain,
  protocol,
  session,
  shell,
  type WebContents,
  webContents,
} from 'electron';
import {
  type FolderOperation,
  folderChangedChannel,
  folderOperations,
  type Reply,
  windowOperations,
} from '../src/storage/folder/desktop-bridge';
import { serveAppFile } from './app-files';
import { appScheme, appStartUrl, isAppUrl, isWebUrl } from './app-urls';
import { FolderHost, replyTo } from './folder-host';

// This file only wires Electron to the modules beside it, which are tested in Node (electron/README.md).
// It is bundled to electron/dist/main.cjs, next to preload.cjs, with the web build in dist/.
const distDir = resolve(__dirname, '../../dist');
const preloadPath = resolve(__dirname, 'preload.cjs');

// Standard + secure make app://pymark/ a real origin (IndexedDB, a secure context, cross-origin
// isolation); fetch, CORS and streams are what Pyodide's loading and the sandbox's workers use.
protocol.registerSchemesAsPrivileged([
  {
    scheme: appScheme,
    privileges: {
      standard: true,
      secure: true,
      supportFetchAPI: true,
      corsEnabled: true,
      stream: true,
      codeCache: true,
    },
  },
]);
app.enableSandbox();

const folders = new FolderHost({
  onFolderChanged: (contentsId) => webContents.fromId(contentsId)?.send(folderChangedChannel),
});

/** Only the app's own top frame may use the bridge; the Python sandbox frames have no preload anyway. */
function fromAppPage(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url);
}

const notFromApp: Reply<never> = { ok: false, error: 'Refused: the request did not come from the app page.' };

function registerFolderIpc(): void {
  for (const operation of Object.keys(folderOperations) as FolderOperation[]) {
    ipcMain.handle(folderOperations[operation].channel, (event, request: unknown) =>
      fromAppPage(event) ? folders.handle(event.sender.id, operation, request) : notFromApp,
    );
  }
  ipcMain.handle(windowOperations.pickFolder.channel, (event) =>
    fromAppPage(event) ? folders.pick(event.sender.id, () => chooseFolder(event.sender)) : notFromApp,
  );
  ipcMain.handle(windowOperations.connectedFolder.channel, (event) =>
    fromAppPage(event) ? replyTo(() => folders.connected(event.sender.id)) : notFromApp,
  );
  ipcMain.handle(windowOperations.forgetFolder.channel, (event) =>
    fromAppPage(event)
      ? replyTo(() => {
          folders.forget(event.sender.id);
          return null;
        })
      : notFromApp,
  );
}

/** The OS folder picker, attached to the asking window; `undefined` when cancelled. */
async function chooseFolder(contents: WebContents): Promise<string | undefined> {
  const options = { properties: ['openDirectory', 'createDirectory'] } satisfies Electron.OpenDialogOptions;
  const window = BrowserWindow.fromWebContents(contents);
  const picked = await (window ? dialog.showOpenDialog(window, options) : dialog.showOpenDialog(options));
  return picked.canceled ? undefined : picked.filePaths[0];
}

/** The window shows the app and nothing else: web links open in the OS browser, other URLs nowhere. */
function keepToApp(contents: WebContents): void {
  const openOutside = (url: string) => {
    if (isWebUrl(url)) void shell.openExternal(url);
  };
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    openOutside(event.url);
  });
  contents.setWindowOpenHandler(({ url }) => {
    openOutside(url);
    return { action: 'deny' };
  });
}

function createWindow(): void {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  const contentsId = window.webContents.id;
  keepToApp(window.webContents);
  window.on('closed', () => folders.forget(contentsId));
  void window.loadURL(appStartUrl);
}

void app.whenReady().then(() => {
  protocol.handle(appScheme, (request) => serveAppFile(distDir, request));
  // The app asks for no permission (camera, notifications, …); a page that does is refused.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, grant) => grant(false));
  registerFolderIpc();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
