import type { AbiMedia } from '../core/abi';
import {
  mediaPath,
  type ThumbnailMaker,
  thumbnailPath,
  thumbnailSizes,
  thumbnailSizesFor,
} from '../core/media';
import { toAbiMedia } from '../render/media-data';
import { hashBytes } from '../storage/folder/content-hash';
import type { BuildProblem } from './project';
import type { SiteMedia } from './project-media';
import type { SiteUrls } from './site-urls';

/**
 * Publishes the project's images: each as it is at `media/<yyyy>/<mm>/<file>`, and its thumbnails at
 * `thumbnails/<yyyy>/<mm>/<file>.<size>.webp`. Thumbnails are kept by the image's content hash for the
 * builder's life (watch mode, the app), so a rebuild makes only those of new images; the site writer
 * then writes only the files whose bytes changed. Without a thumbnail maker no thumbnails are made,
 * and the site data lists none, so no page links to a missing file.
 */
export class MediaPublisher {
  readonly #thumbnails = new Map<string, Uint8Array>();

  constructor(private readonly makeThumbnail?: ThumbnailMaker) {}

  /** What `pymark.site` and each post's context list, with links under the site's base path. */
  describe(media: readonly SiteMedia[], urls: SiteUrls): AbiMedia[] {
    return media.map(({ media: item }) => {
      const described = toAbiMedia(item, (path) => urls.file(path).url);
      return this.makeThumbnail ? described : { ...described, thumbnails: [] };
    });
  }

  /** Every file to publish; a thumbnail that cannot be made is a problem at its image. */
  async files(media: readonly SiteMedia[], problems: BuildProblem[]): Promise<Map<string, Uint8Array>> {
    const files = new Map<string, Uint8Array>();
    const used = new Set<string>();
    for (const { media: item, bytes } of media) {
      files.set(mediaPath(item), bytes);
      if (!this.makeThumbnail) continue;
      const hash = await hashBytes(bytes);
      for (const size of thumbnailSizesFor(item.width)) {
        const key = `${hash}:${thumbnailSizes[size]}`;
        used.add(key);
        let thumbnail = this.#thumbnails.get(key);
        if (thumbnail === undefined) {
          try {
            thumbnail = await this.makeThumbnail(bytes, thumbnailSizes[size]);
          } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            problems.push({ file: mediaPath(item), message: `cannot make its ${size} thumbnail: ${reason}` });
            continue;
          }
          this.#thumbnails.set(key, thumbnail);
        }
        files.set(thumbnailPath(item, size), thumbnail);
      }
    }
    // Thumbnails of images gone from the project are dropped, so a long watch session stays small.
    for (const key of this.#thumbnails.keys()) if (!used.has(key)) this.#thumbnails.delete(key);
    return files;
  }

  /** How many thumbnails were made since the builder started, for tests and reports. */
  get cached(): number {
    return this.#thumbnails.size;
  }
}
