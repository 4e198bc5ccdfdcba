import { lstat, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { windowsNameProblem } from '../src/storage/folder/desktop-bridge';

/** A request for a path the picked folder does not contain; nothing was touched. */
export class OutsideFolderError extends Error {
  constructor(path: string, why: string) {
    super(`Refused ${JSON.stringify(path)}: ${why}`);
    this.name = 'OutsideFolderError';
  }
}

/** Whether `path` is `root` or below it; both absolute. */
export function isWithin(root: string, path: string): boolean {
  const fromRoot = relative(root, path);
  return fromRoot === '' || (fromRoot !== '..' && !fromRoot.startsWith(`..${sep}`) && !isAbsolute(fromRoot));
}

/**
 * Throws `OutsideFolderError` unless `relativePath` (`/`-separated) stays inside `root` (a real path,
 * no symbolic links in it): not by its names, nor through a symbolic link on the way, dangling or
 * leading out. Only the part that exists can lead anywhere; a missing rest is created as plain folders.
 *
 * Hard links cannot be told from the file they share content with; `NodeFsFolder.read` refuses a
 * file with more than one link.
 *
 * A link swapped in between this check and the operation is not caught: that needs someone who can
 * already write to the folder's disk, which is beyond what a renderer may ask for.
 */
export async function assertInsideFolder(root: string, relativePath: string): Promise<void> {
  const names = relativePath.split('/');
  if (isAbsolute(relativePath) || !isWithin(root, resolve(root, ...names))) {
    throw new OutsideFolderError(relativePath, 'not a path inside the folder');
  }
  // On Windows `D:..` resolves against another drive's working folder and `CON` opens the console,
  // whatever `resolve` says about them.
  for (const name of names) {
    const problem = windowsNameProblem(name);
    if (problem) throw new OutsideFolderError(relativePath, `a Windows path form: ${problem}`);
  }
  let prefix = root;
  for (const name of names) {
    prefix = join(prefix, name);
    const stats = await lstat(prefix).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (!stats) return;
    if (!stats.isSymbolicLink()) continue;
    const target = await realpath(prefix).catch(() => undefined);
    if (target === undefined)
      throw new OutsideFolderError(relativePath, 'goes through a symbolic link to nothing');
    if (!isWithin(root, target)) {
      throw new OutsideFolderError(relativePath, 'goes through a symbolic link to outside the folder');
    }
  }
}
