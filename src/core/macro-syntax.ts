import type { MacroValue } from './abi';
import { type SourcePoint, TextLines } from './text-lines';

/*
 * The macro language: `[[name key=value key2="quoted value" positional …]]`. docs/macros.md is
 * the specification; this module is its scanner. It knows nothing of Markdown: the caller says
 * where a `[[` is, and markdown-macros.ts decides which `[[` count. Values are the ABI's tagged
 * `MacroValue`s, so a call's params and args go to Python as they are.
 */

/** A well-formed macro, with offsets into the text it was scanned from. */
export interface ParsedMacro {
  /** Lower-cased: names resolve case-insensitively. */
  readonly name: string;
  /** The macro's text as scanned, `[[` to `]]`, name in its original case. */
  readonly source: string;
  /** Named values; of a key given twice, the last. */
  readonly params: Readonly<Record<string, MacroValue>>;
  /** Positional values, in order. */
  readonly args: readonly MacroValue[];
  /** Offset of the `[[`. */
  readonly start: number;
  /** Offset just past the `]]`. */
  readonly end: number;
}

/** A macro located in its document; `line` and `column` (1-based) are those of its `[[`. */
export interface MacroCall extends ParsedMacro {
  readonly line: number;
  readonly column: number;
}

/** Something wrong with a macro, at the offset in the scanned text that the message is about. */
export interface SyntaxProblem {
  readonly message: string;
  readonly offset: number;
}

/** A problem located in its document (1-based line and column) for the editor to point at. */
export interface MacroWarning extends SyntaxProblem {
  readonly line: number;
  readonly column: number;
}

/**
 * The outcome of scanning a macro that opens at a given `[[`. A well-formed macro may still carry
 * problems that did not stop it (a duplicate key, an integer too large); a malformed one carries
 * the problem that did, and its text stays text.
 */
export type MacroScan =
  | { readonly ok: true; readonly macro: ParsedMacro; readonly problems: readonly SyntaxProblem[] }
  | { readonly ok: false; readonly problem: SyntaxProblem };

/** Maps an offset in the scanned text to where it is in the document. */
export type Locate = (offset: number) => SourcePoint;

const open = '[[';
const close = ']]';
/** Inside quotes, a backslash makes these literal; before anything else it is kept as written. */
const escapable = new Set(['"', "'", '\\', ']']);
const integer = /^(?:0|-?[1-9][0-9]*)$/;
const decimal = /^-?(?:0|[1-9][0-9]*)\.[0-9]+$/;
const parameterName = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Scans the macro whose `[[` is at `start`. Null when no macro opens there: the `[[` is not
 * followed at once by a name (`[[ x]]`, `[[1, 2]]`, `[[2024]]`), so it is ordinary text and nothing
 * to warn about.
 */
export function scanMacroAt(text: string, start: number): MacroScan | null {
  if (!text.startsWith(open, start) || !opensName(text, start + open.length)) return null;
  const scanner = new MacroScanner(text, start);
  try {
    return { ok: true, macro: scanner.scan(), problems: scanner.problems };
  } catch (error) {
    if (error instanceof MalformedMacro) return { ok: false, problem: error.problem };
    throw error;
  }
}

/**
 * Every macro in a plain text (no Markdown) with its warnings. A backslash makes the next
 * character literal, so `\[[` is not an opener; a malformed macro is skipped past its `[[` only,
 * so a well-formed one after it is still found.
 */
export function scanMacros(text: string): { calls: MacroCall[]; warnings: MacroWarning[] } {
  const lines = new TextLines(text);
  const locate: Locate = (offset) => lines.pointAt(offset);
  const calls: MacroCall[] = [];
  const warnings: MacroWarning[] = [];
  let index = 0;
  while (index < text.length) {
    if (text[index] === '\\') {
      index += 2;
      continue;
    }
    const scan = scanMacroAt(text, index);
    if (scan === null) {
      index++;
    } else if (scan.ok) {
      calls.push(locateMacro(scan.macro, locate));
      warnings.push(...scan.problems.map((problem) => locateProblem(problem, locate)));
      index = scan.macro.end;
    } else {
      warnings.push(locateProblem(scan.problem, locate));
      index += open.length;
    }
  }
  return { calls, warnings };
}

