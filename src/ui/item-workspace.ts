import type { SlugItem, Trashed } from '../storage/item-store';
import { StateHolder } from './state-holder';

/** What every item view shows of its list: scripts and posts alike. */
export interface ItemWorkspaceState<T extends SlugItem> {
  /** By title, then slug. */
  items: readonly T[];
  selectedId: string | null;
  /** The last deleted item, offered for undo until the next delete or dismissal. */
  recentlyDeleted: T | null;
  /** Deleted items, most recent first: each can be restored or deleted for good. */
  trash: readonly Trashed<T>[];
  /** A failed save, load or delete, shown to the user; never swallowed. */
  problem: string | null;
}

/** The part of a script or post store the list, trash and rename work through. */
export interface ItemListStore<T extends SlugItem> {
  list(): Promise<T[]>;
  listTrash(): Promise<Trashed<T>[]>;
  rename(id: string, title: string): Promise<T>;
  delete(id: string): Promise<void>;
  restore(id: string): Promise<T>;
  purge(id: string): Promise<void>;
}

/**
 * The one implementation of an item list with rename, delete, undo, trash, restore and purge, shared
 * by the scripts and the posts workspace. A subclass says what opening an item means (`select`), how
 * the open item's pending edits are written (`flushOpen`) and what closing it clears (`closeOpen`).
 */
export abstract class ItemWorkspace<
  T extends SlugItem,
  S extends ItemWorkspaceState<T>,
> extends StateHolder<S> {
  #listRequests = 0;
  #openRequests = 0;

  protected constructor(
    initial: S,
    private readonly items: ItemListStore<T>,
    /** How messages name one item: "script", "post". */
    private readonly noun: string,
  ) {
    super(initial);
  }

  abstract select(id: string): Promise<void>;
  /** Writes the open item's pending edits, before it is renamed or deleted. */
  protected abstract flushOpen(): Promise<void>;
  /** Shows nothing open: the open item was deleted and no other is left. */
  protected abstract closeOpen(): void;
  /** Called after a delete reached the store, e.g. to stop the deleted script's run. */
  protected onDeleted(_id: string): void {}
  /** Called after a rename reached the store; `before` is the item as the list showed it. */
  protected onRenamed(_before: T | undefined, _after: T): void {}

  get selected(): T | undefined {
    return this.state.items.find((item) => item.id === this.state.selectedId);
  }

  async rename(id: string, title: string): Promise<void> {
    await this.attempt(`rename the ${this.noun}`, async () => {
      if (id === this.state.selectedId) await this.flushOpen();
      const before = this.state.items.find((item) => item.id === id);
      const renamed = await this.items.rename(id, title);
      this.replaceItem(renamed);
      this.onRenamed(before, renamed);
    });
  }

  async delete(id: string): Promise<void> {
    const item = this.state.items.find((candidate) => candidate.id === id);
    if (!item) return;
    await this.attempt(`delete “${item.title}”`, async () => {
      if (id === this.state.selectedId) await this.flushOpen();
      await this.items.delete(id);
      this.onDeleted(id);
      const items = this.state.items.filter((candidate) => candidate.id !== id);
      this.setListState({ items, recentlyDeleted: item });
      await this.refreshTrash();
      if (id === this.state.selectedId) {
        const next = items[0];
        if (next) await this.select(next.id);
        else {
          this.setListState({ selectedId: null });
          this.closeOpen();
        }
      }
    });
  }

  async undoDelete(): Promise<void> {
    const item = this.state.recentlyDeleted;
    if (item) await this.restoreFromTrash(item.id);
  }

  dismissUndo(): void {
    this.setListState({ recentlyDeleted: null });
  }

  /** Brings a deleted item back (a script with its unsaved draft) and opens it. */
  async restoreFromTrash(id: string): Promise<void> {
    const title = this.state.trash.find((item) => item.id === id)?.title ?? `the ${this.noun}`;
    await this.attempt(`restore “${title}”`, async () => {
      const restored = await this.items.restore(id);
      if (this.state.recentlyDeleted?.id === id) this.dismissUndo();
      await this.refreshItems();
      await this.refreshTrash();
      await this.select(restored.id);
    });
  }

  /** Deletes an item in the trash for good; its slug is free again. */
  async purgeFromTrash(id: string): Promise<void> {
    const title = this.state.trash.find((item) => item.id === id)?.title ?? `the ${this.noun}`;
    await this.attempt(`delete “${title}” for good`, async () => {
      await this.items.purge(id);
      if (this.state.recentlyDeleted?.id === id) this.dismissUndo();
      await this.refreshTrash();
    });
  }

  /** The list's own fields, which every `S` has with exactly these types. */
  private setListState(changes: Partial<ItemWorkspaceState<T>>): void {
    this.set(changes as Partial<S>);
  }

  /** Lists the items afresh, e.g. after a change made elsewhere. The latest call wins. */
  protected async refreshItems(): Promise<void> {
    const request = ++this.#listRequests;
    const items = await this.items.list();
    // A list asked for earlier but answered later may lack an item created in between.
    if (request === this.#listRequests) this.setListState({ items: sortByTitle(items) });
  }

  /**
   * Starts opening an item: returns whether this is still the latest open asked for, to check after
   * each wait, so a slow open (say, the last-open item at start) never replaces one the user chose since.
   */
  protected beginOpen(): () => boolean {
    const request = ++this.#openRequests;
    return () => request === this.#openRequests;
  }

  /** How many opens were asked for so far: at start, the last-open item is opened only if none was. */
  protected get opensAsked(): number {
    return this.#openRequests;
  }

  protected async refreshTrash(): Promise<void> {
    this.setListState({ trash: await this.items.listTrash() });
  }

  /** Puts a changed item in the list in place of its old version. */
  protected replaceItem(item: T): void {
    const items = this.state.items.map((candidate) => (candidate.id === item.id ? item : candidate));
    this.setListState({ items: sortByTitle(items) });
  }
}

export function sortByTitle<T extends SlugItem>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.title.localeCompare(b.title, 'en') || a.slug.localeCompare(b.slug));
}
