import type { AbiMedia, JsonValue, SiteSnapshot } from '../core/abi';
import type { Media } from '../core/media';
import type { Post } from '../core/post';
import type { PythonRuntime } from '../runtime/types';
import { toAbiMedia } from './media-data';
import { toAbiPost } from './post-renderer';
import { nameSiteData, type SiteVersions } from './site-versions';

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
 * `versions` names the data and each part of it, and a name changes only when its part did, so the
 * results of calls that read a part are reused until then: an autosave changes the post's body and
 * `updated_at`, and re-runs no call that read only tags and titles.
 */
export class SiteDataFeed {
  #versions: SiteVersions = { dataVersion: 'site-none' };
  /** The names of the data last sent to the runtime, drafts included. */
  #sent: string | undefined;
  /** Each part's last text and its name; a changed text gets the next number. */
  readonly #named = new Map<string, { text: string; name: string }>();
  #changes = 0;
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

  get versions(): SiteVersions {
    return this.#versions;
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
    const snapshot: SiteSnapshot = {
      // The body too: a utility or a reference-app macro (`post["content"]`) reads it.
      posts: posts.map((post) => ({ ...toAbiPost(post), body: post.body })),
      media: abiMedia,
      settings,
    };
    const name = (part: string, text: string) => this.#name(part, text);
    // Named over the published posts only: they are all a macro sees (python-site.ts sets the drafts
    // aside), so publishing or unpublishing a post changes the parts it is in.
    const versions = nameSiteData(
      { ...snapshot, posts: snapshot.posts.filter((post) => post.status === 'published') },
      name,
    );
    // The drafts too decide whether to send: a utility or a transform sees them.
    const drafts = snapshot.posts.filter((post) => post.status !== 'published');
    const sent = `${versions.dataVersion} ${name('drafts', JSON.stringify(drafts))}`;
    if (sent === this.#sent) return;
    this.#sent = sent;
    this.#versions = versions;
    this.#snapshot = snapshot;
    this.#media = abiMedia;
    this.runtime.setSiteData(snapshot);
  }

  #name(part: string, text: string): string {
    const named = this.#named.get(part);
    if (named?.text === text) return named.name;
    const name = `${part}@${++this.#changes}`;
    this.#named.set(part, { text, name });
    return name;
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
