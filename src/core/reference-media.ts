import { z } from 'zod';
import { readFrontMatter } from './front-matter';
import { inspectImage } from './image-inspect';
import {
  type Media,
  mediaLink,
  mediaMonthFolder,
  mediaPath,
  mediaSchema,
  safeMediaFileName,
  uniqueFileName,
} from './media';
import { sidecarFence } from './media-file';
import { claimId, isIsoDate, isStringList, pick } from './reference-fields';

/*
 * A reference desktop app project's media (REFERENCE.md §2) as items of Pymark's library. That app
 * links an image as `/media/<yyyy>/<mm>/<file>`, the month being the item's createdAt in local time,
 * and keeps its metadata (title, alt, caption, createdAt, linkedPostIds…) in a sidecar beside it.
 * REFERENCE.md does not pin the sidecar's file down, so `<file>.json`, `<file>.yml` and
 * `<file>.yaml` are read, YAML with or without `---` fences; an image without one is taken with
 * empty texts and no linked posts.
 *
 * Nothing is taken on trust: the type, size and pixels come from the bytes (image-inspect.ts), the
 * file name is made safe and unique in its Pymark month, and the place the item lands is Pymark's
 * own `media/<yyyy>/<mm>/` of createdAt in UTC, never a path built from the source's folders. Where
 * an item lands elsewhere than the reference app had it, posts' links to it are rewritten.
 */

/** The largest image taken; above it the file is not read at all. A phone photo is some 5 MiB. */
export const maxReferenceImageBytes = 50 * 1024 * 1024;

const sidecarExtensions = ['.json', '.yml', '.yaml'] as const;

/** A sidecar under `media/`: read as text, and taken with its image. */
export function isMediaSidecar(path: string): boolean {
  return path.startsWith('media/') && sidecarExtensions.some((extension) => path.endsWith(extension));
}

/** A file under `media/` that is not a sidecar: read as bytes, and taken if it is an image Pymark can use. */
export function isMediaImage(path: string): boolean {
  return path.startsWith('media/') && !isMediaSidecar(path);
}

/** The image a sidecar belongs to: `media/2026/02/cat.jpg.json` → `media/2026/02/cat.jpg`. */
export function imageOfSidecar(path: string): string {
  return path.slice(0, path.lastIndexOf('.'));
}

export interface MediaClaims {
  /** Ids held in the project or by items imported before; claimed ids are added. */
  ids: Set<string>;
  /**
   * `media/<yyyy>/<mm>/<file>` held in the project (live or trashed items, files and sidecars in its
   * folder) and by items imported before.
   */
  paths: Set<string>;
  newId: () => string;
}

export interface ReferenceImage {
  path: string;
  modifiedAt: string;
  bytes?: Uint8Array;
  size?: number;
}

export interface ReferenceSidecar {
  path: string;
  text?: string;
}

export type ImportedImage =
  | {
      media: Media;
      bytes: Uint8Array;
      notes: string[];
      /** Why its sidecar was not read, when it has one that was not. */
      sidecarLeft?: string;
    }
  | { left: string };

