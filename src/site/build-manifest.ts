import { isRecord, isStringArray } from '../core/json-shape';
import type { RenderWarning } from '../render/post-renderer';
import type { SiteVersionEntry } from '../render/site-versions';

/**
 * Where the engine keeps its build manifest between runs: a file in the CLI's cache folder; the app
 * keeps it in memory (a builder lives as long as its worker). A cache, never a source: a missing or
 * unreadable manifest only costs one full build.
 */
export interface BuildManifestStore {
  read(): Promise<Uint8Array | undefined>;
  write(bytes: Uint8Array): Promise<void>;
  /** Adds `bytes` after what `read` gives. Without it, the manifest is written whole each time. */
  append?(bytes: Uint8Array): Promise<void>;
}

/**
 * A post's rendering, as the pages, lists and feeds use it, with what it was made from: beside the
 * fields below, the parts of the site data its macros read, with their names then (`SiteVersionEntry`;
 * absent when none did).
 */
export interface PostRecord extends SiteVersionEntry {
  /** SHA-256 of the post's key (`postKey`: front matter and body) and the render settings (language, base URL, embeds, media). */
  input: string;
  /** The scripts behind the macros the post calls, as `scriptsKey` names them. */
  scripts: string;
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
    siteReads,
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
    (siteReads === undefined || siteReads === null || isStringArray(siteReads)) &&
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

/*
 * The stored form: a first line naming the format, then one line of JSON per post (`["post", id,
 * record]`) and per page (`["page", path, key, hash]`), in ASCII (other characters `\u` escaped);
 * a later line for the same post or page replaces an earlier one, and `["drop", "post" | "page",
 * name]` removes one. A one-post rebuild reads a 4 MB manifest of 1,000 posts and changes one post
 * and a few pages: to a store that can append, it adds those lines (and drops) at the end, rather
 * than write 4 MB again (a twentieth of the rebuild); the whole is written afresh once the lines it
 * no longer needs are a quarter of what it needs, so reading it stays about as fast. A record loaded
 * and saved unchanged is written as the very line it was read from, not serialized again, and ASCII
 * text decodes and encodes several times faster than text with a few non-ASCII characters in it.
 *
 * The version is bumped when a record's meaning changes. 4: `siteVersion` names the parts of the
 * site data in `siteReads` (before: the data with the posts' bodies, or without them). 5: `input` and
 * the names of the site data's parts come from the posts' keys (`postKey`), so a post whose file did
 * not change is not read.
 */
const header = '{"format":"pymark-build-manifest","version":5}';

/** The line each record was read from or written as, and its fields then: reused only while they are all the same. */
const loadedLines = new WeakMap<object, { line: string; fields: unknown[] }>();

/** The line of each post and page a store holds, as this process last read or wrote it. */
interface StoredLines {
  posts: Map<string, string>;
  pages: Map<string, string>;
  /** Characters (bytes: the lines are ASCII) of the lines the store holds that a newer line replaced or dropped. */
  replaced: number;
}

const storedLines = new WeakMap<BuildManifestStore, StoredLines>();

/** Replaced lines past this share of the live ones, the manifest is written whole again. */
const replacedShare = 0.25;

/** The stored manifest, or undefined when there is none or it cannot be read. */
export async function loadManifest(store: BuildManifestStore): Promise<BuildManifest | undefined> {
  // Known again only if it reads whole: appending to a store that does not would keep it unreadable.
  storedLines.delete(store);
  try {
    const bytes = await store.read();
    if (!bytes) return undefined;
    const lines = new TextDecoder().decode(bytes).split('\n');
    if (lines[0] !== header || lines.at(-1) !== '') return undefined;
    const manifest = emptyManifest();
    const stored: StoredLines = { posts: new Map(), pages: new Map(), replaced: 0 };
    const replace = (byName: Map<string, string>, name: string, line?: string) => {
      stored.replaced += byName.get(name)?.length ?? 0;
      if (line === undefined) byName.delete(name);
      else byName.set(name, line);
    };
    for (let index = 1; index < lines.length - 1; index++) {
      const line = lines[index]!;
      const entry: unknown = JSON.parse(line);
      if (!Array.isArray(entry)) return undefined;
      const [kind, name, ...fields] = entry;
      if (typeof name !== 'string') return undefined;
      if (kind === 'post' && fields.length === 1 && isPostRecord(fields[0])) {
        manifest.posts.set(name, fields[0]);
        loadedLines.set(fields[0], { line, fields: Object.values(fields[0]) });
        replace(stored.posts, name, line);
      } else if (kind === 'page' && fields.length === 2) {
        const record = { key: fields[0], hash: fields[1] };
        if (!isPageRecord(record)) return undefined;
        manifest.pages.set(name, record);
        loadedLines.set(record, { line, fields: Object.values(record) });
        replace(stored.pages, name, line);
      } else if (kind === 'drop' && fields.length === 1 && (name === 'post' || name === 'page')) {
        const dropped = fields[0];
        if (typeof dropped !== 'string') return undefined;
        manifest[`${name}s`].delete(dropped);
        replace(stored[`${name}s`], dropped);
        stored.replaced += line.length;
      } else {
        return undefined;
      }
    }
    storedLines.set(store, stored);
    return manifest;
  } catch {
    return undefined;
  }
}

export async function saveManifest(store: BuildManifestStore, manifest: BuildManifest): Promise<void> {
  const posts = new Map<string, string>();
  const pages = new Map<string, string>();
  for (const [id, record] of manifest.posts)
    posts.set(
      id,
      lineOf(record, () => ['post', id, record]),
    );
  for (const [path, record] of manifest.pages)
    pages.set(
      path,
      lineOf(record, () => ['page', path, record.key, record.hash]),
    );
  const before = storedLines.get(store);
  if (store.append && before) {
    const added: string[] = [];
    let replaced = before.replaced;
    for (const [kind, stored, now] of [
      ['post', before.posts, posts],
      ['page', before.pages, pages],
    ] as const) {
      for (const [name, line] of now) {
        const old = stored.get(name);
        if (old === line) continue;
        added.push(line);
        replaced += old?.length ?? 0;
      }
      for (const [name, line] of stored) {
        if (now.has(name)) continue;
        const drop = asciiJson(['drop', kind, name]);
        added.push(drop);
        replaced += line.length + drop.length;
      }
    }
    let live = 0;
    for (const line of posts.values()) live += line.length;
    for (const line of pages.values()) live += line.length;
    if (replaced <= live * replacedShare) {
      if (added.length > 0) await store.append(encoder.encode(`${added.join('\n')}\n`));
      storedLines.set(store, { posts, pages, replaced });
      return;
    }
  }
  await store.write(encoder.encode(`${[header, ...posts.values(), ...pages.values()].join('\n')}\n`));
  storedLines.set(store, { posts, pages, replaced: 0 });
}

const encoder = new TextEncoder();

/** The record's line: as it was read when no field changed since, else written afresh. */
function lineOf(record: object, entry: () => unknown[]): string {
  const loaded = loadedLines.get(record);
  if (loaded) {
    const fields = Object.values(record);
    if (
      fields.length === loaded.fields.length &&
      fields.every((value, index) => value === loaded.fields[index])
    )
      return loaded.line;
  }
  const line = asciiJson(entry());
  // Written as this line from now on: a later save (a watching process's) need not serialize it again.
  loadedLines.set(record, { line, fields: Object.values(record) });
  return line;
}

/** JSON with every character past ASCII escaped: the same value, parsed back. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
