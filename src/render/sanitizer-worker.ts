/// <reference lib="webworker" />
// First: before any schema is made (see zod-jitless.ts).
import '../core/zod-jitless';
import { createHtmlSanitizer, type HtmlSanitizer } from './sanitize-html';
import { type SanitizeAnswer, sanitizeRequestSchema } from './sanitizer-protocol';

/*
 * Sanitizes macro HTML for the page (off-thread-sanitizer.ts), so parsing megabytes of it never
 * holds up the page's thread. It holds no data and runs no script: HTML in, HTML out.
 */

const sanitizers = new Map<string, HtmlSanitizer>();

function sanitizerFor(embeds: readonly string[]): HtmlSanitizer {
  const key = JSON.stringify(embeds);
  let sanitize = sanitizers.get(key);
  if (sanitize === undefined) {
    sanitize = createHtmlSanitizer(embeds);
    sanitizers.set(key, sanitize);
  }
  return sanitize;
}

addEventListener('message', (event: MessageEvent<unknown>) => {
  const request = sanitizeRequestSchema.safeParse(event.data);
  if (!request.success) return;
  const { id, embeds, htmls } = request.data;
  let answer: SanitizeAnswer;
  try {
    answer = { id, htmls: htmls.map(sanitizerFor(embeds)) };
  } catch (error) {
    answer = { id, error: `the HTML could not be sanitized: ${String(error)}` };
  }
  postMessage(answer);
});
