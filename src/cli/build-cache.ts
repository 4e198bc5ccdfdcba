import * as fs from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { MacroMemo } from '../site/macro-batcher';

/**
 * Macro results kept between runs of `pymark build`, so a rebuild after one edit runs only that
 * post's changed macros (or none). A cache, never a source: deleting it costs one slower build.
 * Stored in the project folder, away from the published site: `.pymark/macro-cache.json`.
 */
export const buildCachePath = '.pymark/macro-cache.json';

/** Bumped when what the cache holds changes meaning (e.g. the macro engine's output), to drop old entries. */
const cacheFormat = 2;

const outcomeSchema = z.looseObject({
  ok: z.literal(true),
  html: z.string(),
  warnings: z.array(z.string()),
  printed: z.string().optional(),
});

const entrySchema = z.strictObject({
  outcome: outcomeSchema,
  postKeys: z.array(z.string()).nullable(),
  post: z.string(),
  siteVersion: z.string().optional(),
});

const cacheSchema = z.strictObject({
  format: z.literal(cacheFormat),
  entries: z.array(z.tuple([z.string(), z.array(entrySchema)])),
});

/** The stored memo, or an empty one when there is none or it is unreadable or from another format. */
export async function loadBuildCache(projectDir: string): Promise<MacroMemo> {
  let text: string;
  try {
    text = await fs.readFile(join(projectDir, buildCachePath), 'utf8');
  } catch {
    return new Map();
  }
  try {
    const parsed = cacheSchema.safeParse(JSON.parse(text));
    return parsed.success ? new Map(parsed.data.entries) : new Map();
  } catch {
    return new Map();
  }
}

export async function saveBuildCache(projectDir: string, memo: MacroMemo): Promise<void> {
  const path = join(projectDir, buildCachePath);
  await fs.mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await fs.writeFile(temporary, JSON.stringify({ format: cacheFormat, entries: [...memo] }));
  await fs.rename(temporary, path);
}
