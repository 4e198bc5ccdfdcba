/**
 * The few file operations folder sync needs, so one sync engine runs against a browser directory
 * handle, OPFS, or Node's fs (tests, Electron). Paths are relative to the folder, with `/`.
 */
export interface FolderAdapter {
  /** The files directly in `dir` (no subfolders); an absent `dir` has none. */
  list(dir: string): Promise<FolderFileInfo[]>;
  /**
   * The names of the folders directly in `dir`; an absent `dir` has none. Optional: media sync finds
   * the month folders (`media/2026/02`) with it, and without it only those the app knows of.
   */
  listFolders?(dir: string): Promise<string[]>;
  read(path: string): Promise<Uint8Array>;
  /**
   * Replaces the file as a whole: an interrupted write leaves the old file or the new one, never a
   * truncated one. Creates missing parent folders.
   */
  writeAtomic(path: string, bytes: Uint8Array): Promise<void>;
  /** Moves a file, creating missing parent folders of `to`. */
  move(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  /**
   * Removes the folder `dir` if it is empty, and says whether it did; a folder with anything in it,
   * or none at all, stays as it is. Optional: without it, emptied folders stay (a built site's old
   * tag folders, say).
   */
  removeEmptyFolder?(dir: string): Promise<boolean>;
}

/** Every file below `dir`, in its subfolders too (those `listFolders` finds); an absent `dir` has none. */
export async function listFilesBelow(folder: FolderAdapter, dir: string): Promise<FolderFileInfo[]> {
  const files = await folder.list(dir);
  for (const name of (await folder.listFolders?.(dir)) ?? [])
    files.push(...(await listFilesBelow(folder, `${dir}/${name}`)));
  return files;
}

export interface FolderFileInfo {
  path: string;
  size: number;
  /** ISO time; stands in for timestamps a hand-written file leaves out. */
  modifiedAt: string;
}

/** Splits `a/b/c.py` into its folders and file name. */
export function splitPath(path: string): { dirs: string[]; name: string } {
  const parts = path.split('/').filter((part) => part !== '');
  const name = parts.pop();
  if (name === undefined) throw new Error(`Not a file path: ${JSON.stringify(path)}`);
  return { dirs: parts, name };
}
