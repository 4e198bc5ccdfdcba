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
 * never reach a page that would lay them out. A text this already cut to `limit` (in the worker, or
 * in Python: python/errors.py) is left as it is, so a second cut does not count the first one's note.
 */
export function shortenText(text: string, limit: number): string {
  if (text.length <= limit || isCutTo(text, limit)) return text;
  return `${text.slice(0, limit)}${cutNote(text.length - limit, limit)}`;
}

function cutNote(left: number, limit: number): string {
  return `… (${formatCount(left)} more characters not shown; at most ${formatCount(limit)} are)`;
}

/** Whether `text` is `limit` characters and then the note `shortenText` puts after them. */
function isCutTo(text: string, limit: number): boolean {
  const note = text.slice(limit);
  return (
    note.length <= cutNote(Number.MAX_SAFE_INTEGER, limit).length &&
    new RegExp(`^… \\([\\d,]+ more characters not shown; at most ${formatCount(limit)} are\\)$`).test(note)
  );
}

/**
 * `text` with each line cut to `lineLimit` characters (as `shortenText` cuts), then the whole to
 * `limit`. A traceback ends with its exception's message: a 30 MB one would otherwise fill the
 * traceback's whole allowance with one line, which the page then lays out as one paragraph.
 */
export function shortenLines(text: string, lineLimit: number, limit: number): string {
  const lines = text.split('\n');
  if (lines.every((line) => line.length <= lineLimit)) return shortenText(text, limit);
  return shortenText(lines.map((line) => shortenText(line, lineLimit)).join('\n'), limit);
}

/** `count` for a message: `1,000,000`. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}

/**
 * The size of what a macro call returned, as the per-call limit counts it: its HTML, CSS and
 * warnings. A result of any other shape counts 0 here; the ABI's schema words what is wrong with it.
 */
export function macroResultSize(result: unknown): number {
  if (typeof result === 'string') return result.length;
  if (typeof result !== 'object' || result === null) return 0;
  const { html, css, warnings } = result as { html?: unknown; css?: unknown; warnings?: unknown };
  // Warnings cross to the page with the HTML: 100 calls of 900 KB of warnings would hold it as long.
  const warned = Array.isArray(warnings) ? warnings : [];
  return [html, css, ...warned].reduce<number>(
    (size, text) => size + (typeof text === 'string' ? text.length : 0),
    0,
  );
}

/** Why a macro call's result is refused when it is over `sizeLimits.macroHtmlPerCall`. */
export function oversizedCallMessage(script: string, size: number): string {
  return (
    `${script} returned ${formatCount(size)} characters of HTML, CSS and warnings, more than the ` +
    `${formatCount(sizeLimits.macroHtmlPerCall)} one macro call may return`
  );
}