export function importImage(
  image: ReferenceImage,
  sidecar: ReferenceSidecar | undefined,
  claims: MediaClaims,
): ImportedImage {
  if (image.size !== undefined && image.size > maxReferenceImageBytes)
    return { left: `larger than 50 MiB (${image.size} bytes)` };
  if (image.bytes === undefined) return { left: 'could not be read' };
  // The report names the file already: its reason reads "is not an image…", not "cat.jpg is not…".
  const inspection = inspectImage(image.bytes, 'it');
  if (!inspection.ok) return { left: inspection.reason.replace(/^it /, '') };
  const facts = inspection.image;
  const notes: string[] = [];
  let fields: Record<string, unknown> | undefined;
  let sidecarLeft: string | undefined;
  if (sidecar === undefined) {
    notes.push('no sidecar (.json, .yml or .yaml) beside it, so no title, alt text, caption or linked posts');
  } else {
    const read = readSidecar(sidecar);
    if ('problem' in read) {
      sidecarLeft = read.problem;
      notes.push(`its sidecar ${sidecar.path} is left, so no title, alt text, caption or linked posts`);
    } else fields = read.fields;
  }
  // An image without metadata has no id to keep: its new one is no news.
  const id = claimId(fields?.id, claims.ids, claims.newId, fields === undefined ? [] : notes);
  fields ??= {};
  const createdAt = pick(fields, 'createdAt', isIsoDate, facts.takenAt ?? image.modifiedAt, notes, true);
  const name = image.path.slice(image.path.lastIndexOf('/') + 1);
  const safeName = safeMediaFileName(name, facts.extension);
  if (safeName !== name) notes.push(`file name ${JSON.stringify(name)} became ${safeName}`);
  const month = mediaMonthFolder(createdAt);
  const folder = `media/${month}/`;
  // A sidecar without its image holds the image's name too: the new sidecar would replace it.
  const namesInMonth = new Set(
    [...claims.paths]
      .filter((path) => path.startsWith(folder))
      .map((path) => path.slice(folder.length).replace(/\.yml$/, '')),
  );
  const fileName = uniqueFileName(safeName, namesInMonth);
  if (fileName !== safeName) notes.push(`${folder}${safeName} is taken, so it is ${fileName}`);
  const candidate = {
    id,
    fileName,
    mimeType: facts.mimeType,
    size: image.bytes.length,
    width: facts.width,
    height: facts.height,
    createdAt,
    updatedAt: pick(fields, 'updatedAt', isIsoDate, createdAt, notes, true),
    title: pick(fields, 'title', isText, '', notes, true),
    alt: pick(fields, 'alt', isText, '', notes, true),
    caption: pick(fields, 'caption', isText, '', notes, true),
    linkedPostIds: pick(fields, 'linkedPostIds', isIdList, [], notes, true),
  } satisfies Media;
  const checked = mediaSchema.safeParse(candidate);
  if (!checked.success) return { left: `not a valid media item: ${checked.error.issues[0]?.message}` };
  const media = checked.data;
  claims.paths.add(mediaPath(media));
  if (mediaMonthFolder(media.createdAt) !== referenceMonth(image.path))
    notes.push(`filed under ${folder}, the month of its createdAt in UTC`);
  return { media, bytes: image.bytes, notes, ...(sidecarLeft === undefined ? {} : { sidecarLeft }) };
}

const isText = (value: unknown): value is string => typeof value === 'string';
const isIdList = (value: unknown): value is string[] =>
  isStringList(value) && value.every((id) => id.trim() !== '');

/** `2026/02` of `media/2026/02/cat.jpg`; undefined for a file outside a month folder. */
function referenceMonth(path: string): string | undefined {
  return /^media\/(\d{4}\/\d{2})\/[^/]+$/.exec(path)?.[1];
}

const sidecarData = z.record(z.string(), z.unknown());

/** The sidecar's fields: JSON, or one YAML document with or without its `---` and `...`/`---` lines. */
function readSidecar(sidecar: ReferenceSidecar): { fields: Record<string, unknown> } | { problem: string } {
  if (sidecar.text === undefined) return { problem: 'could not be read as text' };
  if (sidecar.path.endsWith('.json')) {
    try {
      const parsed = sidecarData.safeParse(JSON.parse(sidecar.text));
      return parsed.success ? { fields: parsed.data } : { problem: 'not a JSON object' };
    } catch (error) {
      return { problem: `not JSON: ${(error as Error).message}` };
    }
  }
  // The shared front-matter reader bounds the YAML (size, keys, aliases); it wants the fences.
  const lines = sidecar.text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() === '---') lines.shift();
  while (lines.length > 0 && lines.at(-1)?.trim() === '') lines.pop();
  if (lines.at(-1)?.trim() === '...' || lines.at(-1)?.trim() === '---') lines.pop();
  const read = readFrontMatter(['---', ...lines, '...', ''].join('\n'), sidecarFence, sidecarData);
  if (!read.ok) return { problem: read.problem.reason };
  if (read.value.body.trim() !== '') return { problem: 'more than one YAML document' };
  return { fields: read.value.fields };
}

/** The reference app's link to an image, decoded (`media/2026/02/my cat.jpg`), and where it is now. */
export type MovedMedia = ReadonlyMap<string, Pick<Media, 'createdAt' | 'fileName'>>;

const mediaLinkPattern = /\/media\/\d{4}\/\d{2}\/[^\s"'()<>[\]]+/g;

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * `body` with its links to moved images (`/media/<yyyy>/<mm>/<file>`, however percent-encoded, in
 * Markdown, HTML or a macro's parameters) pointing where the images are now; notes each one.
 */
export function rewriteMediaLinks(body: string, moved: MovedMedia): { body: string; notes: string[] } {
  const notes = new Set<string>();
  const rewritten = body.replace(mediaLinkPattern, (link) => {
    const item = moved.get(decoded(link.slice(1)));
    if (item === undefined) return link;
    const now = mediaLink(item);
    notes.add(`link ${link} now ${now}`);
    return now;
  });
  return { body: rewritten, notes: [...notes] };
}
