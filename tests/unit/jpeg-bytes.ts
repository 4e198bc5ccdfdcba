/** Hand-built image files for tests: every byte is known, so each structural check can be hit. */

/** A JPEG's segments in order, with an EXIF block whose DateTimeOriginal is `taken` when given. */
export function jpegBytes(width: number, height: number, taken?: string): Uint8Array {
  const segment = (marker: number, payload: number[]) => [
    0xff,
    marker,
    ...u16(payload.length + 2),
    ...payload,
  ];
  const exif = taken === undefined ? [] : segment(0xe1, [...asciiBytes('Exif\0\0'), ...exifTiff(taken)]);
  const frame = segment(0xc0, [8, ...u16(height), ...u16(width), 1, 1, 0x11, 0]);
  const scan = segment(0xda, [1, 1, 0, 0, 63, 0]);
  return new Uint8Array([0xff, 0xd8, ...exif, ...frame, ...scan, 0x12, 0x34, 0x56, 0xff, 0xd9]);
}

function u16(value: number): number[] {
  return [value >> 8, value & 0xff];
}

function asciiBytes(text: string): number[] {
  return [...text].map((char) => char.charCodeAt(0));
}

/** Big-endian TIFF: IFD0 with one entry pointing at the Exif IFD, which holds DateTimeOriginal. */
function exifTiff(taken: string): number[] {
  const u32 = (value: number) => [value >>> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
  const entry = (tag: number, type: number, count: number, value: number) => [
    ...u16(tag),
    ...u16(type),
    ...u32(count),
    ...u32(value),
  ];
  const ifd0 = 8;
  const exifIfd = ifd0 + 2 + 12 + 4;
  const dateAt = exifIfd + 2 + 12 + 4;
  return [
    ...asciiBytes('MM'),
    0,
    42,
    ...u32(ifd0),
    ...u16(1),
    ...entry(0x8769, 4, 1, exifIfd),
    ...u32(0),
    ...u16(1),
    ...entry(0x9003, 2, 20, dateAt),
    ...u32(0),
    ...asciiBytes(`${taken}\0`),
  ];
}
