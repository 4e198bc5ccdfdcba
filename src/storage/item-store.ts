/** Types shared by the script and post store interfaces. */

/** What every stored item has: scripts and posts alike. */
export interface SlugItem {
  id: string;
  slug: string;
  title: string;
}

export type Trashed<T> = T & { deletedAt: string };

/**
 * A save refused because the item changed elsewhere (another tab, the project folder) since the edit
 * began: writing it would silently drop that other change. Nothing was written.
 */
export class EditConflict<T extends SlugItem> extends Error {
  constructor(readonly current: T) {
    super(`“${current.title}” was changed elsewhere since this edit began`);
    this.name = 'EditConflict';
  }
}

/**
 * Changes that come from outside the app's editors (a synced folder, bundled defaults). Applied in
 * one transaction, so slugs may trade places between items and nothing lands half-way.
 */
export interface ExternalChanges<T> {
  /** Stored as given, id and slug included; an item in the trash with the same id leaves it. */
  put: T[];
  /** Moved to the trash, as a delete in the app would. */
  trash: string[];
  /**
   * The app's version of each item the changes replace or trash, as the caller read it when it
   * decided on them (`null`: the app had no such item). Given, nothing is written unless each is still
   * stored so, and the call rejects with `ChangedMeanwhile`: a save in the app between that read
   * and this write is never overwritten unseen.
   */
  readAs?: ReadonlyMap<string, T | null>;
}

/** External changes refused because an item they replace changed after they were decided on. */
export class ChangedMeanwhile extends Error {
  constructor(readonly id: string) {
    super(`item ${id} changed in the app while its change from outside was being prepared`);
    this.name = 'ChangedMeanwhile';
  }
}

/** The part of a store a folder sync and the defaults seeder work through. */
export interface ExternalChangeTarget<T> {
  list(): Promise<T[]>;
  applyExternal(changes: ExternalChanges<T>): Promise<void>;
}
