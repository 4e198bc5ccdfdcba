import type { AbiMedia } from '../core/abi';
import type { Media } from '../core/media';
import type { Post } from '../core/post';
import type { PythonRuntime } from '../runtime/types';
import { toAbiMedia } from './media-data';
import { toAbiPost } from './post-renderer';

/**
 * The preview links images at their site paths (`/media/2026/02/a.jpg`), as a post's Markdown does;
 * the app swaps them for the store's bytes before the preview frame shows them (ui/preview-media.ts).
 */
export const previewMediaPrefix = '/';

/**
 * Keeps the worker's `pymark.site` snapshot in step with the project's posts: one snapshot per
 * change, never a callback per macro call. `version` names the snapshot, so rendered output that
 * read older data is not reused.
 */
export class SiteDataFeed {
  #version = 0;
  #media: AbiMedia[] = [];

  constructor(
    private readonly listPosts: () => Promise<Post[]>,
    private readonly runtime: Pick<PythonRuntime, 'setSiteData'>,
    /** The project's images, newest first; without it the site data lists none. */
    private readonly listMedia?: () => Promise<Media[]>,
  ) {}

  /** The images of the last snapshot, for the renderer to give each post its linked ones. */
  get media(): readonly AbiMedia[] {
    return this.#media;
  }

  get version(): string {
    return `site-${this.#version}`;
  }

  async refresh(): Promise<void> {
    const [posts, media] = await Promise.all([this.listPosts(), this.listMedia?.() ?? []]);
    this.#version++;
    this.#media = media.map((item) =>
      toAbiMedia(item, (path) => previewMediaPrefix + path.split('/').map(encodeURIComponent).join('/')),
    );
    this.runtime.setSiteData({ posts: posts.map(toAbiPost), media: this.#media });
  }
}
