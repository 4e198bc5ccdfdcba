import { inspectImage } from '../core/image-inspect';
import { type Media, type MediaEdit, mediaLink, mediaMonthFolder, type ThumbnailMaker } from '../core/media';
import { ensureThumbnails } from '../storage/browser-thumbnails';
import type { MediaStore, TrashedMedia } from '../storage/media-store';
import { describeError, StateHolder } from './state-holder';

export interface MediaState {
  /** Every item, newest first. */
  items: readonly Media[];
  trash: readonly TrashedMedia[];
  /** Matched against file name, title, alt text and caption, in any case. */
  query: string;
  /** `2026/02`, or null for every month. */
  month: string | null;
  selectedId: string | null;
  /** Object URLs to show each item by (its small thumbnail once made, else the image). */
  previews: ReadonlyMap<string, string>;
  importing: boolean;
  /** What the last import did, e.g. "Imported beach.jpg". */
  notice: string | null;
  recentlyDeleted: Media | null;
  problem: string | null;
}

export interface MediaLibraryDeps {
  store: MediaStore;
  /** The browser's decode check, off the main thread; rejects when it cannot decode the bytes. */
  checkDecodes: (bytes: Uint8Array) => Promise<void>;
  makeThumbnail: ThumbnailMaker;
}

/** The media view's state: the grid, its filters, the selected item's editor, imports and the trash. */
export class MediaLibrary extends StateHolder<MediaState> {
  private unsubscribe: (() => void) | undefined;
  /**
   * Each item's thumbnail making, once a session: started when the list first holds the item, so
   * items that came without thumbnails (a synced folder, a reference import, a lost cache entry)
   * get them too. They are made one item at a time, so a large library never holds many images in
   * memory at once.
   */
  readonly #thumbnailsMade = new Map<string, Promise<void>>();
  #thumbnailQueue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: MediaLibraryDeps) {
    super({
      items: [],
      trash: [],
      query: '',
      month: null,
      selectedId: null,
      previews: new Map(),
      importing: false,
      notice: null,
      recentlyDeleted: null,
      problem: null,
    });
  }

  async init(): Promise<void> {
    this.unsubscribe ??= this.deps.store.subscribe(() => void this.reload());
    await this.reload();
  }

  dispose(): void {
    this.unsubscribe?.();
    for (const url of this.state.previews.values()) URL.revokeObjectURL(url);
  }

  /** The items the grid shows under the current search and month. */
  visible(): Media[] {
    const query = this.state.query.trim().toLowerCase();
    return this.state.items.filter(
      (item) =>
        (this.state.month === null || mediaMonthFolder(item.createdAt) === this.state.month) &&
        (query === '' ||
          [item.fileName, item.title, item.alt, item.caption].some((text) =>
            text.toLowerCase().includes(query),
          )),
    );
  }

  /** The months that hold items, newest first, for the month filter. */
  months(): string[] {
    return [...new Set(this.state.items.map((item) => mediaMonthFolder(item.createdAt)))].sort().reverse();
  }

  setQuery(query: string): void {
    this.set({ query });
  }

  setMonth(month: string | null): void {
    this.set({ month });
  }

  select(id: string | null): void {
    this.set({ selectedId: id });
  }

  /**
   * Imports each file that is a whole image; the others are refused, each with the reason, and
   * nothing of theirs is stored. Thumbnails are made afterwards, off the main thread. Resolves with
   * the items imported.
   */
  async importFiles(files: readonly File[]): Promise<Media[]> {
    if (files.length === 0) return [];
    this.set({ importing: true, notice: null, problem: null });
    const imported: Media[] = [];
    const refused: string[] = [];
    for (const file of files) {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const inspection = inspectImage(bytes, file.name || 'The pasted file');
      if (!inspection.ok) {
        refused.push(inspection.reason);
        continue;
      }
      try {
        await this.deps.checkDecodes(bytes);
        imported.push(
          await this.deps.store.import({
            name: file.name || `pasted.${inspection.image.extension}`,
            bytes,
            lastModified: new Date(file.lastModified || Date.now()).toISOString(),
          }),
        );
      } catch (error) {
        refused.push(`${file.name || 'The pasted file'}: ${describeError(error)}`);
      }
    }
    const last = imported.at(-1);
    this.set({
      importing: false,
      notice: imported.length > 0 ? `Imported ${imported.map((item) => item.fileName).join(', ')}` : null,
      problem: refused.length > 0 ? `Not imported: ${refused.join('; ')}` : null,
      ...(last ? { selectedId: last.id } : {}),
    });
    await this.reload();
    await Promise.all(imported.map((item) => this.makeThumbnails(item)));
    return imported;
  }

  async edit(id: string, changes: MediaEdit): Promise<void> {
    await this.attempt('save the media details', async () => {
      await this.deps.store.edit(id, changes);
    });
  }

  async delete(id: string): Promise<void> {
    const item = this.state.items.find((candidate) => candidate.id === id);
    await this.attempt('delete the image', async () => {
      await this.deps.store.delete(id);
      this.set({
        recentlyDeleted: item ?? null,
        selectedId: this.state.selectedId === id ? null : this.state.selectedId,
      });
    });
  }

  async undoDelete(): Promise<void> {
    const item = this.state.recentlyDeleted;
    if (!item) return;
    await this.restoreFromTrash(item.id);
    this.set({ recentlyDeleted: null, selectedId: item.id });
  }

  dismissUndo(): void {
    this.set({ recentlyDeleted: null });
  }

  async restoreFromTrash(id: string): Promise<void> {
    await this.attempt('restore the image', async () => {
      await this.deps.store.restore(id);
    });
  }

  async purgeFromTrash(id: string): Promise<void> {
    await this.attempt('delete the image for good', () => this.deps.store.purge(id));
  }

  /** Links the item to the post and gives the Markdown that shows it, for the caller to insert. */
  async linkForInsert(id: string, postId: string): Promise<string | undefined> {
    let markdown: string | undefined;
    await this.attempt('link the image to the post', async () => {
      const item = await this.deps.store.linkToPost(id, postId);
      markdown = markdownImage(item);
    });
    return markdown;
  }

  private async reload(): Promise<void> {
    await this.attempt('list the media', async () => {
      const [items, trash] = await Promise.all([this.deps.store.list(), this.deps.store.listTrash()]);
      const previews = new Map(this.state.previews);
      const firstSeen = items.filter((item) => !previews.has(item.id));
      for (const [id, url] of previews) {
        if (items.some((item) => item.id === id)) continue;
        URL.revokeObjectURL(url);
        previews.delete(id);
      }
      for (const item of firstSeen) {
        const blob =
          (await this.deps.store.thumbnail(item.id, 'small')) ?? (await this.deps.store.blob(item.id));
        if (blob) previews.set(item.id, URL.createObjectURL(blob));
      }
      const selectedId = items.some((item) => item.id === this.state.selectedId)
        ? this.state.selectedId
        : null;
      this.set({ items, trash, previews, selectedId });
      for (const item of firstSeen) void this.makeThumbnails(item);
    });
  }

  /** Makes the item's missing thumbnails, after those of the items queued before it; once a session. */
  private makeThumbnails(item: Media): Promise<void> {
    let made = this.#thumbnailsMade.get(item.id);
    if (!made) {
      made = this.#thumbnailQueue.then(() =>
        this.attempt(`make thumbnails of ${item.fileName}`, async () => {
          await ensureThumbnails(this.deps.store, item, this.deps.makeThumbnail);
          await this.refreshPreview(item);
        }),
      );
      this.#thumbnailQueue = made;
      this.#thumbnailsMade.set(item.id, made);
    }
    return made;
  }

  private async refreshPreview(item: Media): Promise<void> {
    const blob = await this.deps.store.thumbnail(item.id, 'small');
    if (!blob) return;
    const previews = new Map(this.state.previews);
    const old = previews.get(item.id);
    if (old) URL.revokeObjectURL(old);
    previews.set(item.id, URL.createObjectURL(blob));
    this.set({ previews });
  }
}

/** `![alt](/media/2026/02/beach.jpg)`: the site path, which the preview shows from the app's store. */
export function markdownImage(item: Media): string {
  const alt = (item.alt || item.title || item.fileName).replace(/[[\]\\]/g, '\\$&');
  return `![${alt}](${mediaLink(item)})`;
}
