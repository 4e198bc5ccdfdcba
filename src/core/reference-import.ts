import { z } from 'zod';
import { readFrontMatter } from './front-matter';
import { type Media, mediaPath, sidecarPath } from './media';
import { serializeSidecar } from './media-file';
import { type Post, postSchema, postStatuses } from './post';
import { postFence, serializePostFile } from './post-file';
import { claimId, isIsoDate, isNonEmptyString, isStringList, pick } from './reference-fields';
import {
  imageOfSidecar,
  importImage,
  isMediaImage,
  isMediaSidecar,
  type MediaClaims,
  type MovedMedia,
  rewriteMediaLinks,
} from './reference-media';
import { type Script, scriptKinds, scriptSchema } from './script';
import { parseScriptFile, serializeScriptFile } from './script-file';
import { slugify, uniqueSlug } from './slug';

/*
 * Maps a reference desktop app project folder (REFERENCE.md §4) onto Pymark's items. Pure: the
 * caller reads the folder (storage/folder/reference-folder.ts) and writes what comes back.
 *
 * Scripts (`scripts/**.py`) are read as that app's "Rebuild Scripts" reads them: a lenient metadata
 * docstring, and fallbacks for anything missing or invalid. Posts (`posts/**.md`) are taken when
 * they are Markdown with a `---` front matter block holding the app's PostData fields; REFERENCE.md
 * does not pin their layout down further, so anything else is left, and said so. Media
 * (`media/**`, with their sidecars) become items of Pymark's library (reference-media.ts); posts'
 * links to an image that lands elsewhere are rewritten, and an image's linked posts follow a post
 * that got a new id.
 */

/** One file of the reference project. `text` and `bytes` are absent for a file the caller did not read. */
export interface ReferenceFile {
  /** Relative to the project folder, with `/`. */
  path: string;
  /** ISO time; stands in for timestamps the file lacks. */
  modifiedAt: string;
  /** Its size as listed: says why a file too big to read was not read. */
  size?: number;
  /** A script, a post or a media sidecar (`isReadAsText`). */
  text?: string;
  /** A media file (`isReadAsBytes`). */
  bytes?: Uint8Array;
}

export interface ImportOptions {
  /** What the Pymark project holds already: imported items never clash with it. */
  taken: {
    scriptSlugs: ReadonlySet<string>;
    postSlugs: ReadonlySet<string>;
    ids: ReadonlySet<string>;
    /** `media/<yyyy>/<mm>/<file>` of every media item, live or trashed, and every file there. */
    mediaPaths: ReadonlySet<string>;
  };
  /** Stands in for a script's missing timestamps, as the reference app's rebuild uses "now". */
  now: string;
  newId: () => string;
}

export type ImportedItem =
  | { kind: 'script'; from: string; path: string; text: string; script: Script }
  | { kind: 'post'; from: string; path: string; text: string; post: Post }
  /** `path` is the image's; its metadata goes to `sidecar.path` (Pymark's `<file>.yml`). */
  | {
      kind: 'media';
      from: string;
      path: string;
      bytes: Uint8Array;
      sidecar: { path: string; text: string };
      media: Media;
    };

/** A file of the report: where it came from, where it goes, and what was done to it or why it was left. */
export interface ReportEntry {
  path: string;
  to?: string;
  notes: string[];
}

export interface ImportReport {
  /** Imported as they were. */
  taken: ReportEntry[];
  /** Imported after a change the notes name. */
  converted: ReportEntry[];
  /** Not imported; the notes say why. */
  left: ReportEntry[];
}

export interface ReferenceImport {
  items: ImportedItem[];
  report: ImportReport;
}

/** Whether the importer reads this file's text. */
export function isReadAsText(path: string): boolean {
  return (
    (path.startsWith('scripts/') && path.endsWith('.py')) ||
    (path.startsWith('posts/') && path.endsWith('.md')) ||
    isMediaSidecar(path)
  );
}

