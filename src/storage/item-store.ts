/** Types shared by the script and post store interfaces. */

/** What every stored item has: scripts and posts alike. */
export interface SlugItem {
  id: string;
  slug: string;
  title: string;
}

export type Trashed<T> = T & { deletedAt: string };

/**
 * Changes that come from outside the app's editors (a synced folder, bundled defaults). Applied in
 * one transaction, so slugs may trade places between items and nothing lands half-way.
 */
export interface ExternalChanges<T> {
  /** Stored as given, id and slug included; an item in the trash with the same id leaves it. */
  put: T[];
  /** Moved to the trash, as a delete in the app would. */
  trash: string[];
}

/** The part of a store a folder sync and the defaults seeder work through. */
export interface ExternalChangeTarget<T> {
  list(): Promise<T[]>;
  applyExternal(changes: ExternalChanges<T>): Promise<void>;
}
