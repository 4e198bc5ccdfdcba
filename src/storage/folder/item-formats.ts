import type { Parsed } from '../../core/front-matter';
import type { Post } from '../../core/post';
import { parsePostFile, serializePostFile } from '../../core/post-file';
import type { Script } from '../../core/script';
import { parseScriptFile, serializeScriptFile } from '../../core/script-file';
import type { FolderLayout } from '../../core/sync-plan';
import type { SlugItem } from '../item-store';

/** What a sync state record belongs to; media sync (media-sync.ts) keeps its records beside the others. */
export type Collection = 'scripts' | 'posts' | 'media';

/** How one kind of item is laid out in the folder and read from and written to its files. */
export interface ItemFormat<T extends SlugItem & { body: string }> {
  collection: Collection;
  layout: FolderLayout;
  parse(text: string, context: { slug: string; fallbackTime: string }): Parsed<{ item: T; header: string }>;
  serialize(item: T, previousHeader?: string): string;
}

export const scriptFormat: ItemFormat<Script> = {
  collection: 'scripts',
  layout: { dir: 'scripts', extension: '.py' },
  parse(text, context) {
    const parsed = parseScriptFile(text, context);
    return parsed.ok
      ? { ok: true, value: { item: parsed.value.script, header: parsed.value.header } }
      : parsed;
  },
  serialize: serializeScriptFile,
};

export const postFormat: ItemFormat<Post> = {
  collection: 'posts',
  layout: { dir: 'posts', extension: '.md' },
  parse(text, context) {
    const parsed = parsePostFile(text, context);
    return parsed.ok ? { ok: true, value: { item: parsed.value.post, header: parsed.value.header } } : parsed;
  },
  serialize: serializePostFile,
};
