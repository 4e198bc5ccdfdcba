import { type DesktopBridge, type FolderIdentity, unwrapReply, windowOperations } from './desktop-bridge';
import type { FolderHandleStore } from './folder-handle-store';

/**
 * A folder picked in the Electron build, in the shape the folder connection expects of a browser
 * directory handle. There is no permission prompt on the desktop: the folder is usable while main
 * still holds this pick for the window.
 */
export class DesktopFolderHandle {
  readonly id: string;
  readonly name: string;

  constructor(
    private readonly bridge: DesktopBridge,
    identity: FolderIdentity,
  ) {
    this.id = identity.id;
    this.name = identity.name;
  }

  async queryPermission(): Promise<PermissionState> {
    const connected = await connectedFolder(this.bridge);
    return connected?.id === this.id ? 'granted' : 'denied';
  }

  /** Nothing to ask: a folder main no longer holds is connected again through the picker. */
  requestPermission(): Promise<PermissionState> {
    return this.queryPermission();
  }
}

/** Shows the OS folder picker; a cancel rejects with an AbortError, as `showDirectoryPicker` does. */
export async function pickDesktopFolder(bridge: DesktopBridge): Promise<DesktopFolderHandle> {
  const { channel, value } = windowOperations.pickFolder;
  const picked = unwrapReply(channel, value, await bridge.pickFolder());
  if (!picked) throw new DOMException('The user cancelled the folder picker.', 'AbortError');
  return new DesktopFolderHandle(bridge, picked);
}

function connectedFolder(bridge: DesktopBridge): Promise<FolderIdentity | null> {
  const { channel, value } = windowOperations.connectedFolder;
  return bridge.connectedFolder().then((reply) => unwrapReply(channel, value, reply));
}

/**
 * The remembered folder is whatever main holds for this window: it survives a reload of the page,
 * and main forgets it with the window. Picking already told main, so there is nothing to save.
 */
export class DesktopFolderHandleStore implements FolderHandleStore<DesktopFolderHandle> {
  constructor(private readonly bridge: DesktopBridge) {}

  async load(): Promise<DesktopFolderHandle | undefined> {
    const connected = await connectedFolder(this.bridge);
    return connected ? new DesktopFolderHandle(this.bridge, connected) : undefined;
  }

  async save(): Promise<void> {
    // Main took the folder when it was picked.
  }

  async clear(): Promise<void> {
    const { channel, value } = windowOperations.forgetFolder;
    unwrapReply(channel, value, await this.bridge.forgetFolder());
  }
}
