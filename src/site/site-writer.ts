import { isRecord } from '../core/json-shape';
import { hashBytes } from '../storage/folder/content-hash';

/**
 * Where a built site goes: a folder on disk (CLI), a connected folder or OPFS (the app). Paths are
 * relative to it, with `/`.
 */
export interface SiteTarget {
  /** The file's bytes, or undefined when there is none. */
  read(path: string): Promise<Uint8Array | undefined>;
  exists(path: string): Promise<boolean>;
  /** Replaces the file as a whole (old or new, never half), creating missing folders. */
  writeAtomic(path: string, bytes: Uint8Array): Promise<void>;
  /**
   * Removes the file, and folders it leaves empty; a missing file is not an error, nor is a folder of
   * that name (an interim manifest may list a file that was never written where a folder stands).
   */
  remove(path: string): Promise<void>;
  /**
   * Puts the written site in place, once its manifest is written: for a target that builds a new
   * folder somewhere else first (the CLI's), so a failed build leaves no half site behind.
   */
  commit?(): Promise<void>;
  /** Drops what was written and not yet committed, when writing failed. */
  discard?(): Promise<void>;
}

/** The build's record of what it wrote: each file's SHA-256, so the next build can skip unchanged ones. */
export const manifestPath = '.pymark-site.json';

/** A file's SHA-256 as the manifest records it. */
const sha256Hex = /^[0-9a-f]{64}$/;

export interface WriteReport {
  written: string[];
  unchanged: number;
  removed: string[];
}

/**
 * Brings `target` in line with `files`, writing only files whose bytes changed and removing the ones
 * an earlier build wrote that no longer belong (never files it did not write). Each write is atomic;
 * the manifest goes last, so an interrupted write is simply redone by the next build. Files are
 * written one after another: the targets' calls are cheap (a local disk) or go through one channel
 * (a folder handle, IPC).
 */
export async function writeSite(
  files: ReadonlyMap<string, Uint8Array>,
  target: SiteTarget,
  /** Files the build left as they are on the target (`publishedFiles`), with their SHA-256. */
  kept: ReadonlyMap<string, string> = new Map(),
  /** The SHA-256 of some of `files` by path, as the build already hashed them (`BuildResult.hashes`). */
  hashed: ReadonlyMap<string, string> = new Map(),
): Promise<WriteReport> {
  try {
    const report = await writeFiles(files, target, kept, hashed);
    await target.commit?.();
    return report;
  } catch (error) {
    await target.discard?.();
    throw error;
  }
}

async function writeFiles(
  files: ReadonlyMap<string, Uint8Array>,
  target: SiteTarget,
  kept: ReadonlyMap<string, string>,
  hashed: ReadonlyMap<string, string>,
): Promise<WriteReport> {
  const previous = await readManifest(target);
  const hashes: Record<string, string> = {};
  const report: WriteReport = { written: [], unchanged: kept.size, removed: [] };
  for (const [path, hash] of kept) hashes[path] = hash;
  const entries = [...files];
  const fileHashes = await Promise.all(entries.map(([path, bytes]) => hashed.get(path) ?? hashBytes(bytes)));
  // Before the first file changes, the manifest is written again to vouch only for the files that
  // keep their bytes: were the writing to stop half way, the old one would vouch for files that no
  // longer hold them, and the next build would leave them so. It still lists every file the last
  // build and this one write, so that build also removes the ones that no longer belong.
  let interimWritten = previous === undefined;
  for (const [index, [path, bytes]] of entries.entries()) {
    const hash = fileHashes[index]!;
    hashes[path] = hash;
    const known = previous?.[path];
    const same =
      known !== undefined
        ? known === hash && (await target.exists(path))
        : // Without a manifest (first build into a folder, or a lost manifest), compare the bytes.
          previous === undefined && (await sameBytes(await target.read(path), bytes));
    if (same) {
      report.unchanged += 1;
    } else {
      if (!interimWritten) {
        const interim = { ...previous };
        entries.forEach(([changing], at) => {
          if (interim[changing] !== fileHashes[at]) interim[changing] = unvouched;
        });
        await writeManifest(target, interim);
        interimWritten = true;
      }
      await target.writeAtomic(path, bytes);
      report.written.push(path);
    }
  }
  let folders: Set<string> | undefined;
  for (const path of Object.keys(previous ?? {}).sort()) {
    if (files.has(path) || kept.has(path)) continue;
    // A path the site now uses as a folder: listed by an interim manifest for a file that was never
    // written there.
    folders ??= foldersOf([...files.keys(), ...kept.keys()]);
    if (folders.has(path)) continue;
    await target.remove(path);
    report.removed.push(path);
  }
  await writeManifest(target, hashes);
  return report;
}

/** Every folder that holds one of `paths`, by its path. */
function foldersOf(paths: Iterable<string>): Set<string> {
  const folders = new Set<string>();
  for (const path of paths) {
    for (let end = path.lastIndexOf('/'); end > 0; end = path.lastIndexOf('/', end - 1)) {
      const folder = path.slice(0, end);
      if (folders.has(folder)) break;
      folders.add(folder);
    }
  }
  return folders;
}

/** What the interim manifest records for a file it cannot vouch for: the hash of no file's bytes. */
const unvouched = '0'.repeat(64);

async function writeManifest(target: SiteTarget, hashes: Record<string, string>): Promise<void> {
  const sortedHashes = Object.fromEntries(
    Object.entries(hashes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const manifest = JSON.stringify({ version: 1, files: sortedHashes }, null, 1);
  await target.writeAtomic(manifestPath, new TextEncoder().encode(`${manifest}\n`));
}

/**
 * The files an earlier build wrote to `target` that are still there, with their SHA-256 as it
 * recorded them: what a build may leave in place (`BuildOptions.published`).
 */
export async function publishedFiles(target: SiteTarget): Promise<Map<string, string>> {
  const manifest = await readManifest(target);
  const entries = Object.entries(manifest ?? {});
  const present = await Promise.all(entries.map(([path]) => target.exists(path)));
  return new Map(entries.filter((_, index) => present[index]));
}

async function readManifest(target: SiteTarget): Promise<Record<string, string> | undefined> {
  const bytes = await target.read(manifestPath);
  if (!bytes) return undefined;
  try {
    // Checked by hand, not with zod: the schema's walk over a 1,500-file manifest, read twice a build,
    // was a tenth of a rebuild in watch mode.
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (!isRecord(parsed) || parsed.version !== 1 || Object.keys(parsed).length !== 2) return undefined;
    const { files } = parsed;
    return isRecord(files) &&
      Object.values(files).every((hash) => typeof hash === 'string' && sha256Hex.test(hash))
      ? (files as Record<string, string>)
      : undefined;
  } catch {
    // An unreadable manifest only costs a full comparison.
    return undefined;
  }
}

async function sameBytes(existing: Uint8Array | undefined, bytes: Uint8Array): Promise<boolean> {
  if (!existing || existing.length !== bytes.length) return false;
  return existing.every((byte, index) => byte === bytes[index]);
}
