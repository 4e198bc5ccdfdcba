import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as fs from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
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

/**
 * The output folder on disk, written with synchronous calls, one at a time: each call is cheaper
 * than its round trip through the thread pool (the bench's 1,481 files written 16 at a time on the
 * pool cost two to three times the CPU of the same writes in turn), and pool threads creating
 * entries in one folder at once spin on its lock.
 */
export class NodeSiteTarget implements SiteTarget {
  /** Folders made (or found) so far: each is made once, its parents first. */
  readonly #folders = new Set<string>();

  /**
   * The files written so far, when the folder did not exist as this target was made (a first build
   * into it): then nothing else is in it, and whether a file is there needs no file-system call.
   * Asking each of 1,500 files while the writes create their folders cost a quarter of a second
   * of the build's last, critical step.
   */
  readonly #onlyWritten: Set<string> | undefined;

  /**
   * Where a new output folder is written until `commit` renames it into place, beside it: a build
   * that fails or stops half way leaves no half site under the output's name, so no file needs a
   * temporary name of its own.
   */
  #staging: string | undefined;

  constructor(private readonly root: string) {
    if (existsSync(root)) return;
    this.#onlyWritten = new Set();
    const stagingPrefix = `.${basename(root)}.`;
    removeStagingLeftBy(dirname(root), stagingPrefix);
    this.#staging = join(
      dirname(root),
      `${stagingPrefix}${process.pid}.${crypto.randomUUID()}${stagingSuffix}`,
    );
  }

  async read(path: string): Promise<Uint8Array | undefined> {
    if (this.#onlyWritten && !this.#onlyWritten.has(path)) return undefined;
    const file = join(this.#folder, path);
    // Asked first: an ENOENT thrown and caught apiece for a folder's missing files costs more.
    if (!existsSync(file)) return undefined;
    try {
      return new Uint8Array(readFileSync(file));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async exists(path: string): Promise<boolean> {
    return this.#onlyWritten ? this.#onlyWritten.has(path) : existsSync(join(this.#folder, path));
  }

  async writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
    const target = join(this.#folder, path);
    const folder = dirname(target);
    if (this.#staging) {
      // Nothing to keep whole in a folder no one sees yet.
      try {
        this.#makeFolder(folder);
        writeFileSync(target, bytes);
      } catch (error) {
        throw this.#namingOutput(error);
      }
    } else {
      this.#makeFolder(folder);
      // A rename within one folder replaces the file in one step: a reader, or a crash, sees old or new.
      const temporary = join(folder, `.${crypto.randomUUID()}.pymark-tmp`);
      try {
        writeFileSync(temporary, bytes);
        renameSync(temporary, target);
      } catch (error) {
        rmSync(temporary, { force: true });
        throw error;
      }
    }
    this.#onlyWritten?.add(path);
  }

  async remove(path: string): Promise<void> {
    this.#onlyWritten?.delete(path);
    const root = this.#folder;
    try {
      await fs.rm(join(root, path), { force: true });
    } catch (error) {
      // A folder by that name holds files the site did not write: it is not the file to remove.
      if ((error as NodeJS.ErrnoException).code !== 'ERR_FS_EISDIR') throw error;
      return;
    }
    // Folders the site no longer uses go too (a tag's pages, a month's archive), up to the root.
    let dir = dirname(path);
    while (dir !== '.' && dir !== '') {
      const folder = join(root, dir);
      try {
        await fs.rmdir(folder);
      } catch {
        break;
      }
      this.#folders.delete(folder);
      dir = dirname(dir);
    }
  }

  async commit(): Promise<void> {
    const staging = this.#staging;
    if (!staging) return;
    this.#makeFolder(staging);
    renameSync(staging, this.root);
    this.#staging = undefined;
    this.#folders.clear();
  }

  async discard(): Promise<void> {
    const staging = this.#staging;
    if (!staging) return;
    this.#folders.clear();
    this.#onlyWritten?.clear();
    await fs.rm(staging, { recursive: true, force: true });
  }

  /**
   * `error` as its reader should see it: naming the output folder they asked for, not the hidden
   * folder beside it that a new output is written in until it is whole.
   */
  #namingOutput(error: unknown): unknown {
    const staging = this.#staging;
    if (!staging || !(error instanceof Error)) return error;
    error.message = error.message.replaceAll(staging, this.root);
    const failed = error as NodeJS.ErrnoException;
    if (failed.path) failed.path = failed.path.replaceAll(staging, this.root);
    return error;
  }

  /** Where the files go now: the staging folder of a new output until it is committed. */
  get #folder(): string {
    return this.#staging ?? this.root;
  }

  #makeFolder(folder: string): void {
    if (this.#folders.has(folder)) return;
    if (this.#staging && folder !== this.#staging) {
      // Inside a new folder nothing exists that this target did not make: a folder's parents are
      // made before it, and no call fails on one already there.
      this.#makeFolder(dirname(folder));
      mkdirSync(folder);
    } else {
      mkdirSync(folder, { recursive: true });
    }
    this.#folders.add(folder);
  }
}

const stagingSuffix = '.pymark-tmp';
/** The middle of a staging folder's name: the writing process's id and a UUID. */
const pidAndUuid = /^(\d+)\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Removes the staging folders a build that was killed while writing a new output left beside it
 * (`commit` and `discard` never ran), so they do not pile up next to the site; not one whose
 * process still runs (another build into the same folder, say `--watch` beside a one-off build).
 */
function removeStagingLeftBy(parent: string, prefix: string): void {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(stagingSuffix)) continue;
    const pid = pidAndUuid.exec(name.slice(prefix.length, -stagingSuffix.length))?.[1];
    if (pid !== undefined && !isRunning(Number(pid)))
      rmSync(join(parent, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    // Signal 0 only asks whether the process exists.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}