export function locateMacro(macro: ParsedMacro, locate: Locate): MacroCall {
  const from = locate(macro.start);
  return {
    ...macro,
    start: from.offset,
    end: locate(macro.end).offset,
    line: from.line,
    column: from.column,
  };
}

export function locateProblem(problem: SyntaxProblem, locate: Locate): MacroWarning {
  const at = locate(problem.offset);
  return { message: problem.message, offset: at.offset, line: at.line, column: at.column };
}

class MalformedMacro extends Error {
  constructor(readonly problem: SyntaxProblem) {
    super(problem.message);
  }
}

/** One pass over one macro, left to right; throws `MalformedMacro` at the first fatal problem. */
class MacroScanner {
  readonly problems: SyntaxProblem[] = [];
  private readonly params = new Map<string, MacroValue>();
  private readonly args: MacroValue[] = [];
  private position: number;
  private name = '';

  constructor(
    private readonly text: string,
    private readonly start: number,
  ) {
    this.position = start + open.length;
  }

  scan(): ParsedMacro {
    const nameStart = this.position;
    while (isNameCharacter(this.text[this.position])) this.position++;
    this.name = this.text.slice(nameStart, this.position).toLowerCase();
    this.expectSeparator('the macro name');
    for (;;) {
      this.skipWhitespace();
      if (this.text.startsWith(close, this.position)) break;
      if (this.position >= this.text.length) {
        this.fail(this.start, `Macro "${this.name}" is never closed: add "]]" after its last parameter`);
      }
      if (this.text.startsWith(open, this.position)) {
        this.fail(this.start, `Macro "${this.name}" is not closed with "]]" before the next "[["`);
      }
      this.scanItem();
    }
    const end = this.position + close.length;
    return {
      name: this.name,
      source: this.text.slice(this.start, end),
      params: Object.fromEntries(this.params),
      args: this.args,
      start: this.start,
      end,
    };
  }

  /** A positional value, or `key=value` with optional whitespace around the `=`. */
  private scanItem(): void {
    const itemStart = this.position;
    if (isQuote(this.text[itemStart])) {
      this.args.push({ type: 'str', value: this.scanQuoted() });
      this.expectSeparator('a quoted value');
      return;
    }
    const word = this.scanBare(true);
    const afterWord = this.position;
    this.skipWhitespace();
    if (this.text[this.position] !== '=') {
      this.position = afterWord;
      this.args.push(this.typeBare(word, itemStart));
      return;
    }
    if (!parameterName.test(word)) {
      this.fail(
        itemStart,
        word === ''
          ? `Missing parameter name before "=" in macro "${this.name}"`
          : `"${word}" is not a valid parameter name in macro "${this.name}": use letters, digits, _ and -`,
      );
    }
    const equals = this.position++;
    this.skipWhitespace();
    const value = this.scanValue(word, equals);
    if (this.params.has(word)) {
      this.problems.push({
        offset: itemStart,
        message: `Parameter "${word}" is given more than once in macro "${this.name}"; the last value wins`,
      });
    }
    this.params.set(word, value);
  }

  private scanValue(key: string, equals: number): MacroValue {
    const valueStart = this.position;
    if (isQuote(this.text[valueStart])) {
      const value = this.scanQuoted();
      this.expectSeparator('a quoted value');
      return { type: 'str', value };
    }
    const word = this.scanBare(false);
    if (word === '') this.fail(equals, `Missing value after "${key}=" in macro "${this.name}"`);
    return this.typeBare(word, valueStart);
  }

  /**
   * An unquoted run up to whitespace, `]]`, `[[` or the end; a key also stops at `=`. Quotes
   * inside it are literal, so `title=Don't` is the string `Don't`.
   */
  private scanBare(stopAtEquals: boolean): string {
    const from = this.position;
    while (this.position < this.text.length) {
      const character = this.text[this.position];
      if (isWhitespace(character) || (stopAtEquals && character === '=')) break;
      if (this.text.startsWith(close, this.position) || this.text.startsWith(open, this.position)) break;
      this.position++;
    }
    return this.text.slice(from, this.position);
  }

  private scanQuoted(): string {
    const openingAt = this.position;
    const quote = this.text[openingAt];
    let value = '';
    this.position++;
    while (this.position < this.text.length) {
      const character = this.text[this.position]!;
      const next = this.text[this.position + 1];
      if (character === '\\' && next !== undefined && escapable.has(next)) {
        value += next;
        this.position += 2;
      } else if (character === quote) {
        this.position++;
        return value;
      } else {
        value += character;
        this.position++;
      }
    }
    return this.fail(
      openingAt,
      `Quoted value in macro "${this.name}" is never closed: add the closing ${quote}`,
    );
  }

