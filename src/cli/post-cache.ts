import * as fs from 'node:fs/promises';
import { join } from 'node:path';
import { isRecord, isStringArray } from '../core/json-shape';
import { postStatuses } from '../core/post';
import type { KnownPostHeader, PostFileCache } from '../site/project';
import { writeCacheFile } from './build-cache';

/**
 * Post files' front matter as earlier runs of `pymark build` read it, so a rebuild after one edit
 * parses and checks one post's YAML, not a thousand, and reads only the files whose signature (size,
 * times, inode) changed since they were read. A file that is read reuses its header only when it
 * starts with the very same text (and has the same time, the fallback of its dates). A cache, never
 * a source: a missing, corrupted or older-format file is ignored (every post is parsed, as on a
 * first build) and written afresh after the next successful build.
 */
export const postCachePath = '.pymark/post-cache.json';

/** Bumped when what the cache holds changes meaning (e.g. the post's fields), to drop old entries. */
const cacheFormat = 2;

export class PostCache implements PostFileCache {
  /** What the file held, and what earlier builds of this process read, by path. */
  readonly #stored: Map<string, KnownPostHeader>;
  /** What this build read or reused: only these are saved, so deleted posts drop out. */
  #used = new Map<string, KnownPostHeader>();
  /** What the file holds now, as loaded or last saved: a build that reused all of it and no more writes nothing. */
  #inFile: Map<string, KnownPostHeader>;

  private constructor(stored: Map<string, KnownPostHeader>) {
    this.#stored = stored;
    this.#inFile = new Map(stored);
  }

  /** The cache of `projectDir`; empty when there is none, or it is unreadable or of another format. */
  static async load(projectDir: string): Promise<PostCache> {
    let text: string;
    try {
      text = await fs.readFile(join(projectDir, postCachePath), 'utf8');
    } catch {
      return new PostCache(new Map());
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (!isRecord(parsed) || parsed.format !== cacheFormat || !Array.isArray(parsed.entries))
        return new PostCache(new Map());
      const entries: unknown[] = parsed.entries;
      return new PostCache(entries.every(isEntry) ? new Map(entries) : new Map());
    } catch {
      return new PostCache(new Map());
    }
  }

  get(path: string): KnownPostHeader | undefined {
    return this.#used.get(path) ?? this.#stored.get(path);
  }

  set(path: string, known: KnownPostHeader): void {
    this.#used.set(path, known);
  }

  /** Saves the headers of the build just made, and starts the next build's record. */
  async save(projectDir: string): Promise<void> {
    const used = this.#used;
    for (const [path, known] of used) this.#stored.set(path, known);
    this.#used = new Map();
    const unchanged =
      used.size === this.#inFile.size && [...used].every(([path, known]) => this.#inFile.get(path) === known);
    if (unchanged) return;
    await writeCacheFile(projectDir, postCachePath, { format: cacheFormat, entries: [...used] });
    this.#inFile = used;
  }
}

/**
 * Checked by hand, not with zod: the point of the cache is to skip the schema's walk over every post.
 * The shape a `KnownPostHeader` has; its values were checked when the post file was read.
 */
function isEntry(value: unknown): value is [string, KnownPostHeader] {
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string') return false;
  const known: unknown = value[1];
  if (!isRecord(known) || typeof known.header !== 'string' || typeof known.modifiedAt !== 'string')
    return false;
  const { post, file } = known;
  return (
    (file === undefined ||
      (isRecord(file) &&
        typeof file.signature === 'string' &&
        typeof file.key === 'string' &&
        typeof file.bodyKey === 'string')) &&
    isRecord(post) &&
    ['id', 'title', 'slug', 'body', 'createdAt', 'updatedAt'].every((key) => typeof post[key] === 'string') &&
    (postStatuses as readonly unknown[]).includes(post.status) &&
    isStringArray(post.tags) &&
    isStringArray(post.categories) &&
    (post.publishedAt === null || typeof post.publishedAt === 'string')
  );
}
