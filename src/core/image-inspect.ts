import type { ImageMimeType } from './media';

/*
 * Reads what an imported file is from its bytes, never from its name or the MIME type the browser
 * guessed: a renamed text file or a truncated download must be refused before it is stored. Each
 * format's structure is walked to its end marker, so a file cut short is caught even where a
 * decoder would show half an image. The browser decodes the image as well (createImageBitmap) when it
 * makes the thumbnails; this check is the one that runs everywhere, Node included.
 */

export interface ImageFacts {
  mimeType: ImageMimeType;
  extension: string;
  width: number;
  height: number;
  /** EXIF DateTimeOriginal as ISO (the camera's clock, read as UTC: EXIF names no zone). */
  takenAt?: string;
}

export type ImageInspection = { ok: true; image: ImageFacts } | { ok: false; reason: string };

const refuse = (reason: string): ImageInspection => ({ ok: false, reason });

/** Inspects `bytes`; `fileName` only serves the message. */
export function inspectImage(bytes: Uint8Array, fileName: string): ImageInspection {
  const named = (reason: string) => refuse(`${fileName} ${reason}`);
  if (bytes.length === 0) return named('is empty');
  const checked = startsWith(bytes, [0xff, 0xd8, 0xff])
    ? inspectJpeg(bytes)
    : startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
      ? inspectPng(bytes)
      : ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a'
        ? inspectGif(bytes)
        : ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP'
          ? inspectWebp(bytes)
          : undefined;
  if (checked === undefined) return named('is not an image Pymark can use (JPEG, PNG, GIF or WebP)');
  if (!checked.ok) return named(checked.reason);
  return checked;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function sized(image: Omit<ImageFacts, 'takenAt'>, takenAt?: string): ImageInspection {
  if (image.width < 1 || image.height < 1) return refuse(`has no pixels (${image.width}×${image.height})`);
  return { ok: true, image: takenAt === undefined ? image : { ...image, takenAt } };
}

// Start-of-frame markers carry the size; C4 (Huffman tables), C8 and CC (reserved, arithmetic
// coding tables) share the range but are not frames.
const isStartOfFrame = (marker: number) =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function inspectJpeg(bytes: Uint8Array): ImageInspection {
  const data = view(bytes);
  let at = 2;
  let size: { width: number; height: number } | undefined;
  let takenAt: string | undefined;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return refuse(`is a damaged JPEG: no segment marker at byte ${at}`);
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    const length = data.getUint16(at + 2);
    const end = at + 2 + length;
    if (length < 2 || end > bytes.length) return refuse('is a truncated JPEG: a segment runs past the end');
    if (isStartOfFrame(marker) && length >= 7) {
      size = { height: data.getUint16(at + 5), width: data.getUint16(at + 7) };
    } else if (marker === 0xe1 && ascii(bytes, at + 4, 6) === 'Exif\0\0') {
      takenAt ??= exifDateTaken(bytes.subarray(at + 10, end));
    } else if (marker === 0xda) {
      // Entropy-coded data follows the scan header up to the end-of-image marker, which a complete
      // file ends with (some cameras pad a few bytes after it).
      if (size === undefined) return refuse('is a damaged JPEG: image data before its size');
      const tail = bytes.subarray(Math.max(end, bytes.length - 64));
      const hasEnd = tail.some((byte, index) => byte === 0xff && tail[index + 1] === 0xd9);
      if (!hasEnd) return refuse('is a truncated JPEG: it ends before the end-of-image marker');
      return sized({ mimeType: 'image/jpeg', extension: 'jpg', ...size }, takenAt);
    }
    at = end;
  }
  return refuse('is a truncated JPEG: it ends before its image data');
}

