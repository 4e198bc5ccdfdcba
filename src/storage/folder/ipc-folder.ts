import {
  type DesktopBridge,
  type FolderOperation,
  type FolderRequest,
  type FolderValue,
  folderOperations,
  unwrapReply,
} from './desktop-bridge';
import type { FolderAdapter, FolderFileInfo } from './folder-adapter';

/**
 * The folder the Electron main process holds for this window, reached through the preload's bridge.
 * Every request names the pick it belongs to, so a request still in flight when the user picks
 * another folder fails instead of landing in the new one.
 */
export class IpcFolder implements FolderAdapter {
  constructor(
    private readonly bridge: DesktopBridge['folder'],
    private readonly folderId: string,
  ) {}

  list(dir: string): Promise<FolderFileInfo[]> {
    return this.call('list', { folderId: this.folderId, dir });
  }

  listFolders(dir: string): Promise<string[]> {
    return this.call('listFolders', { folderId: this.folderId, dir });
  }

  read(path: string): Promise<Uint8Array> {
    return this.call('read', { folderId: this.folderId, path });
  }

  async writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
    await this.call('writeAtomic', { folderId: this.folderId, path, bytes });
  }

  async move(from: string, to: string): Promise<void> {
    await this.call('move', { folderId: this.folderId, from, to });
  }

  async remove(path: string): Promise<void> {
    await this.call('remove', { folderId: this.folderId, path });
  }

  removeEmptyFolder(dir: string): Promise<boolean> {
    return this.call('removeEmptyFolder', { folderId: this.folderId, dir });
  }

  private async call<Op extends FolderOperation>(
    operation: Op,
    request: FolderRequest<Op>,
  ): Promise<FolderValue<Op>> {
    const { channel, value } = folderOperations[operation];
    const reply = await this.bridge[operation](request);
    // A table entry indexed by a generic key is typed as the union of all entries; this one is Op's.
    return unwrapReply(channel, value, reply) as FolderValue<Op>;
  }
}
