import { scanClosingAt, scanMacroAt } from './macro-syntax';

/*
 * Where a cursor stands in the macro language, for the editor's completion: typing a macro's name
 * after `[[`, a closing call after `[[/`, a parameter name inside a call, or a parameter's value.
 * It reads the text as docs/macros.md does, but leniently: the call being typed is unfinished.
 */

export type MacroCursor =
  /** After `[[`: `typed` is the start of the name, from `from`. */
  | { readonly kind: 'name'; readonly from: number; readonly typed: string }
  /** After `[[/`. */
  | { readonly kind: 'closing'; readonly from: number; readonly typed: string }
  /** Inside a call, where a parameter may start; `given` are the names already written. */
  | {
      readonly kind: 'param';
      readonly from: number;
      readonly typed: string;
      readonly macro: string;
      readonly given: readonly string[];
    }
  /** After `param=`: the value so far, and whether it is inside quotes. */
  | {
      readonly kind: 'value';
      readonly from: number;
      readonly typed: string;
      readonly macro: string;
      readonly param: string;
      readonly quoted: boolean;
    };

/** How far back a call being typed may start: parameters may span lines, but not pages. */
const lookBehind = 2000;

export function macroCursor(text: string, cursor: number): MacroCursor | null {
  const open = findOpen(text, cursor);
  if (open === undefined) return null;
  const inside = text.slice(open + 2, cursor);
  if (inside.startsWith('/')) {
    const typed = inside.slice(1);
    return /^\w*$/.test(typed) ? { kind: 'closing', from: open + 3, typed } : null;
  }
  const name = /^\w*/.exec(inside)![0];
  if (name.length === inside.length) return { kind: 'name', from: open + 2, typed: name };
  if (name === '' || !/\s/.test(inside[name.length]!)) return null;
  return readItems(inside, name.length, open + 2, name.toLowerCase());
}

/** The `[[` of the call the cursor is in: the last one before it, not escaped, not yet closed. */
function findOpen(text: string, cursor: number): number | undefined {
  const open = text.lastIndexOf('[[', cursor - 2);
  if (open < 0 || cursor - open > lookBehind) return undefined;
  if (text[open - 1] === '\\') return undefined;
  return open;
}

/** Walks the items of the call after its name, up to the cursor, like the scanner but never failing. */
function readItems(inside: string, start: number, base: number, macro: string): MacroCursor | null {
  const given: string[] = [];
  let position = start;
  for (;;) {
    while (/\s/.test(inside[position] ?? '')) position++;
    if (position >= inside.length) return { kind: 'param', from: base + position, typed: '', macro, given };
    if (inside.startsWith(']]', position)) return null;
    const word = /^[^\s="']*/.exec(inside.slice(position))![0];
    if (word.includes(']]')) return null;
    const afterWord = position + word.length;
    let equals = afterWord;
    while (/[ \t]/.test(inside[equals] ?? '')) equals++;
    if (inside[equals] !== '=') {
      if (afterWord >= inside.length)
        return { kind: 'param', from: base + position, typed: word, macro, given };
      position = afterWord === position ? skipQuoted(inside, position) : afterWord;
      if (position < 0) return null;
      continue;
    }
    given.push(word);
    let value = equals + 1;
    while (/[ \t]/.test(inside[value] ?? '')) value++;
    const quote = inside[value];
    if (quote === '"' || quote === "'") {
      const end = skipQuoted(inside, value);
      if (end < 0) {
        const typed = inside.slice(value + 1);
        return { kind: 'value', from: base + value + 1, typed, macro, param: word, quoted: true };
      }
      position = end;
      continue;
    }
    const bare = /^\S*/.exec(inside.slice(value))![0];
    if (bare.includes(']]')) return null;
    if (value + bare.length >= inside.length) {
      return { kind: 'value', from: base + value, typed: bare, macro, param: word, quoted: false };
    }
    position = value + bare.length;
  }
}

/** Just past the quoted value opening at `at`, or -1 when it is still open. */
function skipQuoted(text: string, at: number): number {
  const quote = text[at];
  for (let index = at + 1; index < text.length; index++) {
    if (text[index] === '\\') index++;
    else if (text[index] === quote) return index + 1;
  }
  return -1;
}

/**
 * The name of the innermost paired call still open at `cursor`: calls are matched with their
 * closing calls by name, as in a post; `paired(name)` says which unmatched calls wait for one
 * (a single call such as `[[youtube …]]` never does).
 */
export function innermostOpenCall(
  text: string,
  cursor: number,
  paired: (name: string) => boolean,
): string | undefined {
  const open: string[] = [];
  for (let index = 0; index < cursor; index++) {
    if (text[index] === '\\') {
      index++;
      continue;
    }
    if (!text.startsWith('[[', index)) continue;
    const closing = scanClosingAt(text, index);
    if (closing?.ok) {
      const at = open.lastIndexOf(closing.closing.name);
      if (at >= 0) open.length = at;
      index = closing.closing.end - 1;
      continue;
    }
    const call = scanMacroAt(text, index);
    if (call?.ok && call.macro.end <= cursor) {
      if (paired(call.macro.name)) open.push(call.macro.name);
      index = call.macro.end - 1;
    }
  }
  return open.at(-1);
}

/** The call (or closing call) whose text covers `position`, with its span. */
export function callAt(
  text: string,
  position: number,
): { readonly name: string; readonly from: number; readonly to: number } | undefined {
  let open = text.lastIndexOf('[[', position);
  while (open >= 0 && position - open <= lookBehind) {
    const closing = scanClosingAt(text, open);
    if (closing?.ok) {
      const { name, end } = closing.closing;
      return position < end ? { name, from: open, to: end } : undefined;
    }
    const call = scanMacroAt(text, open);
    if (call?.ok) {
      return position < call.macro.end
        ? { name: call.macro.name, from: open, to: call.macro.end }
        : undefined;
    }
    open = text.lastIndexOf('[[', open - 1);
  }
  return undefined;
}
