import type { z } from 'zod';
import type { Parsed } from '../../core/front-matter';
import { type Post, postSchema } from '../../core/post';
import { parsePostFile, serializePostFile } from '../../core/post-file';
import { type Script, scriptSchema } from '../../core/script';
import { parseScriptFile, serializeScriptFile } from '../../core/script-file';
import type { FolderLayout } from '../../core/sync-plan';
import type { SlugItem } from '../item-store';

/** What a sync state record belongs to; media sync (media-sync.ts) keeps its records beside the others. */
export type Collection = 'scripts' | 'posts' | 'media';

/** How one kind of item is laid out in the folder and read from and written to its files. */
/** The collections whose items are files of their own, parsed by folder sync. */
export type ItemCollection = 'scripts' | 'posts';

export interface ItemFormat<T extends SlugItem & { body: string }> {
  collection: ItemCollection;
  layout: FolderLayout;
  /** Checks an item that was parsed elsewhere (in the folder file worker) before the app uses it. */
  itemSchema: z.ZodType<T>;
  parse(text: string, context: { slug: string; fallbackTime: string }): Parsed<{ item: T; header: string }>;
  serialize(item: T, previousHeader?: string): string;
}

export const scriptFormat: ItemFormat<Script> = {
  collection: 'scripts',
  layout: { dir: 'scripts', extension: '.py' },
  itemSchema: scriptSchema,
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
  itemSchema: postSchema,
  parse(text, context) {
    const parsed = parsePostFile(text, context);
    return parsed.ok ? { ok: true, value: { item: parsed.value.post, header: parsed.value.header } } : parsed;
  },
  serialize: serializePostFile,
};

/** The formats by collection, for the folder file worker, which is told only the collection. */
export const itemFormats: { [C in ItemCollection]: ItemFormat<C extends 'scripts' ? Script : Post> } = {
  scripts: scriptFormat,
  posts: postFormat,
};