/** Whether the importer reads this file's bytes; it reads no file that neither this nor `isReadAsText` names. */
export const isReadAsBytes = isMediaImage;

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export function importReferenceProject(
  files: readonly ReferenceFile[],
  options: ImportOptions,
): ReferenceImport {
  const ids = new Set(options.taken.ids);
  const scriptClaims: Claims = { slugs: new Set(options.taken.scriptSlugs), ids, options };
  const postClaims: Claims = { slugs: new Set(options.taken.postSlugs), ids, options };
  const mediaClaims: MediaClaims = { ids, paths: new Set(options.taken.mediaPaths), newId: options.newId };
  const items: ImportedItem[] = [];
  const report: ImportReport = { taken: [], converted: [], left: [] };
  const record = (entry: ReportEntry) =>
    (entry.notes.length === 0 ? report.taken : report.converted).push(entry);
  // Sorted, so which of two clashing files keeps the slug or name does not depend on a listing's order.
  const sorted = [...files].sort(byPath);
  const sidecars = pairSidecars(sorted, report);

  // Media first: a post's links follow an image that lands elsewhere.
  const images: { from: string; media: Media; bytes: Uint8Array; notes: string[]; sidecarLeft?: string }[] =
    [];
  const moved = new Map<string, Media>();
  for (const file of sorted) {
    if (!isMediaImage(file.path)) continue;
    const sidecar = sidecars.get(file.path);
    const imported = importImage(file, sidecar, mediaClaims);
    if ('left' in imported) {
      report.left.push({ path: file.path, notes: [imported.left] });
      if (sidecar) report.left.push({ path: sidecar.path, notes: [`its image ${file.path} is left`] });
      continue;
    }
    images.push({ from: file.path, ...imported });
    if (mediaPath(imported.media) !== file.path) moved.set(file.path, imported.media);
  }

  /** A reference post's id → the id it has in Pymark, where they differ. */
  const newPostIds = new Map<string, string>();
  for (const file of sorted) {
    if (isMediaImage(file.path) || isMediaSidecar(file.path)) continue;
    const reason = whyLeft(file);
    if (reason !== undefined) {
      report.left.push({ path: file.path, notes: [reason] });
      continue;
    }
    const text = file.text ?? '';
    const imported = file.path.startsWith('scripts/')
      ? importScript(file.path, text, scriptClaims)
      : importPost(file.path, text, file.modifiedAt, postClaims, moved);
    if ('left' in imported) {
      report.left.push({ path: file.path, notes: [imported.left] });
      continue;
    }
    const { item, notes } = imported;
    items.push(item);
    if (item.kind === 'post' && imported.referenceId !== undefined && imported.referenceId !== item.post.id)
      newPostIds.set(imported.referenceId, item.post.id);
    record({ path: file.path, to: item.path, notes });
  }

  for (const { from, media, bytes, notes, sidecarLeft } of images) {
    const linkedPostIds = media.linkedPostIds.map((id) => newPostIds.get(id) ?? id);
    for (const [index, id] of media.linkedPostIds.entries())
      if (linkedPostIds[index] !== id) notes.push(`linked post ${id} is ${linkedPostIds[index]} now`);
    const item = { ...media, linkedPostIds };
    const sidecar = { path: sidecarPath(item), text: serializeSidecar(item) };
    items.push({ kind: 'media', from, path: mediaPath(item), bytes, sidecar, media: item });
    record({ path: from, to: mediaPath(item), notes });
    const read = sidecars.get(from);
    if (read && sidecarLeft !== undefined) report.left.push({ path: read.path, notes: [sidecarLeft] });
    else if (read)
      record({
        path: read.path,
        to: sidecar.path,
        notes: [`the metadata of ${from}, in Pymark's sidecar format`],
      });
  }
  for (const list of Object.values(report)) list.sort(byPath);
  return { items, report };
}

/**
 * Each image's sidecar (`media/…/cat.jpg.json` for `media/…/cat.jpg`), by image path. `files` is
 * sorted, so of two sidecars `.json` wins over `.yml` over `.yaml`; the other, and a sidecar whose
 * image is missing, go to the report's left.
 */
function pairSidecars(files: readonly ReferenceFile[], report: ImportReport): Map<string, ReferenceFile> {
  const imagePaths = new Set(files.map((file) => file.path).filter(isMediaImage));
  const sidecars = new Map<string, ReferenceFile>();
  for (const file of files) {
    if (!isMediaSidecar(file.path)) continue;
    const image = imageOfSidecar(file.path);
    const other = sidecars.get(image);
    if (other === undefined && imagePaths.has(image)) sidecars.set(image, file);
    else
      report.left.push({
        path: file.path,
        notes: [
          other ? `${image} has another sidecar, ${other.path}` : `a sidecar without its image ${image}`,
        ],
      });
  }
  return sidecars;
}

