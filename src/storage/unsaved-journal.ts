import { z } from 'zod';
import { postSchema } from '../core/post';
import type { PostStore } from './post-store';
import type { ScriptStore } from './script-store';

/*
 * IndexedDB writes are asynchronous: a draft or an autosave started as the page goes away (a reload,
 * a closed tab) can be cut short, and a store that reads before it writes loses the write. So when
 * the page is hidden, the editors' unsaved text is also kept synchronously in Web Storage, and put
 * back on the next start unless the stores have moved on since.
 */

const postChangesSchema = postSchema.pick({ body: true, status: true, tags: true, categories: true });

const unsavedEditSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('script'),
    id: z.string(),
    body: z.string(),
    /** The saved version the text was typed on. */
    baseVersion: z.number().int().positive(),
    at: z.iso.datetime({ offset: true }),
  }),
  z.object({
    kind: z.literal('post'),
    id: z.string(),
    changes: postChangesSchema,
    /** The post's `updatedAt` when the edits were typed on it. */
    baseUpdatedAt: z.iso.datetime({ offset: true }),
  }),
]);

export type UnsavedEdit = z.infer<typeof unsavedEditSchema>;

export class UnsavedJournal {
  constructor(
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
    private readonly key = 'pymark:unsaved-edits',
  ) {}

  /** Replaces what is kept with `edits` (none clears it), synchronously. */
  keep(edits: readonly UnsavedEdit[]): void {
    try {
      if (edits.length === 0) this.storage.removeItem(this.key);
      else this.storage.setItem(this.key, JSON.stringify(edits));
    } catch {
      // Storage full or disabled: the asynchronous save is still on its way; this was the spare.
    }
  }

  /** What was kept, taken out of storage; anything malformed is dropped. */
  take(): UnsavedEdit[] {
    let text: string | null = null;
    try {
      text = this.storage.getItem(this.key);
      this.storage.removeItem(this.key);
    } catch {
      return [];
    }
    if (text === null) return [];
    let entries: unknown;
    try {
      entries = JSON.parse(text);
    } catch {
      return [];
    }
    if (!Array.isArray(entries)) return [];
    return entries.flatMap((entry) => {
      const parsed = unsavedEditSchema.safeParse(entry);
      return parsed.success ? [parsed.data] : [];
    });
  }
}

/**
 * Puts kept edits back: a script's text as its draft, a post's edits as a save. An edit is skipped
 * when the store already has it, or has moved on from what it was typed on (a later save, a newer
 * draft): those are newer than the kept text. Returns how many were put back.
 */
export async function restoreUnsavedEdits(
  edits: readonly UnsavedEdit[],
  stores: { scripts: ScriptStore; posts: PostStore },
): Promise<number> {
  let restored = 0;
  for (const edit of edits) {
    if (edit.kind === 'script') {
      const script = await stores.scripts.get(edit.id);
      if (!script || script.version !== edit.baseVersion || script.body === edit.body) continue;
      const draft = await stores.scripts.getDraft(edit.id);
      if (draft && (draft.body === edit.body || draft.updatedAt > edit.at)) continue;
      await stores.scripts.putDraft({
        scriptId: edit.id,
        body: edit.body,
        baseVersion: edit.baseVersion,
        updatedAt: edit.at,
      });
    } else {
      const post = await stores.posts.get(edit.id);
      if (!post || post.updatedAt !== edit.baseUpdatedAt || holdsChanges(post, edit.changes)) continue;
      await stores.posts.save(edit.id, edit.changes);
    }
    restored++;
  }
  return restored;
}

function holdsChanges(post: z.infer<typeof postSchema>, changes: z.infer<typeof postChangesSchema>): boolean {
  return (
    post.body === changes.body &&
    post.status === changes.status &&
    post.tags.join('\n') === changes.tags.join('\n') &&
    post.categories.join('\n') === changes.categories.join('\n')
  );
}
