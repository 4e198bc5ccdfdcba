import { isRecord, isStringArray } from '../core/json-shape';
import type { RenderWarning } from '../render/post-renderer';

/**
 * Where the engine keeps its build manifest between runs: a file in the CLI's cache folder; the app
 * keeps it in memory (a builder lives as long as its worker). A cache, never a source: a missing or
 * unreadable manifest only costs one full build.
 */
export interface BuildManifestStore {
  read(): Promise<Uint8Array | undefined>;
  write(bytes: Uint8Array): Promise<void>;
}

/** A post's rendering, as the pages, lists and feeds use it, with what it was made from. */
export interface PostRecord {
  /** SHA-256 of the post (front matter and body) and the render settings (language, base URL, embeds, media). */
  input: string;
  /** The scripts behind the macros the post calls, as `scriptsKey` names them. */
  scripts: string;
  /** The site data's version (without bodies, if no macro read one) when a macro of the post read it; absent when none did. */
  siteVersion?: string;
  /** The macro cache's keys of the post's calls: kept in the cache while the post is not re-rendered. */
  callKeys: string[];
  html: string;
  css: string[];
  warnings: RenderWarning[];
  macroCount: number;
  macroNames: string[];
  /** SHA-256 of the post as the templates see it (`PostView`): what the pages showing it are keyed by. */
  view: string;
  /** What lists show of the post (`summaryOf` its HTML), kept so a rebuild need not find it in each post again. */
  summary?: string;
}

/** A page as last rendered: the key of everything it was rendered from, and its bytes' SHA-256. */
export interface PageRecord {
  key: string;
  hash: string;
}

/*
 * Checked by hand, not with zod: a 1,000-post manifest is 4 MB, and the schema's walk over it was a
 * tenth of a one-post rebuild. The same checks: each field's type, no other keys.
 */

function isPostRecord(value: unknown): value is PostRecord {
  if (!isRecord(value)) return false;
  const {
    input,
    scripts,
    siteVersion,
    callKeys,
    html,
    css,
    warnings,
    macroCount,
    macroNames,
    view,
    summary,
    ...others
  } = value;
  return (
    Object.keys(others).length === 0 &&
    typeof input === 'string' &&
    typeof scripts === 'string' &&
    (siteVersion === undefined || typeof siteVersion === 'string') &&
    isStringArray(callKeys) &&
    typeof html === 'string' &&
    isStringArray(css) &&
    Array.isArray(warnings) &&
    warnings.every(isWarning) &&
    typeof macroCount === 'number' &&
    isStringArray(macroNames) &&
    typeof view === 'string' &&
    (summary === undefined || typeof summary === 'string')
  );
}

function isWarning(value: unknown): value is RenderWarning {
  if (!isRecord(value)) return false;
  const { message, line, column, kind, endColumn, ...others } = value;
  return (
    Object.keys(others).length === 0 &&
    typeof message === 'string' &&
    typeof line === 'number' &&
    typeof column === 'number' &&
    (endColumn === undefined || typeof endColumn === 'number') &&
    (kind === undefined || kind === 'error' || kind === 'print')
  );
}

function isPageRecord(value: unknown): value is PageRecord {
  if (!isRecord(value)) return false;
  const { key, hash, ...others } = value;
  return Object.keys(others).length === 0 && typeof key === 'string' && typeof hash === 'string';
}

/**
 * What the last build rendered, so the next one re-renders only the posts and pages whose inputs
 * changed (docs/site.md, "Incremental builds").
 */
export interface BuildManifest {
  posts: Map<string, PostRecord>;
  pages: Map<string, PageRecord>;
}

export function emptyManifest(): BuildManifest {
  return { posts: new Map(), pages: new Map() };
}

/** Bumped when a record's meaning changes. 2: `siteVersion` names the site data with the posts' bodies, or without. */
const manifestVersion = 2;

/** The stored manifest, or undefined when there is none or it cannot be read. */
export async function loadManifest(store: BuildManifestStore): Promise<BuildManifest | undefined> {
  try {
    const bytes = await store.read();
    if (!bytes) return undefined;
    const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (!isRecord(parsed) || parsed.version !== manifestVersion || Object.keys(parsed).length !== 3)
      return undefined;
    const { posts, pages } = parsed;
    if (!isRecord(posts) || !isRecord(pages)) return undefined;
    const postEntries = Object.entries(posts);
    const pageEntries = Object.entries(pages);
    if (!postEntries.every(([, record]) => isPostRecord(record))) return undefined;
    if (!pageEntries.every(([, record]) => isPageRecord(record))) return undefined;
    return {
      posts: new Map(postEntries as [string, PostRecord][]),
      pages: new Map(pageEntries as [string, PageRecord][]),
    };
  } catch {
    return undefined;
  }
}

export async function saveManifest(store: BuildManifestStore, manifest: BuildManifest): Promise<void> {
  const text = JSON.stringify({
    version: manifestVersion,
    posts: Object.fromEntries(manifest.posts),
    pages: Object.fromEntries(manifest.pages),
  });
  await store.write(new TextEncoder().encode(text));
}
