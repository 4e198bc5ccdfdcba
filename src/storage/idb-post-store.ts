import { z } from 'zod';
import { type Post, postSchema } from '../core/post';
import { IdbCollection, now, validInput } from './idb-collection';
import type { StoreOptions } from './idb-script-store';
import { EditConflict } from './item-store';
import {
  editBaseOf,
  type NewPost,
  type PostChange,
  type PostChanges,
  type PostEditBase,
  type PostStore,
} from './post-store';
import {
  defaultDbName,
  type InvalidRecordListener,
  inWriteTransaction,
  openPymarkDb,
  type PymarkDb,
  warnAboutInvalidRecord,
} from './pymark-db';

export interface IdbPostStore extends PostStore {
  close(): void;
}

export async function openPostStore(options: StoreOptions = {}): Promise<IdbPostStore> {
  const dbName = options.dbName ?? defaultDbName;
  return new IndexedDbPostStore(
    await openPymarkDb(dbName),
    dbName,
    options.onInvalidRecord ?? warnAboutInvalidRecord,
  );
}

const newPostSchema = z.object({
  title: postSchema.shape.title,
  body: postSchema.shape.body.default(''),
  tags: postSchema.shape.tags.default([]),
  categories: postSchema.shape.categories.default([]),
});

const postChangesSchema = postSchema
  .pick({ body: true, status: true, tags: true, categories: true })
  .partial()
  .strict();

const postChangeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('put'), post: postSchema }),
  z.object({ type: z.literal('delete'), id: z.string() }),
]);

class IndexedDbPostStore extends IdbCollection<Post, PostChange> implements IdbPostStore {
  constructor(db: PymarkDb, dbName: string, onInvalidRecord: InvalidRecordListener) {
    super(db, dbName, onInvalidRecord, {
      live: 'posts',
      trash: 'postTrash',
      noun: 'post',
      schema: postSchema,
      putChange: (post) => ({ type: 'put', post }),
      deleteChange: (id) => ({ type: 'delete', id }),
      changeSchema: postChangeSchema,
    });
  }

  async create(input: NewPost): Promise<Post> {
    const valid = validInput(newPostSchema, input, 'new post');
    return this.addNew(valid.title, (slug, createdAt) => ({
      id: crypto.randomUUID(),
      ...valid,
      slug,
      status: 'draft',
      createdAt,
      updatedAt: createdAt,
      publishedAt: null,
    }));
  }

  async save(id: string, changes: PostChanges, base?: PostEditBase): Promise<Post> {
    const valid = validInput(postChangesSchema, changes, 'post changes');
    const post = await inWriteTransaction(this.db, ['posts'], async (tx) => {
      const posts = tx.objectStore('posts');
      const current = await this.require(posts, id);
      // Checked in the same transaction as the write, so no other tab's save can slip in between.
      if (base && JSON.stringify(editBaseOf(current)) !== JSON.stringify(editBaseOf(base))) {
        throw new EditConflict(current);
      }
      const updatedAt = now();
      const saved: Post = { ...current, ...valid, updatedAt };
      if (saved.status === 'published' && saved.publishedAt === null) saved.publishedAt = updatedAt;
      await posts.put(saved);
      return saved;
    });
    this.announce({ type: 'put', post });
    return post;
  }
}
