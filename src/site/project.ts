import { contentKey } from '../core/content-key';
import type { FileProblem } from '../core/front-matter';
import { withMacroAliases } from '../core/macro-aliases';
import type { Post } from '../core/post';
import { parsePostFile } from '../core/post-file';
import type { Script } from '../core/script';
import { parseScriptFile } from '../core/script-file';
import {
  defaultSiteSettings,
  parseSiteSettings,
  type SiteSettings,
  siteSettingsPath,
} from '../core/site-settings';
import { slugOfPath } from '../core/sync-plan';
import { readProjectMedia, type SiteMedia } from './project-media';

/**
 * A project folder as the site engine reads it: the CLI gives it Node's fs, the app (next) its
 * folder handle or its stores. Paths are relative to the project, with `/`.
 */
export interface ProjectSource {
  /** Every file below `dir`, in any order; an absent `dir` has none. */
  listFiles(dir: string): Promise<ProjectFileInfo[]>;
  /** The file's bytes, or undefined when there is no such file. */
  read(path: string): Promise<Uint8Array | undefined>;
  /**
   * The same, synchronously. A source that gives its files a `signature` and this lets a build skip
   * reading posts whose file has the signature recorded when it was last read: their bodies are
   * read only if something asks for them (a macro that reads the site's posts).
   */
  readNow?(path: string): Uint8Array | undefined;
}

export interface ProjectFileInfo {
  path: string;
  /** ISO time; stands in for timestamps a hand-written post leaves out. */
  modifiedAt: string;
  /**
   * What the file system says of the file (size, times, inode, …), given only when it has not changed
   * for long enough that the same signature later means the same bytes: a file written within the
   * clock's granularity of its listing (git's "racily clean") may change again and keep its times.
   */
  signature?: string;
}

/** What a post file's front matter gave when it was last read, to skip reading the same again. */
export interface KnownPostHeader {
  /** The file's text up to its body: the same text at the start of the file gives the same fields. */
  header: string;
  /** The file's time then, the fallback for times the front matter leaves out. */
  modifiedAt: string;
  /** The post as read, its `body` empty (kept in its place, so the post's JSON keeps its key order). */
  post: Post;
  /**
   * The file's `signature` when it was read, with the whole post's `key` and its body's `bodyKey`:
   * while the file has that signature it holds the same bytes, and is not read again. Absent for a
   * file with no signature.
   */
  file?: { signature: string; key: string; bodyKey: string };
}

/**
 * Post files' front matter as earlier builds read it, by path: a post file that starts with the same
 * header is not parsed and checked again, only its body taken (the command line keeps it in the
 * project's `.pymark/`).
 */
export interface PostFileCache {
  get(path: string): KnownPostHeader | undefined;
  /** Also called for a header that was reused: what a build did not ask for may be dropped. */
  set(path: string, known: KnownPostHeader): void;
}

/** A post with where it came from, so an error can name its file and line. */
export interface SourcePost {
  post: Post;
  file: string;
  /** Lines before the body (the front matter), to turn a body line into a file line. */
  bodyLine: number;
  /**
   * SHA-256 of the post's JSON (`postKey`), which names it in the build's keys: known without reading
   * the body of a post whose file did not change.
   */
  key?: string;
  /**
   * SHA-256 of the body alone (`bodyKey`), which names the posts' bodies in the site data: a macro
   * that read bodies runs again when one changes, not when a post's date or tags do.
   */
  bodyKey?: string;
}

/** SHA-256 of the post's JSON, front matter and body: what `SourcePost.key` holds. */
export function postKey(post: Post): string {
  return contentKey(JSON.stringify(post));
}

/** SHA-256 of the post's body: what `SourcePost.bodyKey` holds. */
export function bodyKey(post: Post): string {
  return contentKey(post.body);
}

/** Both keys of a post read from its file. */
function keysOf(post: Post): { key: string; bodyKey: string } {
  return { key: postKey(post), bodyKey: bodyKey(post) };
}

export interface SiteProject {
  settings: SiteSettings;
  posts: SourcePost[];
  scripts: Script[];
  /** Template files by name below `templates/`, e.g. `post.liquid`, `partials/head.liquid`. */
  templates: Map<string, string>;
  /** Files below `assets/`, copied as they are. */
  assets: { path: string; bytes: Uint8Array }[];
  /** Images below `media/` with their sidecars, newest first; published with their thumbnails. */
  media?: SiteMedia[];
}

