import { z } from 'zod';
import type { Post } from '../core/post';
import type { RenderedPost, SiteContext } from './post-renderer';
import { isObject, relayedRenderItemSchema, relayedRenderOutcomeSchema } from './relayed-render';

/*
 * The messages between the page and the preview's render worker (render-worker.ts). The page sends a
 * post to render; the worker asks the page for each macro batch (Python lives on the page's side, in
 * its sandbox frame), then answers with the rendered post. Each side checks what it receives.
 */

/** The page asks for `post` rendered with `site`, its macro HTML sanitized for a site with `embeds`. */
export const renderRequestSchema = z.strictObject({
  id: z.number().int(),
  embeds: z.array(z.string()),
  // The page's own stored post and scripts, as PostRenderer takes them; their shape is checked where
  // they were stored, and a post's body can be a megabyte.
  post: z.custom<Post>(
    (value) => isObject(value) && typeof (value as { body?: unknown }).body === 'string',
    'must be a post with a body',
  ),
  site: z.custom<SiteContext>(
    (value) => isObject(value) && Array.isArray((value as { scripts?: unknown }).scripts),
    'must be a site context with its scripts',
  ),
});

export type RenderRequest = z.infer<typeof renderRequestSchema>;

/** The worker asks the page to run a macro batch for the render `id`. */
export const macroBatchQuestionSchema = z.strictObject({
  id: z.number().int(),
  question: z.literal('macros'),
  batch: z.number().int(),
  items: z.array(relayedRenderItemSchema),
});

export type MacroBatchQuestion = z.infer<typeof macroBatchQuestionSchema>;

/** The page's reply to a macro batch: the outcomes in item order, or why Python gave none. */
export const macroBatchReplySchema = z.union([
  z.strictObject({ batch: z.number().int(), outcomes: z.array(relayedRenderOutcomeSchema) }),
  z.strictObject({ batch: z.number().int(), error: z.string() }),
]);

export type MacroBatchReply = z.infer<typeof macroBatchReplySchema>;

const renderWarningSchema = z.object({
  message: z.string(),
  kind: z.enum(['error', 'print']).optional(),
  line: z.number().int(),
  column: z.number().int(),
  endColumn: z.number().int().optional(),
});

/** A rendered post, but for its `body`: the page has it, and it can be a megabyte to copy back. */
const renderedPostSchema = z.object({
  html: z.string(),
  warnings: z.array(renderWarningSchema),
  css: z.array(z.string()),
  macroCount: z.number().int(),
  executed: z.number().int(),
  macroNames: z.array(z.string()).optional(),
  siteReads: z.array(z.string()).nullable().optional(),
  macroOutputs: z
    .array(
      z.object({ macro: z.string(), line: z.number().int(), column: z.number().int(), html: z.string() }),
    )
    .optional(),
}) satisfies z.ZodType<Omit<RenderedPost, 'body'>>;

/** One answer per request: the rendered post, or why there is none. */
export const renderAnswerSchema = z.union([
  z.strictObject({ id: z.number().int(), rendered: renderedPostSchema }),
  z.strictObject({ id: z.number().int(), error: z.string() }),
]);

export type RenderAnswer = z.infer<typeof renderAnswerSchema>;