  /** Unquoted text becomes a bool, int or float only when it is written exactly as one. */
  private typeBare(word: string, offset: number): MacroValue {
    if (word === 'true' || word === 'false') return { type: 'bool', value: word === 'true' };
    const isInteger = integer.test(word);
    if (!isInteger && !decimal.test(word)) return { type: 'str', value: word };
    const value = Number(word);
    if (isInteger ? Number.isSafeInteger(value) : Number.isFinite(value)) {
      return { type: isInteger ? 'int' : 'float', value };
    }
    this.problems.push({
      offset,
      message: `${word} in macro "${this.name}" is too large to pass as a number exactly, so it is passed as a string`,
    });
    return { type: 'str', value: word };
  }

  /**
   * After a name or a value comes whitespace or `]]`; the end of the text and a `[[` are let
   * through for the caller's loop to report as an unclosed macro.
   */
  private expectSeparator(after: string): void {
    const character = this.text[this.position];
    const atBracketPair =
      this.text.startsWith(close, this.position) || this.text.startsWith(open, this.position);
    if (character === undefined || isWhitespace(character) || atBracketPair) return;
    this.fail(
      this.position,
      `Expected a space or "]]" after ${after} in macro "${this.name}", found "${character}"`,
    );
  }

  private skipWhitespace(): void {
    while (isWhitespace(this.text[this.position])) this.position++;
  }

  private fail(offset: number, message: string): never {
    throw new MalformedMacro({ offset, message });
  }
}

/** A closing call, `[[/name]]`, that ends the body of the paired call opened by `[[name …]]`. */
export interface ParsedClosing {
  /** Lower-cased, as call names are. */
  readonly name: string;
  readonly source: string;
  readonly start: number;
  readonly end: number;
}

/** The outcome of scanning at a `[[/`: a closing call, or the problem that keeps it text. */
export type ClosingScan =
  | { readonly ok: true; readonly closing: ParsedClosing }
  | { readonly ok: false; readonly problem: SyntaxProblem };

const closingOpen = '[[/';

/**
 * Scans the closing call whose `[[/` is at `start`: a name, optional spaces, `]]`. Null when no
 * name follows `[[/` (`[[/]]`, `[[/ x]]` stay text, as `[[ x]]` does); a closing call with
 * anything after its name is malformed, since it takes no parameters.
 */
export function scanClosingAt(text: string, start: number): ClosingScan | null {
  if (!text.startsWith(closingOpen, start) || !opensName(text, start + closingOpen.length)) return null;
  let position = start + closingOpen.length;
  while (isNameCharacter(text[position])) position++;
  const name = text.slice(start + closingOpen.length, position).toLowerCase();
  while (text[position] === ' ' || text[position] === '\t') position++;
  if (!text.startsWith(close, position)) {
    return {
      ok: false,
      problem: {
        offset: start,
        message: `Closing call [[/${name}]] takes no parameters: write it as [[/${name}]]`,
      },
    };
  }
  const end = position + close.length;
  return { ok: true, closing: { name, source: text.slice(start, end), start, end } };
}

/**
 * A name is letters, digits and `_`, as script slugs are (a slug may start with a digit: `2col`),
 * but not digits alone, so that `[[1]]` or `[[2024]]` in prose stays text.
 */
function opensName(text: string, at: number): boolean {
  let end = at;
  while (isNameCharacter(text[end])) end++;
  return isMacroName(text.slice(at, end));
}

/** Whether a post can call a macro script with this slug: `[[<slug> …]]` must read as a macro. */
export function isMacroName(slug: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(slug) && !/^[0-9]+$/.test(slug);
}

function isNameCharacter(character: string | undefined): boolean {
  return character !== undefined && /[A-Za-z0-9_]/.test(character);
}

function isQuote(character: string | undefined): boolean {
  return character === '"' || character === "'";
}

/** Space, tab and line breaks: parameters may span lines. */
function isWhitespace(character: string | undefined): boolean {
  return character === ' ' || character === '\t' || character === '\n' || character === '\r';
}
