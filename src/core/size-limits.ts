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
} as const;

/** `count` for a message: `1,000,000`. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}
