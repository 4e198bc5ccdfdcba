import type { HtmlSanitizer } from './sanitize-html';

/**
 * Sanitizes pieces of HTML a batch at a time, wherever it runs them: the app hands them to a worker
 * (`OffThreadSanitizer`), so a megabyte of macro HTML never holds up the page; Node and the tests
 * sanitize them in place (`inPlace`). Kept apart from sanitize-html.ts so the page's code, which only
 * needs this interface, does not bundle the HTML parser.
 */
export interface BatchSanitizer {
  sanitizeMany(htmls: readonly string[]): Promise<string[]>;
}

/** `sanitize` run where it is called, one piece after another. */
export function inPlace(sanitize: HtmlSanitizer): BatchSanitizer {
  return { sanitizeMany: async (htmls) => htmls.map(sanitize) };
}
