import { DirectoryHandleFolder, subdirectory } from '../../storage/folder/directory-handle-folder';
import type { ProjectFileInfo } from '../project';
import type { SiteTarget } from '../site-writer';

export { subdirectory };

/*
 * The app's side of the engine's two file interfaces over a File System Access directory (a folder
 * the user connected, or OPFS in tests): reading templates and assets from the project folder, and
 * writing the site into its `site/` folder. Works in a worker: directory handles are structured-
 * clonable, and their methods are available there.
 */

/** Every file below `dir` (recursively), with paths relative to `root`; an absent `dir` has none. */
export async function listFilesBelow(
  root: FileSystemDirectoryHandle,
  dir: string,
): Promise<ProjectFileInfo[]> {
  const start = await subdirectory(root, dir.split('/').filter(Boolean), false);
  if (!start) return [];
  const files: ProjectFileInfo[] = [];
  const walk = async (handle: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
    for await (const entry of handle.values()) {
      const path = `${prefix}/${entry.name}`;
      if (entry.kind === 'directory') await walk(entry as FileSystemDirectoryHandle, path);
      else
        files.push({
          path,
          modifiedAt: new Date((await (entry as FileSystemFileHandle).getFile()).lastModified).toISOString(),
        });
    }
  };
  await walk(start, dir.replace(/\/+$/, ''));
  return files;
}

/** The file's bytes, or undefined when there is none. */
export async function readFileAt(
  root: FileSystemDirectoryHandle,
  path: string,
): Promise<Uint8Array | undefined> {
  const parts = path.split('/').filter(Boolean);
  const name = parts.pop();
  const parent = await subdirectory(root, parts, false);
  if (!parent || name === undefined) return undefined;
  try {
    const file = await (await parent.getFileHandle(name)).getFile();
    return new Uint8Array(await file.arrayBuffer());
  } catch (error) {
    if (
      error instanceof DOMException &&
      (error.name === 'NotFoundError' || error.name === 'TypeMismatchError')
    )
      return undefined;
    throw error;
  }
}

/** The built site's folder inside a directory: atomic writes (a swap file per write, see DirectoryHandleFolder). */
export class DirectorySiteTarget implements SiteTarget {
  readonly #folder: DirectoryHandleFolder;

  constructor(private readonly root: FileSystemDirectoryHandle) {
    this.#folder = new DirectoryHandleFolder(root);
  }

  read(path: string): Promise<Uint8Array | undefined> {
    return readFileAt(this.root, path);
  }

  async exists(path: string): Promise<boolean> {
    const parts = path.split('/').filter(Boolean);
    const name = parts.pop();
    const parent = await subdirectory(this.root, parts, false);
    if (!parent || name === undefined) return false;
    try {
      await parent.getFileHandle(name);
      return true;
    } catch {
      return false;
    }
  }

  writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
    return this.#folder.writeAtomic(path, bytes);
  }

  async remove(path: string): Promise<void> {
    const parts = path.split('/').filter(Boolean);
    const name = parts.pop();
    if (name === undefined) return;
    // The chain of folders down to the file, to remove the ones it leaves empty.
    const chain: FileSystemDirectoryHandle[] = [this.root];
    for (const part of parts) {
      const next = await subdirectory(chain.at(-1)!, [part], false);
      if (!next) return;
      chain.push(next);
    }
    try {
      await chain.at(-1)!.removeEntry(name);
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'NotFoundError')) throw error;
    }
    for (let depth = parts.length; depth > 0; depth--) {
      const folder = chain[depth]!;
      const empty = (await folder.keys().next()).done === true;
      if (!empty) break;
      await chain[depth - 1]!.removeEntry(parts[depth - 1]!);
    }
  }
}
