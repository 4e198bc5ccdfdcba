import { existsSync, readFileSync, statSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { ProjectFileInfo, ProjectSource } from '../site/project';
import type { SiteTarget } from '../site/site-writer';

/*
 * Reads and checks are synchronous: a build waits for each anyway, and a thousand small files read
 * through the promise API cost four thread-pool round trips each (open, stat, read, close), which on
 * a busy machine took longer than rendering a rebuild's pages.
 */

/** A project folder on disk, as the site engine reads it. */
export class NodeProjectSource implements ProjectSource {
  constructor(
    private readonly root: string,
    /**
     * How long a file must have gone unchanged (its modification and change times) for its signature
     * to stand for its bytes: a write within the file system's time granularity of an earlier one may
     * leave size and times as they were (git's "racily clean" entries). Two seconds covers the
     * coarsest common clocks (FAT's); a file edited more recently is read every build, as before.
     */
    private readonly settlingMs = 2000,
  ) {}

  async listFiles(dir: string): Promise<ProjectFileInfo[]> {
    const base = join(this.root, dir);
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(base, { withFileTypes: true, recursive: true });
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const files = entries.filter((entry) => entry.isFile());
    // Times are compared with the clock as the listing starts: a file is read after it is listed.
    const settledBefore = Date.now() - this.settlingMs;
    return files.map((entry) => {
      const absolute = join(entry.parentPath, entry.name);
      const stat = statSync(absolute);
      const signature =
        Math.max(stat.mtimeMs, stat.ctimeMs) < settledBefore
          ? `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`
          : undefined;
      return {
        path: relative(this.root, absolute).split(sep).join('/'),
        modifiedAt: stat.mtime.toISOString(),
        ...(signature === undefined ? {} : { signature }),
      };
    });
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    return this.readNow(path);
  }

  readNow(path: string): Uint8Array | undefined {
    try {
      return new Uint8Array(readFileSync(join(this.root, path)));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }
}

/** The output folder on disk. */
export class NodeSiteTarget implements SiteTarget {
  /**
   * Folders made (or found) so far: a site's 1,500 files are in a few hundred folders, and each
   * `mkdir` is a round trip to the thread pool.
   */
  readonly #folders = new Map<string, Promise<unknown>>();

  /**
   * The files written so far, when the folder did not exist as this target was made (a first build
   * into it): then nothing else is in it, and whether a file is there needs no file-system call.
   * Asking each of 1,500 files while the writes create their folders cost a quarter of a second
   * of the build's last, critical step.
   */
  readonly #onlyWritten: Set<string> | undefined;

  constructor(private readonly root: string) {
    this.#onlyWritten = existsSync(root) ? undefined : new Set();
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    if (this.#onlyWritten && !this.#onlyWritten.has(path)) return undefined;
    const file = join(this.root, path);
    // Asked first: a first build into a folder reads each of its 1,500 files, none there, and an
    // ENOENT thrown and caught apiece cost 80 ms of the build's last, critical step.
    if (!existsSync(file)) return undefined;
    try {
      return new Uint8Array(readFileSync(file));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async exists(path: string): Promise<boolean> {
    return this.#onlyWritten ? this.#onlyWritten.has(path) : existsSync(join(this.root, path));
  }

  async writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
    const target = join(this.root, path);
    const folder = dirname(target);
    let made = this.#folders.get(folder);
    if (!made) {
      made = fs.mkdir(folder, { recursive: true });
      this.#folders.set(folder, made);
      made.catch(() => this.#folders.delete(folder));
    }
    await made;
    // A rename within one folder replaces the file in one step: a reader, or a crash, sees old or new.
    const temporary = join(folder, `.${crypto.randomUUID()}.pymark-tmp`);
    try {
      await fs.writeFile(temporary, bytes);
      await fs.rename(temporary, target);
      this.#onlyWritten?.add(path);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw error;
    }
  }

  async remove(path: string): Promise<void> {
    this.#folders.clear();
    this.#onlyWritten?.delete(path);
    await fs.rm(join(this.root, path), { force: true });
    // Folders the site no longer uses go too (a tag's pages, a month's archive), up to the root.
    let dir = dirname(path);
    while (dir !== '.' && dir !== '') {
      try {
        await fs.rmdir(join(this.root, dir));
      } catch {
        break;
      }
      dir = dirname(dir);
    }
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
