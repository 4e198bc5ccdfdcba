import type { Media, MediaEdit, ThumbnailSize } from '../core/media';
import type { ExternalChanges, Trashed } from './item-store';

/** A file offered for import: from the file picker, a drop, a paste, the share sheet or a folder. */
export interface ImportedFile {
  /** The name it came with; only a hint, the stored name is made safe and unique. */
  name: string;
  bytes: Uint8Array;
  /** ISO time of the file; the created date when the image carries no EXIF date taken. */
  lastModified: string;
}

export type TrashedMedia = Trashed<Media>;

export type MediaChange = { type: 'put'; media: Media } | { type: 'delete'; id: string };

/** A media item from outside the app's own editing (a synced folder), with its bytes when new. */
export interface ExternalMedia {
  media: Media;
  /** Required for an item the app does not hold yet; the bytes of a known item never change. */
  bytes?: Uint8Array;
}

/** A folder sync's changes to media: as for scripts and posts, each put with its bytes when new. */
export type ExternalMediaChanges = Omit<ExternalChanges<Media>, 'put'> & { put: ExternalMedia[] };

/** An item with its bytes, new to the app. */
export interface NewMedia {
  media: Media;
  bytes: Uint8Array;
}

/** Thrown when an import is refused; the message says why, naming the file. */
export class MediaRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaRefusedError';
  }
}

/**
 * The one way the app reads and writes media, with the same rules as `PostStore` for missing, invalid
 * and trashed records. Bytes are stored as they came; thumbnails are a cache beside them.
 */
export interface MediaStore {
  /** Valid items, newest first; invalid records are skipped and reported, never deleted. */
  list(): Promise<Media[]>;
  get(id: string): Promise<Media | undefined>;
  /**
   * Checks that the bytes are an image Pymark can use and stores it with a file name unique in its
   * month's folder. Rejects with `MediaRefusedError` and stores nothing when they are not.
   */
  import(file: ImportedFile): Promise<Media>;
  /**
   * Adds items whose metadata is settled already (a reference project's import), all or none: each
   * is checked like an import (its bytes must be the image its metadata says), and none may hold an
   * id or a file name in its month that an item, live or trashed, holds. Rejects with
   * `MediaRefusedError` naming the first that fails, and then stores nothing.
   */
  addImported(items: readonly NewMedia[]): Promise<void>;
  /** The image's bytes, typed; `undefined` when there is no such item, live or trashed. */
  blob(id: string): Promise<Blob | undefined>;
  edit(id: string, changes: MediaEdit): Promise<Media>;
  /** Adds `postId` to the item's linked posts (once). */
  linkToPost(id: string, postId: string): Promise<Media>;
  /** Moves the item to the trash; its bytes stay so `restore` brings it back. */
  delete(id: string): Promise<void>;
  restore(id: string): Promise<Media>;
  listTrash(): Promise<TrashedMedia[]>;
  /** Deletes a trashed item, its bytes and thumbnails for good. */
  purge(id: string): Promise<void>;
  thumbnail(id: string, size: ThumbnailSize): Promise<Blob | undefined>;
  putThumbnail(id: string, size: ThumbnailSize, blob: Blob): Promise<void>;
  /** Applies a folder sync's changes in one transaction (`readAs` as in `ExternalChanges`). */
  applyExternal(changes: ExternalMediaChanges): Promise<void>;
  subscribe(listener: (change: MediaChange) => void): () => void;
}
