import { constants } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FolderAdapter, FolderFileInfo } from './folder-adapter';

/** The parts of `node:fs/promises` used here; tests swap one out to simulate a crash mid-write. */
export type NodeFs = Pick<
  typeof nodeFs,
  'readdir' | 'stat' | 'writeFile' | 'rename' | 'rm' | 'rmdir' | 'mkdir' | 'open'
>;

/**
 * A file with more than one hard link: its bytes are also under another name, possibly outside the
 * folder (a hard link cannot be told from the original), so reading it could reveal that other file.
 */
export class HardLinkError extends Error {
  constructor(path: string) {
    super(`Refused ${JSON.stringify(path)}: it is a hard link, so the same file may be outside the folder`);
    this.name = 'HardLinkError';
  }
}

/** Opening the file itself, never a symbolic link in its place (POSIX only; Windows has no such flag). */
const readOnlyNoFollow = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/**
 * A folder on disk through Node's fs: the test double for the browser's directory handle and the
 * adapter of the Electron build. Never import it from browser code.
 */
export class NodeFsFolder implements FolderAdapter {
  constructor(
    private readonly root: string,
    private readonly fs: NodeFs = nodeFs,
  ) {}

  async list(dir: string): Promise<FolderFileInfo[]> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await this.fs.readdir(join(this.root, dir), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const files = entries.filter((entry) => entry.isFile());
    return Promise.all(
      files.map(async (entry) => {
        const path = `${dir}/${entry.name}`;
        const { size, mtime } = await this.fs.stat(join(this.root, path));
        return { path, size, modifiedAt: mtime.toISOString() };
      }),
    );
  }

  async listFolders(dir: string): Promise<string[]> {
    try {
      const entries = await this.fs.readdir(join(this.root, dir), { withFileTypes: true });
      return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Refuses a hard link (`HardLinkError`); the link count is read from the open file, so it cannot be swapped after the check. */
  async read(path: string): Promise<Uint8Array> {
    const file = await this.fs.open(join(this.root, path), readOnlyNoFollow);
    try {
      if ((await file.stat()).nlink > 1) throw new HardLinkError(path);
      return new Uint8Array(await file.readFile());
    } finally {
      await file.close();
    }
  }

  async writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
    const target = join(this.root, path);
    await this.fs.mkdir(dirname(target), { recursive: true });
    // A rename within one folder replaces the target in one step, so readers (and a crash) see the
    // old file or the new one. The temporary name starts with `.` and so is never taken for an item.
    const temporary = join(dirname(target), `.${crypto.randomUUID()}.pymark-tmp`);
    try {
      await this.fs.writeFile(temporary, bytes);
      await this.fs.rename(temporary, target);
    } catch (error) {
      await this.fs.rm(temporary, { force: true });
      throw error;
    }
  }

  async move(from: string, to: string): Promise<void> {
    const target = join(this.root, to);
    await this.fs.mkdir(dirname(target), { recursive: true });
    await this.fs.rename(join(this.root, from), target);
  }

  async remove(path: string): Promise<void> {
    await this.fs.rm(join(this.root, path));
  }

  async removeEmptyFolder(dir: string): Promise<boolean> {
    try {
      // rmdir removes only an empty folder, in one step: nothing written meanwhile is lost.
      await this.fs.rmdir(join(this.root, dir));
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOENT') return false;
      throw error;
    }
  }
}
