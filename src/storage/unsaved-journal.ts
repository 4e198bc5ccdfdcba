import { z } from 'zod';
import { postSchema } from '../core/post';
import type { PostStore } from './post-store';
import type { ScriptStore } from './script-store';

/*
 * IndexedDB writes are asynchronous: a draft or an autosave started as the page goes away (a reload,
 * a closed tab) can be cut short, and a store that reads before it writes loses the write. So when
 * the page is hidden, the editors' unsaved text is also kept synchronously in Web Storage, each tab
 * under a key of its own, and put back on the next start unless the stores have moved on since.
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

const keyPrefix = 'pymark:unsaved-edits:';

/** One tab's kept edits, under its own key: tabs never overwrite each other's copy. */
export interface KeptEdits {
  key: string;
  edits: UnsavedEdit[];
}

export class UnsavedJournal {
  private readonly key: string;

  constructor(
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>,
    tabId: string = crypto.randomUUID(),
  ) {
    this.key = `${keyPrefix}${tabId}`;
  }

  /** Replaces this tab's kept edits with `edits` (none clears them), synchronously. */
  keep(edits: readonly UnsavedEdit[]): void {
    write(this.storage, this.key, edits);
  }

  /**
   * What every tab kept, this one's and those of tabs that went away; left in storage until
   * `settle` says what became of it. Anything malformed is dropped.
   */
  kept(): KeptEdits[] {
    const found: KeptEdits[] = [];
    try {
      for (let index = 0; index < this.storage.length; index++) {
        const key = this.storage.key(index);
        if (key?.startsWith(keyPrefix)) found.push({ key, edits: parseEdits(this.storage.getItem(key)) });
      }
    } catch {
      // Storage disabled: nothing was kept.
    }
    return found;
  }

  /** Keeps under `key` only the edits still to be put back (none removes it). */
  settle(key: string, remaining: readonly UnsavedEdit[]): void {
    write(this.storage, key, remaining);
  }
}

function write(
  storage: Pick<Storage, 'setItem' | 'removeItem'>,
  key: string,
  edits: readonly UnsavedEdit[],
): void {
  try {
    if (edits.length === 0) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(edits));
  } catch {
    // Storage full or disabled: the asynchronous save is still on its way; this was the spare.
  }
}

function parseEdits(text: string | null): UnsavedEdit[] {
  let entries: unknown;
  try {
    entries = JSON.parse(text ?? '[]');
  } catch {
    return [];
  }
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((entry) => {
    const parsed = unsavedEditSchema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * Puts kept edits back: a script's text as its draft, a post's edits as a save. An edit is skipped
 * when the store already has it, or has moved on from what it was typed on (a later save, a newer
 * draft): those are newer than the kept text. Each edit on its own: one that cannot be written now
 * is returned with why, to be kept for the next start, and the rest go on.
 */
export async function restoreUnsavedEdits(
  edits: readonly UnsavedEdit[],
  stores: { scripts: ScriptStore; posts: PostStore },
): Promise<{ failed: UnsavedEdit[]; problems: string[] }> {
  const failed: UnsavedEdit[] = [];
  const problems: string[] = [];
  for (const edit of edits) {
    try {
      await restore(edit, stores);
    } catch (error) {
      failed.push(edit);
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  return { failed, problems };
}

async function restore(edit: UnsavedEdit, stores: { scripts: ScriptStore; posts: PostStore }): Promise<void> {
  if (edit.kind === 'script') {
    const script = await stores.scripts.get(edit.id);
    if (!script || script.version !== edit.baseVersion || script.body === edit.body) return;
    const draft = await stores.scripts.getDraft(edit.id);
    if (draft && (draft.body === edit.body || draft.updatedAt > edit.at)) return;
    await stores.scripts.putDraft({
      scriptId: edit.id,
      body: edit.body,
      baseVersion: edit.baseVersion,
      updatedAt: edit.at,
    });
    return;
  }
  const post = await stores.posts.get(edit.id);
  if (!post || post.updatedAt !== edit.baseUpdatedAt || holdsChanges(post, edit.changes)) return;
  await stores.posts.save(edit.id, edit.changes);
}

function holdsChanges(post: z.infer<typeof postSchema>, changes: z.infer<typeof postChangesSchema>): boolean {
  return (
    post.body === changes.body &&
    post.status === changes.status &&
    post.tags.join('\n') === changes.tags.join('\n') &&
    post.categories.join('\n') === changes.categories.join('\n')
  );
}
