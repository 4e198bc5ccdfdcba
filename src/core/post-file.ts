import { z } from 'zod';
import { checkItem, hasMetadataBlock, type Parsed, readFrontMatter, writeFrontMatter } from './front-matter';
import { adoptedId, fileNameProblem, firstHeading, titleFromSlug } from './plain-file';
import { type Post, postSchema } from './post';

export const postFence = { open: ['---'], close: ['---'] } as const;

/** Missing lists and timestamps fall back, so a hand-written post needs little more than id and title. */
const postFrontMatterSchema = z.looseObject({
  id: postSchema.shape.id,
  title: postSchema.shape.title,
  status: postSchema.shape.status.default('draft'),
  tags: postSchema.shape.tags.default([]),
  categories: postSchema.shape.categories.default([]),
  createdAt: postSchema.shape.createdAt.optional(),
  updatedAt: postSchema.shape.updatedAt.optional(),
  publishedAt: postSchema.shape.publishedAt.default(null),
});

export interface PostFileContext {
  /** The file name without `.md`; it wins over a `slug` key in the front matter. */
  slug: string;
  /** Stands in for missing timestamps, typically the file's modification time. */
  fallbackTime: string;
}

export interface PostFileContent {
  post: Post;
  /** The front matter exactly as in the file; pass it back to `serializePostFile` to keep it. */
  header: string;
}

export function parsePostFile(text: string, context: PostFileContext): Parsed<PostFileContent> {
  const badName = fileNameProblem(context.slug, 'post');
  if (badName) return { ok: false, problem: badName };
  if (!hasMetadataBlock(text, postFence)) return adoptPlainPost(text, context);
  const read = readFrontMatter(text, postFence, postFrontMatterSchema);
  if (!read.ok) return read;
  const { fields, header, body } = read.value;
  const post = checkItem(postSchema, {
    id: fields.id,
    title: fields.title,
    slug: context.slug,
    status: fields.status,
    tags: fields.tags,
    categories: fields.categories,
    body,
    createdAt: fields.createdAt ?? context.fallbackTime,
    updatedAt: fields.updatedAt ?? fields.createdAt ?? context.fallbackTime,
    publishedAt: fields.publishedAt,
  });
  return post.ok ? { ok: true, value: { post: post.value, header } } : post;
}

/**
 * A Markdown file without front matter, as another editor writes it: its id comes from the file
 * name, its title from its first `# heading` (else the file name), its times from the file; it is a
 * draft. The header is empty, so the first save from the app writes a full block above the text.
 */
function adoptPlainPost(text: string, context: PostFileContext): Parsed<PostFileContent> {
  const post = checkItem(postSchema, {
    id: adoptedId('post', context.slug),
    title: firstHeading(text) ?? titleFromSlug(context.slug),
    slug: context.slug,
    status: 'draft',
    tags: [],
    categories: [],
    body: text,
    createdAt: context.fallbackTime,
    updatedAt: context.fallbackTime,
    publishedAt: null,
  });
  return post.ok ? { ok: true, value: { post: post.value, header: '' } } : post;
}

/** The file for `post`; see `serializeScriptFile` for what `previousHeader` keeps. */
export function serializePostFile(post: Post, previousHeader?: string): string {
  const { body, ...fields } = post;
  return writeFrontMatter(postFence, fields, previousHeader) + body;
}
