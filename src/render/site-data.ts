import type { JsonValue } from '../core/abi';
import type { Post } from '../core/post';
import type { PythonRuntime } from '../runtime/types';
import { toAbiPost } from './post-renderer';

/** The site settings scripts read as `site.settings`; none until the app has site settings to offer. */
export type SiteSettingsSource = () => Promise<Record<string, JsonValue>>;

const noSettings: SiteSettingsSource = async () => ({});

/**
 * Keeps the worker's `pymark.site` data in step with the project's posts: one update per change,
 * never a callback per macro call (the runtime sends the worker only what changed). `version` names
 * the data and changes only when the data did, so results of calls that read it are reused until then.
 */
export class SiteDataFeed {
  #version = 0;
  #last: string | undefined;

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
    const snapshot = {
      // The body too: a utility or a reference-app macro (`post["content"]`) reads it.
      posts: posts.map((post) => ({ ...toAbiPost(post), body: post.body })),
      media: [],
      settings,
    };
    const text = JSON.stringify(snapshot);
    if (text === this.#last) return;
    this.#last = text;
    this.#version++;
    this.runtime.setSiteData(snapshot);
  }
}

/**
 * A store's items held in memory, e.g. the scripts a preview resolves macros against: listed once,
 * and again only after the store said they changed, not once per preview.
 */
export class HeldList<T> {
  #items: Promise<T[]> | undefined;

  constructor(private readonly list: () => Promise<T[]>) {}

  /** Call from the store's change events. */
  changed(): void {
    this.#items = undefined;
  }

  current(): Promise<T[]> {
    this.#items ??= this.list().catch((error: unknown) => {
      this.#items = undefined;
      throw error;
    });
    return this.#items;
  }
}
