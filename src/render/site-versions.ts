import type { SiteSnapshot } from '../core/abi';

/**
 * The parts of the site data behind `from pymark import site` that a result was made from, as
 * macro_engine.py names them (docs/abi-v1.md, "What a call read"): `posts` (which posts there are, in
 * order, and which keys each has), `posts.<key>` (every post's value of that key, or its absence),
 * `media` and `settings`. null: all of it (a call that did not say what it read).
 */
export type SiteReads = string[] | null;

/** Names the site data, and each part of it, as one preview or build sees it. */
export interface SiteVersions {
  /** Names all of it: changes whenever any part does. */
  dataVersion: string;
  /**
   * Names each part (`nameSiteData`): a result is reused while the parts it read keep their names,
   * so an autosave, which changes a post's `updated_at`, does not re-run a tag cloud, which read only
   * tags and statuses. A `posts.<key>` no post has is not listed. Absent: `dataVersion` names each part.
   */
  dataParts?: ReadonlyMap<string, string>;
}

/** What a remembered result keeps of the site data it was made from; both absent: it read none. */
export interface SiteVersionEntry {
  /** The parts it read. */
  siteReads?: SiteReads;
  /** Their names then, together. */
  siteVersion?: string;
}

/** A remembered result's `SiteVersionEntry`, made from the parts of `site` named by `reads`. */
export function siteVersionEntry(reads: SiteReads, site: SiteVersions): SiteVersionEntry {
  if (reads !== null && reads.length === 0) return {};
  return { siteReads: reads, siteVersion: versionOf(reads, site) };
}

/** Whether a result remembered with `entry` holds for `site`: every part it read has the same name. */
export function siteVersionHolds(entry: SiteVersionEntry, site: SiteVersions): boolean {
  return entry.siteVersion === undefined || entry.siteVersion === versionOf(entry.siteReads ?? null, site);
}

/** The parts of the site data that two sets of results read together. */
export function bothSiteReads(first: SiteReads, second: SiteReads): SiteReads {
  if (first === null || second === null) return null;
  if (second.length === 0 || second === first) return first;
  if (first.length === 0) return second;
  return [...new Set([...first, ...second])].sort();
}

function versionOf(reads: SiteReads, site: SiteVersions): string {
  const parts = site.dataParts;
  if (reads === null || parts === undefined) return site.dataVersion;
  return reads.map((part) => partVersion(part, parts) ?? site.dataVersion).join(' ');
}

function partVersion(part: string, parts: ReadonlyMap<string, string>): string | undefined {
  const named = parts.get(part);
  if (named !== undefined || !part.startsWith(postKeyPart)) return named;
  // A key no post has: its value in every post is its absence, as many as `posts` says there are.
  return `absent ${parts.get('posts')}`;
}

const postKeyPart = 'posts.';

/**
 * Names `snapshot` and each of its parts, as `SiteVersions`. `name(part, text)` names a part by its
 * text, the same text by the same name: the build hashes it (its names outlive the process), the app
 * numbers its changes. Each post's values are serialized once, the bodies (most of the text) too,
 * unless `bodiesName` names them already (the build names them by the bodies' SHA-256, kept in its
 * post cache, so that naming them reads no unchanged post file): every post then has a body, and
 * none is read here.
 */
export function nameSiteData(
  snapshot: SiteSnapshot,
  name: (part: string, text: string) => string,
  bodiesName?: string,
): Required<SiteVersions> {
  const named = (key: string) => key === 'body' && bodiesName !== undefined;
  // A key whose value is undefined is not in the data Python gets (JSON leaves it out).
  const keysOfPosts = snapshot.posts.map((post) =>
    Object.keys(post).filter((key) => named(key) || post[key] !== undefined),
  );
  const parts = new Map([['posts', name('posts', JSON.stringify(keysOfPosts))]]);
  for (const key of new Set(keysOfPosts.flat())) {
    if (named(key)) {
      parts.set(`${postKeyPart}${key}`, bodiesName!);
      continue;
    }
    const values = snapshot.posts.map((post) => (post[key] === undefined ? [] : [post[key]]));
    parts.set(`${postKeyPart}${key}`, name(`${postKeyPart}${key}`, JSON.stringify(values)));
  }
  parts.set('media', name('media', JSON.stringify(snapshot.media ?? [])));
  parts.set('settings', name('settings', JSON.stringify(snapshot.settings ?? {})));
  return { dataVersion: name('', JSON.stringify([...parts])), dataParts: parts };
}
