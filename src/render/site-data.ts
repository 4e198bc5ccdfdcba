import type { JsonValue } from '../core/abi';
import type { Post } from '../core/post';
import type { PythonRuntime } from '../runtime/types';
import { toAbiPost } from './post-renderer';

/** The site settings scripts read as `site.settings`; none until the app has site settings to offer. */
export type SiteSettingsSource = () => Promise<Record<string, JsonValue>>;

const noSettings: SiteSettingsSource = async () => ({});

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
    private readonly listSettings: SiteSettingsSource = noSettings,
  ) {}

  get version(): string {
    return `site-${this.#version}`;
  }

  async refresh(): Promise<void> {
    const [posts, settings] = await Promise.all([this.listPosts(), this.listSettings()]);
    this.#version++;
    this.runtime.setSiteData({
      // The body too: a utility or a reference-app macro (`post["content"]`) reads it.
      posts: posts.map((post) => ({ ...toAbiPost(post), body: post.body })),
      media: [],
      settings,
    });
  }
}
