import { z } from 'zod';

/** The page asks the sanitizer worker (sanitizer-worker.ts) to sanitize `htmls` for a site with `embeds`. */
export const sanitizeRequestSchema = z.object({
  id: z.number().int(),
  embeds: z.array(z.string()),
  htmls: z.array(z.string()),
});

export type SanitizeRequest = z.infer<typeof sanitizeRequestSchema>;

/** One answer per request: the pieces in order, or why there are none. */
export const sanitizeAnswerSchema = z.union([
  z.object({ id: z.number().int(), htmls: z.array(z.string()) }),
  z.object({ id: z.number().int(), error: z.string() }),
]);

export type SanitizeAnswer = z.infer<typeof sanitizeAnswerSchema>;
