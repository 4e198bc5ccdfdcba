import { z } from 'zod';

/*
 * A media item: an image the blogger imported, kept as a blob beside this metadata. The bytes never
 * change after the import (a new image is a new item), so only the metadata is ever edited or synced
 * as text; the bytes are copied once.
 */

/** The raster types Pymark accepts; SVG is left out because it can carry script. */
export const imageMimeTypes = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
export type ImageMimeType = (typeof imageMimeTypes)[number];

const isoDate = z.iso.datetime({ offset: true });

/**
 * Safe on every file system and in a URL path segment without surprises: no folders, no leading dot
 * (side files and temporaries start with one), no characters Windows refuses.
 */
export const mediaFileNameSchema = z
  .string()
  .min(1, 'file name must not be empty')
  .max(200, 'file name must be at most 200 characters')
  .regex(
    /^[^./\\:*?"<>|\p{Cc}][^/\\:*?"<>|\p{Cc}]*$/u,
    'file name must not start with "." or contain / \\ : * ? " < > |',
  );

export const mediaSchema = z.object({
  id: z.uuid(),
  fileName: mediaFileNameSchema,
  mimeType: z.enum(imageMimeTypes),
  size: z.int().nonnegative(),
  width: z.int().positive(),
  height: z.int().positive(),
  /** When the photo was taken (EXIF DateTimeOriginal) if the file says so, else when the file was made. */
  createdAt: isoDate,
  updatedAt: isoDate,
  title: z.string(),
  alt: z.string(),
  caption: z.string(),
  /** Posts the image was inserted into; a gallery shows a post's linked images. */
  linkedPostIds: z.array(z.string().min(1)),
});

export type Media = z.infer<typeof mediaSchema>;

/** The parts a user edits in the media view. */
export const mediaEditSchema = mediaSchema.pick({ title: true, alt: true, caption: true }).partial().strict();
export type MediaEdit = z.infer<typeof mediaEditSchema>;

/** `2026/02` for an item created in February 2026 (UTC, so every machine files it alike). */
export function mediaMonthFolder(createdAt: string): string {
  const date = new Date(createdAt);
  return `${date.getUTCFullYear()}/${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Where the item lives, in a project folder and in the built site: `media/2026/02/beach.jpg`. */
export function mediaPath(item: Pick<Media, 'createdAt' | 'fileName'>): string {
  return `media/${mediaMonthFolder(item.createdAt)}/${item.fileName}`;
}

/**
 * The site path a post links the item by, `/media/2026/02/beach%20day.jpg`: each segment
 * percent-encoded, parentheses too, so no name can end a Markdown link early.
 */
export function mediaLink(item: Pick<Media, 'createdAt' | 'fileName'>): string {
  const segments = mediaPath(item)
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    );
  return `/${segments.join('/')}`;
}

/** The metadata file beside it: `media/2026/02/beach.jpg.yml`. */
export function sidecarPath(item: Pick<Media, 'createdAt' | 'fileName'>): string {
  return `${mediaPath(item)}.yml`;
}

/** Thumbnail widths, in CSS pixels; an image narrower than a size gets no thumbnail of that size. */
export const thumbnailSizes = { small: 320, medium: 640, large: 1280 } as const;
export type ThumbnailSize = keyof typeof thumbnailSizes;
export const thumbnailSizeNames = Object.keys(thumbnailSizes) as ThumbnailSize[];

/** Thumbnails are WebP: small, and every browser Pymark runs in shows them. */
export function thumbnailPath(item: Pick<Media, 'createdAt' | 'fileName'>, size: ThumbnailSize): string {
  return `thumbnails/${mediaMonthFolder(item.createdAt)}/${item.fileName}.${size}.webp`;
}

/** The sizes worth making for an image `width` pixels wide: scaling up adds bytes, not detail. */
export function thumbnailSizesFor(width: number): ThumbnailSize[] {
  return thumbnailSizeNames.filter((size) => thumbnailSizes[size] < width);
}

/** A file name made safe for `mediaFileNameSchema`, keeping what can be kept of the original. */
export function safeMediaFileName(original: string, extension: string): string {
  const base = original
    .replace(/\.[^.]*$/, '')
    .replace(/[/\\:*?"<>|\p{Cc}]+/gu, '-')
    .replace(/^[.\s-]+/, '')
    .trim()
    .slice(0, 150);
  return `${base || 'image'}.${extension}`;
}

/** The first of `name`, `name-2.ext`, `name-3.ext`… not in `taken`. */
export function uniqueFileName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  const dot = name.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 2; ; n++) {
    const candidate = `${stem}-${n}${extension}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * Makes a WebP copy of an image, `width` pixels wide: in the browser off the main thread
 * (createImageBitmap and OffscreenCanvas in a worker), in Node with sharp.
 */
export type ThumbnailMaker = (image: Uint8Array, width: number) => Promise<Uint8Array>;
