import { z } from 'zod';

/** The page asks the folder file worker (folder-parse-worker.ts) to parse one file's text. */
export const folderParseRequestSchema = z.object({
  id: z.number().int(),
  collection: z.enum(['scripts', 'posts']),
  text: z.string(),
  context: z.object({ slug: z.string(), fallbackTime: z.string() }),
});

export type FolderParseRequest = z.infer<typeof folderParseRequestSchema>;

const fileProblemSchema = z.object({
  reason: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
});

/**
 * One answer per request: the parsed item (checked on the page with its format's schema) and the
 * file's header, what is wrong with the file, or why the worker could not tell.
 */
export const folderParseAnswerSchema = z.union([
  z.object({
    id: z.number().int(),
    parsed: z.union([
      z.object({ ok: z.literal(true), value: z.object({ item: z.unknown(), header: z.string() }) }),
      z.object({ ok: z.literal(false), problem: fileProblemSchema }),
    ]),
  }),
  z.object({ id: z.number().int(), error: z.string() }),
]);

export type FolderParseAnswer = z.infer<typeof folderParseAnswerSchema>;