/** A problem that stops a build, located in the project. */
export interface BuildProblem {
  /** Relative to the project folder, e.g. `posts/hello.md`. */
  file: string;
  /** 1-based. */
  line?: number;
  column?: number;
  message: string;
  /** The script involved, e.g. `youtube.py`, and its line. */
  script?: string;
  scriptLine?: number;
}

export type ReadProject = { ok: true; project: SiteProject } | { ok: false; problems: BuildProblem[] };

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads and checks everything a build needs. Every unreadable file is reported (not just the first),
 * each with its line: the build then stops before it renders anything.
 */
export async function readProject(source: ProjectSource, postCache?: PostFileCache): Promise<ReadProject> {
  const problems: BuildProblem[] = [];
  const text = async (path: string): Promise<string | undefined> => {
    const bytes = await source.read(path);
    if (bytes === undefined) return undefined;
    try {
      return decoder.decode(bytes);
    } catch {
      problems.push({ file: path, message: 'is not UTF-8 text' });
      return undefined;
    }
  };

  let settings = defaultSiteSettings();
  const settingsText = await text(siteSettingsPath);
  if (settingsText !== undefined) {
    const parsed = parseSiteSettings(settingsText);
    if (parsed.ok) settings = parsed.value;
    else problems.push(located(siteSettingsPath, parsed.problem));
  }

  const posts: SourcePost[] = [];
  for (const info of await itemFiles(source, 'posts', '.md')) {
    const known = postCache?.get(info.path);
    if (source.readNow && known?.file && known.file.signature === info.signature) {
      postCache?.set(info.path, known);
      posts.push(unreadPost(info.path, known, known.file, source.readNow.bind(source)));
      continue;
    }
    const content = await text(info.path);
    if (content === undefined) continue;
    if (
      known &&
      (known.modifiedAt === info.modifiedAt || !usesFileTime(known)) &&
      startsWithHeader(content, known.header)
    ) {
      const post = { ...known.post, body: content.slice(known.header.length) };
      const keys = keysOf(post);
      // Recorded with its signature once the file has one: the next build need not read it.
      postCache?.set(
        info.path,
        info.signature === undefined || known.file?.signature === info.signature
          ? known
          : { ...known, file: { signature: info.signature, ...keys } },
      );
      posts.push({ post, file: info.path, bodyLine: lineCount(known.header), ...keys });
      continue;
    }
    const slug = fileSlug(info.path, '.md');
    const parsed = parsePostFile(content, { slug, fallbackTime: info.modifiedAt });
    if (!parsed.ok) {
      problems.push(located(info.path, parsed.problem));
      continue;
    }
    const { post, header } = parsed.value;
    const keys = keysOf(post);
    posts.push({ post, file: info.path, bodyLine: lineCount(header), ...keys });
    // A file without front matter takes its title from its body: read afresh each time.
    if (header !== '')
      postCache?.set(info.path, {
        header,
        modifiedAt: info.modifiedAt,
        post: { ...post, body: '' },
        ...(info.signature === undefined ? {} : { file: { signature: info.signature, ...keys } }),
      });
  }

  const scripts: Script[] = [];
  for (const info of await itemFiles(source, 'scripts', '.py')) {
    const content = await text(info.path);
    if (content === undefined) continue;
    const parsed = parseScriptFile(content, {
      slug: fileSlug(info.path, '.py'),
      fallbackTime: info.modifiedAt,
    });
    if (parsed.ok) scripts.push(parsed.value.script);
    else problems.push(located(info.path, parsed.problem));
  }

  const templates = new Map<string, string>();
  for (const info of await source.listFiles('templates')) {
    if (!info.path.endsWith('.liquid')) continue;
    const content = await text(info.path);
    if (content !== undefined) templates.set(info.path.slice('templates/'.length), content);
  }

  const assets: { path: string; bytes: Uint8Array }[] = [];
  for (const info of await source.listFiles('assets')) {
    if (hidden(info.path)) continue;
    const bytes = await source.read(info.path);
    if (bytes) assets.push({ path: info.path, bytes });
  }

  const media = await readProjectMedia(source, problems);

  if (problems.length > 0) return { ok: false, problems };
  const byPath = (a: { file: string }, b: { file: string }) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
  return {
    ok: true,
    project: {
      settings,
      posts: posts.sort(byPath),
      scripts: scripts.sort((a, b) => (a.slug < b.slug ? -1 : 1)),
      templates,
      assets: assets.sort((a, b) => (a.path < b.path ? -1 : 1)),
      media,
    },
  };
}

