import { parseMacroDocument } from './markdown-macros';
import { TextLines } from './text-lines';

/**
 * Renames the calls of macro `from` to `to` in a post's Markdown: only real calls (not text in code,
 * not `\[[`), with their arguments left exactly as written, and the closing calls of paired ones.
 * Returns the new text and how many calls changed.
 */
export function renameMacroCalls(
  markdown: string,
  from: string,
  to: string,
): { text: string; renamed: number } {
  const name = from.toLowerCase();
  const lines = new TextLines(markdown);
  const calls = parseMacroDocument(markdown).calls.filter((call) => call.name === name);
  // A name is renamed only where the text holds it, as scanned: right after `[[`, or `[[/`.
  const holdsName = (start: number) => markdown.slice(start, start + name.length).toLowerCase() === name;
  const opening = calls
    .map((call) => lines.pointOnLine(call.line - 1, call.column - 1).offset + 2)
    .filter(holdsName);
  const closing = calls
    .flatMap(({ body }) =>
      body ? [lines.pointOnLine(body.closingLine - 1, body.closingColumn - 1).offset + 3] : [],
    )
    .filter(holdsName);
  let text = markdown;
  for (const start of [...opening, ...closing].sort((a, b) => b - a)) {
    text = text.slice(0, start) + to + text.slice(start + name.length);
  }
  return { text, renamed: opening.length };
}
