import type { AbiMedia } from '../core/abi';
import { type Media, mediaPath, thumbnailPath, thumbnailSizes, thumbnailSizesFor } from '../core/media';

/**
 * The ABI's view of an image: its metadata and links, never its bytes. `link` turns a site path
 * (`media/2026/02/a.jpg`) into the URL it is shown at: under the site's base path in a build, and
 * in the preview one the preview frame answers from the app's store.
 */
export function toAbiMedia(item: Media, link: (sitePath: string) => string): AbiMedia {
  return {
    id: item.id,
    file_name: item.fileName,
    mime_type: item.mimeType,
    size: item.size,
    width: item.width,
    height: item.height,
    created_at: item.createdAt,
    title: item.title,
    alt: item.alt,
    caption: item.caption,
    linked_post_ids: [...item.linkedPostIds],
    url: link(mediaPath(item)),
    thumbnails: thumbnailSizesFor(item.width).map((size) => ({
      width: thumbnailSizes[size],
      url: link(thumbnailPath(item, size)),
    })),
  };
}

/** Newest first, as the gallery and the archive show them. */
export function newestFirst(media: readonly Media[]): Media[] {
  return [...media].sort(
    (a, b) => b.createdAt.localeCompare(a.createdAt) || a.fileName.localeCompare(b.fileName),
  );
}
