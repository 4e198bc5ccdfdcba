import { type FolderAdapter, type FolderFileInfo, splitPath } from './folder-adapter';

/** `move()` is Chromium's (and OPFS's), not yet in TypeScript's DOM library. */
interface MovableFileHandle extends FileSystemFileHandle {
  move?(destination: FileSystemDirectoryHandle, name: string): Promise<void>;
}

/**
 * The folder `parts` below `root`, made when `create` is set; undefined when it is not there and
 * `create` is not set.
 */
export async function subdirectory(
  root: FileSystemDirectoryHandle,
  parts: readonly string[],
  create: boolean,
): Promise<FileSystemDirectoryHandle | undefined> {
  let handle = root;
  for (const name of parts) {
    try {
      handle = await handle.getDirectoryHandle(name, { create });
    } catch (error) {
      if (!create && error instanceof DOMException && error.name === 'NotFoundError') return undefined;
      throw error;
    }
  }
  return handle;
}

/** A folder the user picked with `showDirectoryPicker`, or an OPFS directory standing in for one. */
export class DirectoryHandleFolder implements FolderAdapter {
  constructor(private readonly root: FileSystemDirectoryHandle) {}

  async list(dir: string): Promise<FolderFileInfo[]> {
    const handle = await this.directory(dir.split('/').filter(Boolean), false);
    if (!handle) return [];
    const files: FolderFileInfo[] = [];
    for await (const entry of handle.values()) {
      if (entry.kind !== 'file') continue;
      const file = await entry.getFile();
      files.push({
        path: `${dir}/${entry.name}`,
        size: file.size,
        modifiedAt: new Date(file.lastModified).toISOString(),
      });
    }
    return files;
  }

  async listFolders(dir: string): Promise<string[]> {
    const handle = await this.directory(dir.split('/').filter(Boolean), false);
    if (!handle) return [];
    const names: string[] = [];
    for await (const entry of handle.values()) if (entry.kind === 'directory') names.push(entry.name);
    return names;
  }

  async read(path: string): Promise<Uint8Array> {
    const file = await (await this.file(path, false)).getFile();
    return new Uint8Array(await file.arrayBuffer());
  }

  async writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
    // By spec a writable stream writes to a swap file that replaces the file only on close(), so
    // a tab closed mid-save leaves the old file.
    const writable = await (await this.file(path, true)).createWritable();
    try {
      await writable.write(bytes as Uint8Array<ArrayBuffer>);
      await writable.close();
    } catch (error) {
      await writable.abort().catch(() => {
        // Already failed or closed; the error that matters is `error`.
      });
      throw error;
    }
  }

  async move(from: string, to: string): Promise<void> {
    const source: MovableFileHandle = await this.file(from, false);
    const { dirs, name } = splitPath(to);
    const destination = (await this.directory(dirs, true))!;
    if (source.move) {
      await source.move(destination, name);
      return;
    }
    await this.writeAtomic(to, await this.read(from));
    await this.remove(from);
  }

  async remove(path: string): Promise<void> {
    const { dirs, name } = splitPath(path);
    const parent = await this.directory(dirs, false);
    if (!parent) throw new Error(`No such file: ${path}`);
    await parent.removeEntry(name);
  }

  async removeEmptyFolder(dir: string): Promise<boolean> {
    const { dirs, name } = splitPath(dir);
    const parent = await this.directory(dirs, false);
    if (!parent) return false;
    try {
      // Without `recursive`, removeEntry refuses a folder that has entries.
      await parent.removeEntry(name);
      return true;
    } catch (error) {
      if (
        error instanceof DOMException &&
        ['InvalidModificationError', 'NotFoundError', 'TypeMismatchError'].includes(error.name)
      )
        return false;
      throw error;
    }
  }

  private directory(dirs: string[], create: boolean): Promise<FileSystemDirectoryHandle | undefined> {
    return subdirectory(this.root, dirs, create);
  }

  private async file(path: string, create: boolean): Promise<FileSystemFileHandle> {
    const { dirs, name } = splitPath(path);
    const parent = await this.directory(dirs, create);
    if (!parent) throw new Error(`No such file: ${path}`);
    return parent.getFileHandle(name, { create });
  }
}

/** Chromium's FileSystemObserver; not in TypeScript's DOM library yet. */
interface FileSystemObserverLike {
  observe(handle: FileSystemHandle, options: { recursive: boolean }): Promise<void>;
  disconnect(): void;
}

type FileSystemObserverConstructor = new (callback: () => void) => FileSystemObserverLike;

/**
 * A `watchFolder` observer for a directory handle, or `undefined` where the browser has no
 * FileSystemObserver (the watch then polls).
 */
export function observeDirectory(
  root: FileSystemDirectoryHandle,
): ((onChange: () => void) => (() => void) | undefined) | undefined {
  const Observer = (globalThis as { FileSystemObserver?: FileSystemObserverConstructor }).FileSystemObserver;
  if (!Observer) return undefined;
  return (onChange) => {
    const observer = new Observer(onChange);
    // A failed observe (some origins or handles refuse it) leaves focus checks and app-side triggers.
    observer.observe(root, { recursive: true }).catch(() => observer.disconnect());
    return () => observer.disconnect();
  };
}
