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
}

export interface ProjectFileInfo {
  path: string;
  /** ISO time; stands in for timestamps a hand-written post leaves out. */
  modifiedAt: string;
}

/** What a post file's front matter gave when it was last read, to skip reading the same again. */
export interface KnownPostHeader {
  /** The file's text up to its body: the same text at the start of the file gives the same fields. */
  header: string;
  /** The file's time then, the fallback for times the front matter leaves out. */
  modifiedAt: string;
  /** The post as read, its `body` empty (kept in its place, so the post's JSON keeps its key order). */
  post: Post;
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
    const content = await text(info.path);
    if (content === undefined) continue;
    const known = postCache?.get(info.path);
    if (known && known.modifiedAt === info.modifiedAt && startsWithHeader(content, known.header)) {
      postCache?.set(info.path, known);
      posts.push({
        post: { ...known.post, body: content.slice(known.header.length) },
        file: info.path,
        bodyLine: lineCount(known.header),
      });
      continue;
    }
    const slug = fileSlug(info.path, '.md');
    const parsed = parsePostFile(content, { slug, fallbackTime: info.modifiedAt });
    if (!parsed.ok) {
      problems.push(located(info.path, parsed.problem));
      continue;
    }
    const { post, header } = parsed.value;
    posts.push({ post, file: info.path, bodyLine: lineCount(header) });
    // A file without front matter takes its title from its body: read afresh each time.
    if (header !== '')
      postCache?.set(info.path, { header, modifiedAt: info.modifiedAt, post: { ...post, body: '' } });
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
 * Whether `text` starts with the front matter `header` and nothing else changed where it ends: a header
 * whose last line had no line end would read on into what follows.
 */
function startsWithHeader(text: string, header: string): boolean {
  return text.startsWith(header) && (header.endsWith('\n') || text.length === header.length);
}

/** Lines before the body, to turn a body line into a file line. */
function lineCount(header: string): number {
  return header.split('\n').length - 1;
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
