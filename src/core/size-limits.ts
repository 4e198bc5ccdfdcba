/*
 * How much text a script may hand the app, each far above what a blog needs and far below what
 * would stall the page that shows it (issue 14; docs/security.md, "Size limits", says why each number
 * is what it is). Counted in UTF-16 code units, JavaScript's `length`, which is what it costs to copy,
 * parse and show.
 */
export const sizeLimits = {
  /** HTML (with its CSS) one macro call may return: a long table or a big SVG chart is ~100,000. */
  macroHtmlPerCall: 1_000_000,
  /** HTML all macro calls of one post may return together. */
  macroHtmlPerPost: 4_000_000,
  /** Macro calls one post may hold; the ones after that are shown as written, not run. */
  macroCallsPerPost: 2_000,
  /** A utility's return value as shown (its `repr`): a page of a long list. */
  shownValue: 100_000,
  /** An exception's message, or one warning, as shown. */
  shownMessage: 10_000,
  /** A traceback as shown: a deep one is a few thousand characters, its message included. */
  shownTraceback: 100_000,
} as const;

/**
 * `text` cut to `limit` characters, saying how much was left out, so a script's megabytes of text
 * never reach a page that would lay them out.
 */
export function shortenText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}… (${formatCount(text.length - limit)} more characters not shown; at most ${formatCount(limit)} are)`;
}

/** `count` for a message: `1,000,000`. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}
