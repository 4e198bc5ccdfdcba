import { z } from 'zod';
import { readFrontMatter } from './front-matter';
import { type Post, postSchema, postStatuses } from './post';
import { postFence, serializePostFile } from './post-file';
import { type Script, scriptKinds, scriptSchema } from './script';
import { parseScriptFile, serializeScriptFile } from './script-file';
import { slugify, uniqueSlug } from './slug';

/*
 * Maps a reference desktop app project folder (REFERENCE.md §4) onto Pymark's items. Pure: the
 * caller reads the folder (src/cli/import-command.ts in Node) and writes what comes back.
 *
 * Scripts (`scripts/**.py`) are read as that app's "Rebuild Scripts" reads them: a lenient metadata
 * docstring, and fallbacks for anything missing or invalid. Posts (`posts/**.md`) are taken when
 * they are Markdown with a `---` front matter block holding the app's PostData fields; REFERENCE.md
 * does not pin their layout down further, so anything else is left, and said so. Media is left, and
 * said so: its files are not imported yet (add them in the Media view).
 */

/** One file of the reference project. `text` is absent for a file the caller did not read. */
export interface ReferenceFile {
  /** Relative to the project folder, with `/`. */
  path: string;
  /** ISO time; stands in for timestamps the file lacks. */
  modifiedAt: string;
  text?: string;
}

export interface ImportOptions {
  /** Slugs and ids already used in the Pymark project: imported items never clash with them. */
  taken: { scriptSlugs: ReadonlySet<string>; postSlugs: ReadonlySet<string>; ids: ReadonlySet<string> };
  /** Stands in for a script's missing timestamps, as the reference app's rebuild uses "now". */
  now: string;
  newId: () => string;
}

export type ImportedItem =
  | { kind: 'script'; from: string; path: string; text: string; script: Script }
  | { kind: 'post'; from: string; path: string; text: string; post: Post };

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

/** Whether the importer reads this file's text: the caller need read no other file. */
export function isImportCandidate(path: string): boolean {
  return (
    (path.startsWith('scripts/') && path.endsWith('.py')) ||
    (path.startsWith('posts/') && path.endsWith('.md'))
  );
}

export function importReferenceProject(
  files: readonly ReferenceFile[],
  options: ImportOptions,
): ReferenceImport {
  const scriptSlugs = new Set(options.taken.scriptSlugs);
  const postSlugs = new Set(options.taken.postSlugs);
  const ids = new Set(options.taken.ids);
  const items: ImportedItem[] = [];
  const report: ImportReport = { taken: [], converted: [], left: [] };
  // Sorted, so which of two clashing files keeps the slug does not depend on the order of a listing.
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const reason = whyLeft(file);
    if (reason !== undefined) {
      report.left.push({ path: file.path, notes: [reason] });
      continue;
    }
    const text = file.text ?? '';
    const imported = file.path.startsWith('scripts/')
      ? importScript(file.path, text, { slugs: scriptSlugs, ids, options })
      : importPost(file.path, text, file.modifiedAt, { slugs: postSlugs, ids, options });
    if ('left' in imported) {
      report.left.push({ path: file.path, notes: [imported.left] });
      continue;
    }
    const { item, notes } = imported;
    items.push(item);
    (notes.length === 0 ? report.taken : report.converted).push({ path: file.path, to: item.path, notes });
  }
  return { items, report };
}

function whyLeft(file: ReferenceFile): string | undefined {
  if (file.path.startsWith('media/')) return 'media is not imported yet: add the images in the Media view';
  if (file.path.startsWith('scripts/') && !file.path.endsWith('.py')) return 'not a .py file';
  if (file.path.startsWith('posts/') && !file.path.endsWith('.md')) return 'not a .md file';
  if (!isImportCandidate(file.path)) return 'not a script, post or media file of a reference project';
  if (file.text === undefined) return 'could not be read as text';
  return undefined;
}

interface Claims {
  slugs: Set<string>;
  ids: Set<string>;
  options: ImportOptions;
}

type Imported = { item: ImportedItem; notes: string[] } | { left: string };

const isoDate = z.iso.datetime({ offset: true });

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

function claimId(wanted: unknown, claims: Claims, notes: string[]): string {
  if (typeof wanted === 'string' && z.uuid().safeParse(wanted).success && !claims.ids.has(wanted)) {
    claims.ids.add(wanted);
    return wanted;
  }
  const id = claims.options.newId();
  notes.push(
    wanted === undefined
      ? 'no id, so it has a new one'
      : `id ${JSON.stringify(wanted)} is ${typeof wanted === 'string' && claims.ids.has(wanted) ? 'taken' : 'not a UUID'}, so it has a new one`,
  );
  claims.ids.add(id);
  return id;
}

/** `value` if `accept` takes it; otherwise `fallback`, noted unless `value` is absent and `quietWhenAbsent`. */
function pick<T>(
  fields: Record<string, unknown>,
  key: string,
  accept: (value: unknown) => value is T,
  fallback: T,
  notes: string[],
  quietWhenAbsent = false,
): T {
  const value = fields[key];
  if (accept(value)) return value;
  if (value === undefined && quietWhenAbsent) return fallback;
  notes.push(
    value === undefined
      ? `no ${key}, so ${JSON.stringify(fallback)}`
      : `${key} ${JSON.stringify(value)} is not valid, so ${JSON.stringify(fallback)}`,
  );
  return fallback;
}

const isNonEmptyString = (value: unknown): value is string =>
  typeof value === 'string' && value.trim() !== '';
const isIsoDate = (value: unknown): value is string => isoDate.safeParse(value).success;

function importScript(path: string, text: string, claims: Claims): Imported {
  const read = readReferenceScript(text);
  const { fields } = read;
  const notes: string[] = [];
  if (!read.header) notes.push('no metadata docstring, so the defaults of the reference app');
  else if (read.quote === "'''") notes.push('metadata docstring in \'\'\' rewritten with """');
  const slug = claimSlug(isNonEmptyString(fields.slug) ? fields.slug : stemOf(path), 'script', claims, notes);
  const now = claims.options.now;
  const id = claimId(fields.id, claims, notes);
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
const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

function importPost(path: string, text: string, modifiedAt: string, claims: Claims): Imported {
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
  const publishedAt =
    fields.publishedAt === null || fields.publishedAt === undefined ? null : fields.publishedAt;
  const candidate = {
    id: claimId(fields.id, claims, notes),
    title: pick(fields, 'title', isNonEmptyString, slug, notes),
    slug,
    status,
    tags: pick(fields, 'tags', isStringList, [], notes, true),
    categories: pick(fields, 'categories', isStringList, [], notes, true),
    body: read.value.body,
    createdAt,
    updatedAt: pick(fields, 'updatedAt', isIsoDate, createdAt, notes, fields.createdAt === undefined),
    publishedAt: isIsoDate(publishedAt) ? publishedAt : status === 'published' ? createdAt : null,
  };
  if (publishedAt !== null && !isIsoDate(publishedAt))
    notes.push(`publishedAt ${JSON.stringify(publishedAt)} is not valid`);
  const checked = postSchema.safeParse(candidate);
  if (!checked.success) return { left: `not a valid post: ${checked.error.issues[0]?.message ?? 'invalid'}` };
  const post = checked.data;
  // Keys Pymark does not know (excerpt, author…) stay in the front matter.
  const fileText = serializePostFile(post, read.value.header);
  return { item: { kind: 'post', from: path, path: `posts/${slug}.md`, text: fileText, post }, notes };
}
