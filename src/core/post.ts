import { z } from 'zod';

export const postStatuses = ['draft', 'published'] as const;
export type PostStatus = (typeof postStatuses)[number];

const isoDate = z.iso.datetime({ offset: true });

export const postSchema = z.object({
  id: z.uuid(),
  title: z.string().trim().min(1, 'title must not be empty'),
  slug: z.string().regex(/^[a-z0-9_]+$/, 'slug must be lower-case a-z, 0-9 and _'),
  status: z.enum(postStatuses),
  tags: z.array(z.string()),
  categories: z.array(z.string()),
  body: z.string(),
  createdAt: isoDate,
  updatedAt: isoDate,
  /** Set when the post is first published; `null` while it has never been. */
  publishedAt: isoDate.nullable(),
});

export type Post = z.infer<typeof postSchema>;