/**
 * About how many macro calls `posts` make: each `[[` followed by the name of an enabled macro script
 * (or an alias of one), found without parsing Markdown, so a call in a code span counts too. Enough
 * to size and start Python's pool while the posts are still being rendered.
 */
export function likelyMacroCalls(scripts: readonly Script[], posts: readonly Post[]): number {
  const macros = withMacroAliases(
    new Map(
      scripts
        .filter((script) => script.kind === 'macro' && script.enabled)
        .map((script) => [script.slug, script]),
    ),
  );
  if (macros.size === 0) return 0;
  let calls = 0;
  for (const post of posts)
    for (const [, name] of post.body.matchAll(/\[\[([A-Za-z_][\w-]*)/g))
      if (macros.has(name!.toLowerCase())) calls += 1;
  return calls;
}

/** Item files directly in `dir` whose name is a slug; side files (`x.conflict-….md`) are not items. */
async function itemFiles(source: ProjectSource, dir: string, extension: string): Promise<ProjectFileInfo[]> {
  const files = await source.listFiles(dir);
  return files.filter((info) => slugOfPath({ dir, extension }, info.path) !== undefined);
}

/**
 * A post whose file was not read: its front matter as last read, its body read from the file only if
 * something asks for it (the same bytes, by the file's signature). A file that changed since its
 * listing, in its header or its body (no longer the body `bodyKey` names), stops the build rather
 * than mix two versions.
 */
function unreadPost(
  file: string,
  known: KnownPostHeader,
  { key, bodyKey }: { key: string; bodyKey: string },
  readNow: (path: string) => Uint8Array | undefined,
): SourcePost {
  let body: string | undefined;
  const readBody = (): string => {
    const content = textOf(readNow(file));
    const fileBody =
      content !== undefined && startsWithHeader(content, known.header)
        ? content.slice(known.header.length)
        : undefined;
    if (fileBody === undefined || contentKey(fileBody) !== bodyKey)
      throw new Error(`${file} changed while the site was built; build again`);
    return fileBody;
  };
  // In the body's own place among the post's keys, so the post's JSON is what reading it would give.
  const post = Object.defineProperty({ ...known.post }, 'body', {
    enumerable: true,
    get: () => (body ??= readBody()),
  });
  return { post, file, bodyLine: lineCount(known.header), key, bodyKey };
}

/** The bytes as UTF-8 text; undefined for no bytes or bytes that are not UTF-8. */
function textOf(bytes: Uint8Array | undefined): string | undefined {
  try {
    return bytes && decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Whether `text` starts with the front matter `header` and nothing else changed where it ends: a header
 * whose last line had no line end would read on into what follows.
 */
function startsWithHeader(text: string, header: string): boolean {
  return text.startsWith(header) && (header.endsWith('\n') || text.length === header.length);
}

/**
 * Whether the post took a time from its file: the file's time stands in only for the times its front
 * matter leaves out, so a post whose times are not the file's read none of it, and an edit of its body
 * (which changes the file's time) leaves its front matter as it was.
 */
function usesFileTime({ post, modifiedAt }: KnownPostHeader): boolean {
  return post.createdAt === modifiedAt || post.updatedAt === modifiedAt;
}

/** Lines before the body, to turn a body line into a file line. */
function lineCount(header: string): number {
  let lines = 0;
  for (let end = header.indexOf('\n'); end !== -1; end = header.indexOf('\n', end + 1)) lines += 1;
  return lines;
}

function located(file: string, { reason, line, column }: FileProblem): BuildProblem {
  return {
    file,
    ...(line === undefined ? {} : { line }),
    ...(column === undefined ? {} : { column }),
    message: reason,
  };
}

function fileSlug(path: string, extension: string): string {
  return path.slice(path.lastIndexOf('/') + 1, -extension.length);
}

function hidden(path: string): boolean {
  return path.split('/').some((segment) => segment.startsWith('.'));
}