/** DateTimeOriginal (tag 0x9003 in the Exif IFD) from a TIFF block, as ISO; undefined if absent or odd. */
export function exifDateTaken(tiff: Uint8Array): string | undefined {
  if (tiff.length < 8) return undefined;
  const order = ascii(tiff, 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const little = order === 'II';
  const data = view(tiff);
  const u16 = (at: number) => (at + 2 <= tiff.length ? data.getUint16(at, little) : undefined);
  const u32 = (at: number) => (at + 4 <= tiff.length ? data.getUint32(at, little) : undefined);
  /** The entry for `tag` in the IFD at `ifd`: [type, count, value or offset]. */
  const entry = (ifd: number, tag: number): [number, number, number] | undefined => {
    const count = u16(ifd);
    if (count === undefined) return undefined;
    for (let index = 0; index < count; index++) {
      const at = ifd + 2 + index * 12;
      if (u16(at) !== tag) continue;
      const type = u16(at + 2);
      const values = u32(at + 4);
      const value = u32(at + 8);
      return type === undefined || values === undefined || value === undefined
        ? undefined
        : [type, values, value];
    }
    return undefined;
  };
  const ifd0 = u32(4);
  if (ifd0 === undefined) return undefined;
  const exifIfd = entry(ifd0, 0x8769)?.[2];
  if (exifIfd === undefined) return undefined;
  const taken = entry(exifIfd, 0x9003);
  // ASCII (type 2), "YYYY:MM:DD HH:MM:SS\0": 20 bytes, so stored at an offset.
  if (taken === undefined || taken[0] !== 2 || taken[1] < 19 || taken[2] + 19 > tiff.length) return undefined;
  const match = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(ascii(tiff, taken[2], 19));
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  // A camera with an unset clock writes zeros; Date would roll them into another day.
  if (date.getUTCMonth() !== month! - 1 || date.getUTCDate() !== day! || year! < 1900) return undefined;
  return date.toISOString();
}

function inspectPng(bytes: Uint8Array): ImageInspection {
  const data = view(bytes);
  let at = 8;
  let size: { width: number; height: number } | undefined;
  while (at + 12 <= bytes.length) {
    const length = data.getUint32(at);
    const type = ascii(bytes, at + 4, 4);
    const end = at + 12 + length;
    if (end > bytes.length) return refuse(`is a truncated PNG: its ${type} chunk runs past the end`);
    if (type === 'IHDR') size = { width: data.getUint32(at + 8), height: data.getUint32(at + 12) };
    else if (size === undefined) return refuse('is a damaged PNG: it does not start with its header chunk');
    if (type === 'IEND') return sized({ mimeType: 'image/png', extension: 'png', ...size });
    at = end;
  }
  return refuse('is a truncated PNG: it ends before its end chunk');
}

function inspectGif(bytes: Uint8Array): ImageInspection {
  if (bytes.length < 13) return refuse('is a truncated GIF: it ends inside its header');
  const data = view(bytes);
  // The trailer byte 0x3B ends every complete GIF.
  if (bytes[bytes.length - 1] !== 0x3b) return refuse('is a truncated GIF: it ends before its trailer');
  return sized({
    mimeType: 'image/gif',
    extension: 'gif',
    width: data.getUint16(6, true),
    height: data.getUint16(8, true),
  });
}

function inspectWebp(bytes: Uint8Array): ImageInspection {
  const data = view(bytes);
  const riffEnd = 8 + data.getUint32(4, true);
  if (riffEnd > bytes.length) return refuse('is a truncated WebP: shorter than its header says');
  if (bytes.length < 30) return refuse('is a truncated WebP: it ends inside its first chunk');
  const chunk = ascii(bytes, 12, 4);
  const base = { mimeType: 'image/webp', extension: 'webp' } as const;
  if (chunk === 'VP8X') {
    const u24 = (at: number) => bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16);
    return sized({ ...base, width: u24(24) + 1, height: u24(27) + 1 });
  }
  if (chunk === 'VP8L') {
    const bits = data.getUint32(21, true);
    return sized({ ...base, width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 });
  }
  if (chunk === 'VP8 ') {
    return sized({
      ...base,
      width: data.getUint16(26, true) & 0x3fff,
      height: data.getUint16(28, true) & 0x3fff,
    });
  }
  return refuse(`is a damaged WebP: unknown first chunk ${JSON.stringify(chunk)}`);
}
