import type { ThumbnailMaker } from '../core/media';

/**
 * Thumbnails for `pymark build`, made with sharp (libvips, shipped prebuilt as npm packages): turned
 * upright by the EXIF orientation as browsers show the original, then scaled to `width` as WebP.
 * sharp loads on the first thumbnail: loading libvips costs a build without media a tenth of a second.
 */
export const sharpThumbnail: ThumbnailMaker = async (image, width) => {
  const { default: sharp } = await import('sharp');
  return new Uint8Array(await sharp(image).rotate().resize({ width }).webp({ quality: 80 }).toBuffer());
};
