import type { Post } from '../core/post';
import type { PythonRuntime } from '../runtime/types';
import { toAbiPost } from './post-renderer';

/**
 * Keeps the worker's `pymark.site` snapshot in step with the project's posts: one snapshot per
 * change, never a callback per macro call. `version` names the snapshot, so rendered output that
 * read older data is not reused.
 */
export class SiteDataFeed {
  #version = 0;

  constructor(
    private readonly listPosts: () => Promise<Post[]>,
    private readonly runtime: Pick<PythonRuntime, 'setSiteData'>,
  ) {}

  get version(): string {
    return `site-${this.#version}`;
  }

  async refresh(): Promise<void> {
    const posts = await this.listPosts();
    this.#version++;
    this.runtime.setSiteData({ posts: posts.map(toAbiPost) });
  }
}