function whyLeft(file: ReferenceFile): string | undefined {
  if (file.path.startsWith('thumbnails/')) return 'a thumbnail: Pymark makes its own from the image';
  if (file.path.startsWith('scripts/') && !file.path.endsWith('.py')) return 'not a .py file';
  if (file.path.startsWith('posts/') && !file.path.endsWith('.md')) return 'not a .md file';
  if (!isReadAsText(file.path)) return 'not a script, post or media file of a reference project';
  if (file.text === undefined) return 'could not be read as text';
  return undefined;
}

interface Claims {
  slugs: Set<string>;
  ids: Set<string>;
  options: ImportOptions;
}

type Imported = { item: ImportedItem; notes: string[]; referenceId?: string } | { left: string };

function stemOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.slice(0, name.lastIndexOf('.'));
}

/** A slug the project does not use yet, from `wanted`; notes what changed. */
function claimSlug(wanted: string, fallback: 'script' | 'post', claims: Claims, notes: string[]): string {
  const clean = slugify(wanted, fallback);
  if (clean !== wanted) notes.push(`slug ${JSON.stringify(wanted)} became ${clean}`);
  const slug = uniqueSlug(clean, claims.slugs);
  if (slug !== clean) notes.push(`slug ${clean} is taken, so it is ${slug}`);
  claims.slugs.add(slug);
  return slug;
}

function claimItemId(wanted: unknown, claims: Claims, notes: string[]): string {
  return claimId(wanted, claims.ids, claims.options.newId, notes);
}

function importScript(path: string, text: string, claims: Claims): Imported {
  const read = readReferenceScript(text);
  const { fields } = read;
  const notes: string[] = [];
  if (!read.header) notes.push('no metadata docstring, so the defaults of the reference app');
  else if (read.quote === "'''") notes.push('metadata docstring in \'\'\' rewritten with """');
  const slug = claimSlug(isNonEmptyString(fields.slug) ? fields.slug : stemOf(path), 'script', claims, notes);
  const now = claims.options.now;
  const id = claimItemId(fields.id, claims, notes);
  const candidate = {
    id,
    title: pick(fields, 'title', isNonEmptyString, slug, notes),
    slug,
    kind: pick(
      fields,
      'kind',
      (value): value is Script['kind'] => scriptKinds.includes(value as never),
      'utility',
      notes,
    ),
    // The reference app's default for every kind.
    entrypoint: pick(
      fields,
      'entrypoint',
      (value): value is string => scriptSchema.shape.entrypoint.safeParse(value).success,
      'render',
      notes,
    ),
    enabled: pick(
      fields,
      'enabled',
      (value): value is boolean => typeof value === 'boolean',
      true,
      notes,
      true,
    ),
    body: read.body,
    version: pick(
      fields,
      'version',
      (value): value is number => scriptSchema.shape.version.safeParse(value).success,
      1,
      notes,
      true,
    ),
    createdAt: '',
    updatedAt: '',
  };
  candidate.createdAt = pick(fields, 'createdAt', isIsoDate, now, notes);
  candidate.updatedAt = pick(
    fields,
    'updatedAt',
    isIsoDate,
    candidate.createdAt,
    notes,
    fields.createdAt === undefined,
  );
  const checked = scriptSchema.safeParse(candidate);
  if (!checked.success)
    return { left: `not a valid script: ${checked.error.issues[0]?.message ?? 'invalid'}` };
  const script = checked.data;
  // The header kept when Pymark's own format reads it: unknown keys (projectId…) and line endings survive.
  const header =
    read.quote === '"""' && parseScriptFile(text, { slug, fallbackTime: now }).ok ? read.header : undefined;
  const fileText = serializeScriptFile(script, header);
  if (header === undefined && read.header && notes.length === 0)
    notes.push("metadata rewritten in Pymark's format");
  return { item: { kind: 'script', from: path, path: `scripts/${slug}.py`, text: fileText, script }, notes };
}

