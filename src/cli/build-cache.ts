import * as fs from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isRecord, isStringArray } from '../core/json-shape';
import type { MacroMemo, MacroMemoEntry } from '../site/macro-batcher';

/**
 * Macro results kept between runs of `pymark build`, so a rebuild after one edit runs only that
 * post's changed macros (or none). A cache, never a source: deleting it costs one slower build.
 * Stored in the project folder, away from the published site: `.pymark/macro-cache.json`.
 */
export const buildCachePath = '.pymark/macro-cache.json';

/**
 * Bumped when what the cache holds changes meaning (e.g. the macro engine's output), to drop old
 * entries. 4: a `siteVersion` names the parts of the site data in `siteReads` (3: the data with or
 * without the posts' bodies).
 */
const cacheFormat = 4;

/**
 * Checked by hand, not with zod: a 1,000-post build keeps 1,800 entries, and zod's walk over them was
 * a third of a one-post rebuild's CPU. The same checks the schema made: the outcome's own fields
 * (others kept as they are), and the entry's, with no other keys.
 */
function isMemoEntry(value: unknown): value is MacroMemoEntry {
  if (!isRecord(value)) return false;
  const { outcome, postKeys, post, siteReads, siteVersion, ...others } = value;
  return (
    Object.keys(others).length === 0 &&
    isRecord(outcome) &&
    outcome.ok === true &&
    typeof outcome.html === 'string' &&
    isStringArray(outcome.warnings) &&
    (outcome.printed === undefined || typeof outcome.printed === 'string') &&
    (postKeys === null || isStringArray(postKeys)) &&
    typeof post === 'string' &&
    (siteReads === undefined || siteReads === null || isStringArray(siteReads)) &&
    (siteVersion === undefined || typeof siteVersion === 'string')
  );
}

function isMemoEntries(value: unknown): value is [string, MacroMemoEntry[]] {
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === 'string' &&
    Array.isArray(value[1]) &&
    value[1].every(isMemoEntry)
  );
}

/**
 * What each project's cache file holds, as this process last read or wrote it: a build that used
 * the very entries it holds (a rebuild that ran no macro) leaves the file as it is. A copy: the memo
 * handed out is the builder's own, which adds each new result to it.
 */
const stored = new Map<string, MacroMemo>();

function copyOf(memo: MacroMemo): MacroMemo {
  return new Map([...memo].map(([key, entries]) => [key, [...entries]]));
}

/** The stored memo, or an empty one when there is none or it is unreadable or from another format. */
export async function loadBuildCache(projectDir: string): Promise<MacroMemo> {
  const memo = await readBuildCache(projectDir);
  stored.set(projectDir, copyOf(memo));
  return memo;
}

async function readBuildCache(projectDir: string): Promise<MacroMemo> {
  let text: string;
  try {
    text = await fs.readFile(join(projectDir, buildCachePath), 'utf8');
  } catch {
    return new Map();
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed) || parsed.format !== cacheFormat || Object.keys(parsed).length !== 2)
      return new Map();
    const { entries } = parsed;
    return Array.isArray(entries) && entries.every(isMemoEntries) ? new Map(entries) : new Map();
  } catch {
    return new Map();
  }
}

export async function saveBuildCache(projectDir: string, memo: MacroMemo): Promise<void> {
  const before = stored.get(projectDir);
  if (before && sameEntries(memo, before)) return;
  await writeCacheFile(projectDir, buildCachePath, { format: cacheFormat, entries: [...memo] });
  stored.set(projectDir, copyOf(memo));
}

/** Whether the two memos hold the same entries (the same objects) under the same keys, in any order. */
function sameEntries(memo: MacroMemo, other: MacroMemo): boolean {
  if (memo.size !== other.size) return false;
  for (const [key, entries] of memo) {
    const others = other.get(key);
    if (others?.length !== entries.length || !entries.every((entry) => others.includes(entry))) return false;
  }
  return true;
}

/** Writes a cache file below the project as JSON, whole or not at all (a rename), so a crash leaves the old. */
export async function writeCacheFile(
  projectDir: string,
  relativePath: string,
  value: unknown,
): Promise<void> {
  const path = join(projectDir, relativePath);
  await fs.mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await fs.writeFile(temporary, JSON.stringify(value));
  await fs.rename(temporary, path);
}
