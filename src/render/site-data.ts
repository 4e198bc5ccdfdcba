import type { AbiMedia, JsonValue, SiteSnapshot } from '../core/abi';
import type { Media } from '../core/media';
import type { Post } from '../core/post';
import type { PythonRuntime } from '../runtime/types';
import { toAbiMedia } from './media-data';
import { toAbiPost } from './post-renderer';

/** The site settings scripts read as `site.settings`; none until the app has site settings to offer. */
export type SiteSettingsSource = () => Promise<Record<string, JsonValue>>;

const noSettings: SiteSettingsSource = async () => ({});

/**
 * The preview links images at their site paths (`/media/2026/02/a.jpg`), as a post's Markdown does;
 * the app swaps them for the store's bytes before the preview frame shows them (ui/preview-media.ts).
 */
export const previewMediaPrefix = '/';

/**
 * Keeps the worker's `pymark.site` data in step with the project's posts, media and settings: one
 * update per change, never a callback per macro call (the runtime sends the worker only what changed).
 * `version` names the data and changes only when the data did, so results of calls that read it are
 * reused until then; `versionWithoutBodies` changes only when something but a post's body did.
 */
export class SiteDataFeed {
  #version = 0;
  #versionWithoutBodies = 0;
  #lastWithoutBodies: string | undefined;
  #lastBodies: string | undefined;
  #snapshot: SiteSnapshot | undefined;
  #media: AbiMedia[] = [];
  #running: Promise<void> | undefined;
  #followUp: Promise<void> | undefined;

  constructor(
    private readonly listPosts: () => Promise<Post[]>,
    private readonly runtime: Pick<PythonRuntime, 'setSiteData'>,
    private readonly sources: {
      settings?: SiteSettingsSource;
      /** The project's images, newest first; without it the site data lists none. */
      media?: () => Promise<Media[]>;
    } = {},
  ) {}

  /** The images of the last snapshot, for the renderer to give each post its linked ones. */
  get media(): readonly AbiMedia[] {
    return this.#media;
  }

  get version(): string {
    return `site-${this.#version}`;
  }

  get versionWithoutBodies(): string {
    return `site-without-bodies-${this.#versionWithoutBodies}`;
  }

  /**
   * Reads the project again and sends what changed. Calls made while one runs share a single
   * follow-up, so a burst of changes (an import of 500 posts is 500 change events) lists the posts a
   * few times, not once per change; each call still settles only after a read that began after it.
   */
  refresh(): Promise<void> {
    if (!this.#running) {
      this.#running = this.#read().finally(() => {
        this.#running = undefined;
      });
      return this.#running;
    }
    this.#followUp ??= this.#running
      .catch(() => {})
      .then(() => {
        this.#followUp = undefined;
        return this.refresh();
      });
    return this.#followUp;
  }

  async #read(): Promise<void> {
    const [posts, settings, media] = await Promise.all([
      this.listPosts(),
      (this.sources.settings ?? noSettings)(),
      this.sources.media?.() ?? [],
    ]);
    const abiMedia = media.map((item) =>
      toAbiMedia(item, (path) => previewMediaPrefix + path.split('/').map(encodeURIComponent).join('/')),
    );
    const abiPosts = posts.map(toAbiPost);
    const withoutBodies = JSON.stringify([abiPosts, abiMedia, settings]);
    const bodies = JSON.stringify(posts.map((post) => post.body));
    if (withoutBodies === this.#lastWithoutBodies && bodies === this.#lastBodies) return;
    if (withoutBodies !== this.#lastWithoutBodies) this.#versionWithoutBodies++;
    this.#lastWithoutBodies = withoutBodies;
    this.#lastBodies = bodies;
    const snapshot: SiteSnapshot = {
      // The body too: a utility or a reference-app macro (`post["content"]`) reads it.
      posts: abiPosts.map((post, index) => ({ ...post, body: posts[index]!.body })),
      media: abiMedia,
      settings,
    };
    this.#snapshot = snapshot;
    this.#version++;
    this.#media = abiMedia;
    this.runtime.setSiteData(snapshot);
  }

  /**
   * Hands the runtime this feed's data again, after something else gave it other data (a site
   * build gives it the site's). `refresh` would not: its data did not change, so it sends nothing.
   * Nor is there anything to read again: a change meanwhile has refreshed it.
   */
  restore(): void {
    if (this.#snapshot) this.runtime.setSiteData(this.#snapshot);
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