interface ReferenceScriptFile {
  /** Everything before the body; empty without a metadata docstring. */
  header: string;
  quote?: '"""' | "'''";
  fields: Record<string, unknown>;
  body: string;
}

/**
 * The reference app's reader (REFERENCE.md §4): a docstring in `"""` or `'''` holding `---` fenced
 * `key: value` lines; blank and `#` lines skipped; quoted values unquoted, true/false and numbers
 * typed; the body is everything after the closing delimiter line, byte for byte.
 */
function readReferenceScript(text: string): ReferenceScriptFile {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const bare = (line: string | undefined) => (line ?? '').replace(/\r?\n$/, '').trim();
  const quote = bare(lines[0]);
  if ((quote !== '"""' && quote !== "'''") || bare(lines[1]) !== '---')
    return { header: '', fields: {}, body: text };
  const fields: Record<string, unknown> = {};
  for (let index = 2; index < lines.length; index++) {
    const line = bare(lines[index]);
    if (line === '---') {
      if (bare(lines[index + 1]) !== quote) break;
      return {
        header: lines.slice(0, index + 2).join(''),
        quote,
        fields,
        body: lines.slice(index + 2).join(''),
      };
    }
    if (line === '' || line.startsWith('#')) continue;
    const pair = /^([A-Za-z_][\w]*)\s*:\s*(.*)$/.exec(line);
    if (pair) fields[pair[1]!] = referenceValue(pair[2]!);
  }
  return { header: '', fields: {}, body: text };
}

function referenceValue(raw: string): unknown {
  const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(raw) ?? /^'(.*)'$/.exec(raw);
  if (quoted) return quoted[1]!.replace(/\\(["\\])/g, '$1');
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^-?\d+(?:\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

const frontMatterData = z.record(z.string(), z.unknown());

function importPost(
  path: string,
  text: string,
  modifiedAt: string,
  claims: Claims,
  moved: MovedMedia,
): Imported {
  const read = readFrontMatter(text, postFence, frontMatterData);
  if (!read.ok) return { left: `not a post Pymark can read: ${read.problem.reason}` };
  // YAML reads an unquoted date as a string in its core schema; a Date from elsewhere becomes ISO text.
  const fields = Object.fromEntries(
    Object.entries(read.value.fields).map(([key, value]) => [
      key,
      value instanceof Date ? value.toISOString() : value,
    ]),
  );
  const notes: string[] = [];
  const slug = claimSlug(isNonEmptyString(fields.slug) ? fields.slug : stemOf(path), 'post', claims, notes);
  const createdAt = pick(fields, 'createdAt', isIsoDate, modifiedAt, notes);
  const status = pick(
    fields,
    'status',
    (value): value is Post['status'] => postStatuses.includes(value as never),
    'draft',
    notes,
  );
  const links = rewriteMediaLinks(read.value.body, moved);
  const publishedAt =
    fields.publishedAt === null || fields.publishedAt === undefined ? null : fields.publishedAt;
  const candidate = {
    id: claimItemId(fields.id, claims, notes),
    title: pick(fields, 'title', isNonEmptyString, slug, notes),
    slug,
    status,
    tags: pick(fields, 'tags', isStringList, [], notes, true),
    categories: pick(fields, 'categories', isStringList, [], notes, true),
    body: links.body,
    createdAt,
    updatedAt: pick(fields, 'updatedAt', isIsoDate, createdAt, notes, fields.createdAt === undefined),
    publishedAt: isIsoDate(publishedAt) ? publishedAt : status === 'published' ? createdAt : null,
  };
  if (publishedAt !== null && !isIsoDate(publishedAt))
    notes.push(`publishedAt ${JSON.stringify(publishedAt)} is not valid`);
  notes.push(...links.notes);
  const checked = postSchema.safeParse(candidate);
  if (!checked.success) return { left: `not a valid post: ${checked.error.issues[0]?.message ?? 'invalid'}` };
  const post = checked.data;
  // Keys Pymark does not know (excerpt, author…) stay in the front matter.
  const fileText = serializePostFile(post, read.value.header);
  return {
    item: { kind: 'post', from: path, path: `posts/${slug}.md`, text: fileText, post },
    notes,
    ...(typeof fields.id === 'string' ? { referenceId: fields.id } : {}),
  };
}
