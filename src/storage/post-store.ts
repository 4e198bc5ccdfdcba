import type { Post } from '../core/post';
import type { ExternalChangeTarget, Trashed } from './item-store';

export interface NewPost {
  title: string;
  body?: string;
  tags?: string[];
  categories?: string[];
}

export type PostChanges = Partial<Pick<Post, 'body' | 'status' | 'tags' | 'categories'>>;

export type TrashedPost = Trashed<Post>;

/** A post's fields as an edit found them; the base a save names to be refused if they changed since. */
export type PostEditBase = Pick<Post, 'body' | 'status' | 'tags' | 'categories'>;

export function editBaseOf(post: PostEditBase): PostEditBase {
  return { body: post.body, status: post.status, tags: post.tags, categories: post.categories };
}

export type PostChange = { type: 'put'; post: Post } | { type: 'delete'; id: string };

/**
 * The one way the app reads and writes posts; the twin of `ScriptStore`, with the same rules for
 * missing, invalid and trashed records.
 */
export interface PostStore extends ExternalChangeTarget<Post> {
  /** All valid posts by title; invalid records are skipped and reported, never deleted. */
  list(): Promise<Post[]>;
  get(id: string): Promise<Post | undefined>;
  /** A draft with a fresh id and a slug unique among posts and their trash. */
  create(input: NewPost): Promise<Post>;
  /**
   * Bumps `updatedAt`; publishing for the first time sets `publishedAt`. With `base`, rejects with
   * `EditConflict` (and writes nothing) when the stored post's fields no longer equal it.
   */
  save(id: string, changes: PostChanges, base?: PostEditBase): Promise<Post>;
  /** Changes the title and re-derives a unique slug from it. */
  rename(id: string, title: string): Promise<Post>;
  /** Gives the post a slug of the user's choosing; rejects one that is not a slug or is taken. */
  changeSlug(id: string, slug: string): Promise<Post>;
  /** Moves the post to the trash. */
  delete(id: string): Promise<void>;
  /** Brings a trashed post back, with a new slug if its old one was taken meanwhile. */
  restore(id: string): Promise<Post>;
  listTrash(): Promise<TrashedPost[]>;
  /** Deletes a trashed post for good; rejects when it is not in the trash. */
  purge(id: string): Promise<void>;
  /** Like `ScriptStore.subscribe`: committed changes from any instance on the same database. */
  subscribe(listener: (change: PostChange) => void): () => void;
}
