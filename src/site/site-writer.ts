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
  /** Removes the file, and folders it leaves empty; a missing file is not an error. */
  remove(path: string): Promise<void>;
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
 * the manifest goes last, so an interrupted write is simply redone by the next build.
 */
export async function writeSite(
  files: ReadonlyMap<string, Uint8Array>,
  target: SiteTarget,
  /** Files the build left as they are on the target (`publishedFiles`), with their SHA-256. */
  kept: ReadonlyMap<string, string> = new Map(),
  /**
   * Files written at once. A target on a local disk (the CLI's) gains from many: each write is a
   * few file-system calls that mostly wait; the default writes one after another.
   */
  concurrency = 1,
  /** The SHA-256 of some of `files` by path, as the build already hashed them (`BuildResult.hashes`). */
  hashed: ReadonlyMap<string, string> = new Map(),
): Promise<WriteReport> {
  const previous = await readManifest(target);
  const hashes: Record<string, string> = {};
  const report: WriteReport = { written: [], unchanged: kept.size, removed: [] };
  for (const [path, hash] of kept) hashes[path] = hash;
  const entries = [...files];
  const fileHashes = await Promise.all(entries.map(([path, bytes]) => hashed.get(path) ?? hashBytes(bytes)));
  const written = await mapConcurrently(entries, concurrency, async ([path, bytes], index) => {
    const hash = fileHashes[index]!;
    const known = previous?.[path];
    const same =
      known !== undefined
        ? known === hash && (await target.exists(path))
        : // Without a manifest (first build into a folder, or a lost manifest), compare the bytes.
          previous === undefined && (await sameBytes(await target.read(path), bytes));
    if (!same) await target.writeAtomic(path, bytes);
    return !same;
  });
  entries.forEach(([path], index) => {
    hashes[path] = fileHashes[index]!;
    if (written[index]) report.written.push(path);
    else report.unchanged += 1;
  });
  for (const path of Object.keys(previous ?? {}).sort()) {
    if (files.has(path) || kept.has(path)) continue;
    await target.remove(path);
    report.removed.push(path);
  }
  const sortedHashes = Object.fromEntries(
    Object.entries(hashes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const manifest = JSON.stringify({ version: 1, files: sortedHashes }, null, 1);
  await target.writeAtomic(manifestPath, new TextEncoder().encode(`${manifest}\n`));
  return report;
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

/** `work` over every item, at most `limit` at a time; the results in the items' order. */
async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}

async function sameBytes(existing: Uint8Array | undefined, bytes: Uint8Array): Promise<boolean> {
  if (!existing || existing.length !== bytes.length) return false;
  return existing.every((byte, index) => byte === bytes[index]);
}
