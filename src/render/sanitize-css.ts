/**
 * CSS that macros return, made safe to gather into the site's one stylesheet (and the preview's
 * `<style>`). It can never load anything from another origin, import another stylesheet, run script in
 * old engines, break out of a `<style>` element, or leave a brace open that would swallow the rules
 * after it. What is unsafe is removed a declaration or rule prelude at a time; the rest is kept as
 * written. Pure string work, so the page, a worker and Node give the same bytes.
 */
export function sanitizeCss(css: string): string {
  const segments = splitSegments(withoutComments(css));
  let depth = 0;
  let out = '';
  for (const segment of segments) {
    if (segment.delimiter === '}') {
      // A stray `}` would close a block of the stylesheet around this macro's CSS.
      if (depth === 0) continue;
      depth -= 1;
      out += `${unsafe(segment.text) ? '' : segment.text}}`;
      continue;
    }
    if (unsafe(segment.text)) {
      // A dropped rule prelude still opens its block, so the block's body is kept balanced (and inert).
      if (segment.delimiter === '{') {
        out += 'pymark-removed{';
        depth += 1;
      }
      continue;
    }
    out += segment.text + segment.delimiter;
    if (segment.delimiter === '{') depth += 1;
  }
  // `<` has no meaning in CSS outside strings; escaped, `</style` can never end the element early.
  return (out + '}'.repeat(depth)).replace(/</g, '\\3c ');
}

interface Segment {
  text: string;
  /** What ended it: `;`, `{`, `}`, or nothing at the end of the text. */
  delimiter: '' | ';' | '{' | '}';
}

function withoutComments(css: string): string {
  // An unclosed comment runs to the end, as CSS reads it.
  return css.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, '');
}

/** Cuts the CSS at `;`, `{` and `}` outside strings; a string left open makes its segment unsafe. */
function splitSegments(css: string): Segment[] {
  const segments: Segment[] = [];
  let start = 0;
  let quote: string | undefined;
  for (let index = 0; index < css.length; index++) {
    const char = css[index];
    if (char === '\\') {
      index += 1;
      continue;
    }
    if (quote) {
      if (char === quote || char === '\n') quote = undefined;
      continue;
    }
    if (char === '"' || char === "'") quote = char;
    else if (char === ';' || char === '{' || char === '}') {
      segments.push({ text: css.slice(start, index), delimiter: char });
      start = index + 1;
    }
  }
  const rest = css.slice(start);
  if (rest !== '') segments.push({ text: quote ? `${rest}\n` : rest, delimiter: '' });
  return segments;
}

/** CSS escapes (`\75 rl(`, `\@import`) decoded, so a pattern cannot hide behind them. */
function decodeEscapes(text: string): string {
  return text.replace(/\\(?:([0-9a-fA-F]{1,6})\s?|([\s\S]))/g, (_, hex: string | undefined, char: string) =>
    hex ? String.fromCodePoint(Math.min(Number.parseInt(hex, 16), 0x10ffff) || 0xfffd) : char,
  );
}

const loadsResource = /(?:url|src|image|image-set|-webkit-image-set|cross-fade|element)\s*\(/i;
/** A scheme, a protocol-relative `//`, or a `\\` a browser would read as `//`. */
const leavesTheSite = /[a-z][a-z0-9+.-]*:|\/\/|\\\\/i;
const alwaysUnsafe = /@import|@charset|@namespace|expression\s*\(|-moz-binding|behavior\s*:|javascript:/i;

function unsafe(text: string): boolean {
  const decoded = decodeEscapes(text).replace(/\s+/g, ' ');
  if (alwaysUnsafe.test(decoded)) return true;
  if (/["'][^"']*\n$/.test(text)) return true;
  return loadsResource.test(decoded) && leavesTheSite.test(decoded.replace(/^[^:]*:/, ''));
}
