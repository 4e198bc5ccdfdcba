import { z } from 'zod';
import { folderOperations } from '../../storage/folder/desktop-bridge';
import type { FolderAdapter, FolderFileInfo } from '../../storage/folder/folder-adapter';
import type { FolderRequest } from './build-protocol';

/*
 * The project folder reached through the page (build-protocol.ts's `page` access): the site build
 * worker asks, the page runs the operation on its connected folder and answers. The desktop build
 * needs it: its folder is held by Electron's main process, and only the page has the bridge to it.
 */

type Operation = FolderRequest['operation'];

/** The worker's side: a FolderAdapter whose every operation is a request to the page. */
export class RelayedFolder implements FolderAdapter {
  #nextId = 1;
  readonly #pending = new Map<
    number,
    { operation: Operation; resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();

  constructor(private readonly send: (requestId: number, request: FolderRequest) => void) {}

  list(dir: string): Promise<FolderFileInfo[]> {
    return this.#ask({ operation: 'list', dir });
  }

  listFolders(dir: string): Promise<string[]> {
    return this.#ask({ operation: 'listFolders', dir });
  }

  read(path: string): Promise<Uint8Array> {
    return this.#ask({ operation: 'read', path });
  }

  async writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
    await this.#ask({ operation: 'writeAtomic', path, bytes });
  }

  move(): Promise<void> {
    // The site build reads and writes files in place; nothing it does moves one.
    return Promise.reject(new Error('The site build does not move files'));
  }

  async remove(path: string): Promise<void> {
    await this.#ask({ operation: 'remove', path });
  }

  removeEmptyFolder(dir: string): Promise<boolean> {
    return this.#ask({ operation: 'removeEmptyFolder', dir });
  }

  /** The page's answer: checked against what the operation returns (the desktop contract's schema). */
  answer(requestId: number, outcome: { value: unknown } | { error: string }): void {
    const pending = this.#pending.get(requestId);
    if (!pending) return;
    this.#pending.delete(requestId);
    if ('error' in outcome) {
      pending.reject(new Error(outcome.error));
      return;
    }
    const { channel, value } = folderOperations[pending.operation];
    const checked = (value as z.ZodType).safeParse(outcome.value);
    if (checked.success) pending.resolve(checked.data);
    else
      pending.reject(
        new Error(`Unexpected answer to ${channel} from the page: ${z.prettifyError(checked.error)}`),
      );
  }

  #ask<T>(request: FolderRequest): Promise<T> {
    const requestId = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(requestId, {
        operation: request.operation,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.send(requestId, request);
    });
  }
}

/** The page's side: runs one request on the connected folder. */
export async function runFolderRequest(
  folder: FolderAdapter | undefined,
  request: FolderRequest,
): Promise<unknown> {
  if (!folder) throw new Error('No project folder is connected any more: connect it again and rebuild');
  switch (request.operation) {
    case 'list':
      return folder.list(request.dir);
    case 'listFolders':
      return (await folder.listFolders?.(request.dir)) ?? [];
    case 'read':
      return folder.read(request.path);
    case 'writeAtomic':
      return folder.writeAtomic(request.path, request.bytes).then(() => null);
    case 'remove':
      return folder.remove(request.path).then(() => null);
    case 'removeEmptyFolder':
      return (await folder.removeEmptyFolder?.(request.dir)) ?? false;
  }
}
