import { parseMacroDocument } from './markdown-macros';
import { TextLines } from './text-lines';

/**
 * Renames the calls of macro `from` to `to` in a post's Markdown: only real calls (not text in code,
 * not `\[[`), with their arguments left exactly as written. Returns the new text and how many calls
 * changed.
 */
export function renameMacroCalls(
  markdown: string,
  from: string,
  to: string,
): { text: string; renamed: number } {
  const name = from.toLowerCase();
  const lines = new TextLines(markdown);
  const starts = parseMacroDocument(markdown)
    .calls.filter((call) => call.name === name)
    .map((call) => lines.pointOnLine(call.line - 1, call.column - 1).offset + 2)
    // A call is renamed only where the text holds its name right after `[[`, as scanned.
    .filter((start) => markdown.slice(start, start + name.length).toLowerCase() === name);
  let text = markdown;
  for (const start of starts.reverse()) text = text.slice(0, start) + to + text.slice(start + name.length);
  return { text, renamed: starts.length };
}
