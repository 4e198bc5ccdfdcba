import MarkdownIt, { type StateBlock, type StateInline, type Token } from 'markdown-it';
import {
  type ClosingScan,
  type Locate,
  locateMacro,
  locateProblem,
  type MacroCall,
  type MacroScan,
  type MacroWarning,
  type ParsedMacro,
  type SyntaxProblem,
  scanClosingAt,
  scanMacroAt,
} from './macro-syntax';
import { TextLines } from './text-lines';

/*
 * Macros in a Markdown post, in two phases over one parse: first every call in document order
 * (so a renderer can run them in batches), then the HTML with each call's output in its place.
 * Only inline text holds macros: markdown-it never hands code spans, fenced or indented code,
 * or image descriptions to the inline rule below as text, so macros there stay as written.
 *
 * A paired call, `[[name …]]` body `[[/name]]`, is found in one of two ways. When its opening and
 * closing calls stand on lines of their own, a block rule claims the lines between as its body,
 * which markdown-it parses as Markdown like a block quote's; otherwise both calls must be in the
 * same paragraph (or heading, or cell), and the inline text between them is the body.
 */

/** Block: the macro stands as a block of its own (no `<p>` around it); inline: inside a paragraph. */
export type MacroPlacement = 'block' | 'inline';

/** What a paired call encloses. */
export interface MacroBody {
  /** The body's Markdown as written between the opening and the closing call. */
  readonly source: string;
  /** 1-based line and column of the closing call's `[[/`. */
  readonly closingLine: number;
  readonly closingColumn: number;
}

export interface PlacedMacroCall extends MacroCall {
  readonly placement: MacroPlacement;
  /** Present for a paired call: its body. */
  readonly body?: MacroBody;
  /** Index (in `calls`) of the paired call whose body holds this call; absent at the top. */
  readonly parent?: number;
  /** How many paired calls enclose this one: 0 at the top. */
  readonly depth: number;
}

export interface MacroDocumentOptions {
  /**
   * Whether a macro takes a body (see macro-params.ts): its call without a closing call is then
   * an error, left as text, instead of a single call.
   */
  readonly takesBody?: (name: string) => boolean;
}

export interface MacroDocument {
  /** Every well-formed macro outside code, in document order (a paired call before its body's). */
  readonly calls: readonly PlacedMacroCall[];
  /** Malformed macros (left as text) and problems in well-formed ones, in document order. */
  readonly warnings: readonly MacroWarning[];
  /**
   * The post as HTML with `htmlFor(call, index)` in place of each top-level call (a paired call's
   * HTML stands for it and its body). That HTML goes in as given: the caller sanitizes it. Raw
   * HTML written in the Markdown itself is escaped.
   */
  render(htmlFor: (call: PlacedMacroCall, index: number) => string): string;
  /** The body of paired call `index` as HTML, with `htmlFor(call, index)` in place of each call in it. */
  renderBody(index: number, htmlFor: (call: PlacedMacroCall, index: number) => string): string;
}

const inlineMacro = 'macro';
const blockMacro = 'macro_block';
/** Stands for a closing call until its opening call is found; then it is folded away. */
const closingMacro = 'macro_closing';
/** Stands for a malformed macro's `[[` until its warning is read; then it becomes plain text. */
const malformedMacro = 'macro_malformed';
const pairOpen = 'macro_pair_open';
const pairClose = 'macro_pair_close';
const escapedOpen = '\\[[';
const open = '[[';
const closingOpen = '[[/';

/** What the inline rule scanned for each token it pushed, read back once parsing is done. */
const scans = new WeakMap<Token, MacroScan>();
const closingScans = new WeakMap<Token, ClosingScan>();

/** What the block rule found for a paired call on lines of its own. */
interface BlockPair {
  readonly macro: ParsedMacro;
  readonly problems: readonly SyntaxProblem[];
  /** 0-based line of the opening call, and its text there (without container markers). */
  readonly line: number;
  readonly lineText: string;
  readonly closingLine: number;
  readonly body: string;
}
const blockPairs = new WeakMap<Token, BlockPair>();
/** A block pair's body, by its opening token, once foldBlocks has taken it out of the document. */
const pairBodies = new WeakMap<Token, Token[]>();

const markdown = new MarkdownIt();
// Before `escape`, so `\[[` is claimed here whole: markdown-it alone would unescape only the
// first `[` and could then read `[x]]` as a reference link.
markdown.inline.ruler.before('escape', 'macro', macroRule);
// Before `reference`, which would read a line starting with `[` as a link definition; a paired
// call may interrupt a paragraph, a list or a quote, as a fenced code block does.
markdown.block.ruler.before('reference', 'macro_pair', pairedBlockRule, {
  alt: ['paragraph', 'reference', 'blockquote', 'list'],
});
// Render time fills in `content` with each call's HTML.
markdown.renderer.rules[inlineMacro] = (tokens, index) => tokens[index]!.content;
markdown.renderer.rules[blockMacro] = (tokens, index) => `${tokens[index]!.content}\n`;

export function parseMacroDocument(text: string, options: MacroDocumentOptions = {}): MacroDocument {
  const tokens = markdown.parse(text, {});
  const collector = new MacroCollector(new TextLines(text), options.takesBody ?? (() => false));
  collector.collect(tokens);
  const blocks = foldBlocks(tokens);
  const { found } = collector;
  // Only the calls that the HTML being rendered shows directly: a paired call's HTML holds its body.
  const fill = (parent: number | undefined, htmlFor: (call: PlacedMacroCall, index: number) => string) => {
    found.forEach(({ token, call }, index) => {
      if (call.parent === parent) token.content = htmlFor(call, index);
    });
  };
  return {
    calls: found.map((macro) => macro.call),
    warnings: collector.warnings,
    render(htmlFor) {
      fill(undefined, htmlFor);
      return markdown.renderer.render(blocks, markdown.options, {});
    },
    renderBody(index, htmlFor) {
      const macro = found[index];
      if (macro?.body === undefined) throw new RangeError(`Call ${index} has no body`);
      fill(index, htmlFor);
      return macro.body.kind === 'block'
        ? markdown.renderer.render(pairBodies.get(macro.token) ?? [], markdown.options, {})
        : markdown.renderer.renderInline(macro.body.tokens, markdown.options, {});
    },
  };
}

/**
 * Claims `\[[` as a literal `[[`, a well-formed macro or closing call as one token, and a
 * malformed one's `[[` as text, so the rest of it is read as the ordinary Markdown it then is.
 */
function macroRule(state: StateInline, silent: boolean): boolean {
  const { src, pos } = state;
  if (src.startsWith(escapedOpen, pos) && pos + escapedOpen.length <= state.posMax) {
    if (!silent) state.push('text', '', 0).content = open;
    state.pos += escapedOpen.length;
    return true;
  }
  // A link's text is first measured in silent mode, where a token longer than one `[` would be
  // taken for a nested link; macros are claimed only when that text is parsed for real.
  if (silent) return false;
  const closing = scanClosingAt(src, pos);
  if (closing !== null) {
    const end = closing.ok ? closing.closing.end : pos + open.length;
    if (end > state.posMax) return false;
    const token = state.push(closing.ok ? closingMacro : malformedMacro, '', 0);
    token.content = closing.ok ? closing.closing.source : open;
    closingScans.set(token, closing);
    state.pos = end;
    return true;
  }
  const scan = scanMacroAt(src, pos);
  if (scan === null) return false;
  const end = scan.ok ? scan.macro.end : pos + open.length;
  // Inside a link's text, a macro must close before the text does.
  if (end > state.posMax) return false;
  const token = state.push(scan.ok ? inlineMacro : malformedMacro, '', 0);
  token.content = scan.ok ? scan.macro.source : open;
  scans.set(token, scan);
  state.pos = end;
  return true;
}

/**
 * A line that is a whole opening call, with a line further on that is its whole closing call
 * (same name; calls of that name opened between them nest), in the same container: the lines
 * between are its body, parsed as blocks. An opening call spanning lines is never a block pair.
 */
function pairedBlockRule(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  const lineText = contentOfLine(state, startLine);
  if (!lineText.startsWith(open) || lineText.startsWith(closingOpen)) return false;
  const scan = scanMacroAt(lineText, 0);
  if (scan === null || !scan.ok || scan.macro.end !== lineText.length) return false;
  const closingLine = findClosingLine(state, startLine + 1, endLine, scan.macro.name);
  if (closingLine === undefined) return false;
  if (silent) return true;

  const parentType = state.parentType;
  const lineMax = state.lineMax;
  // As markdown-it's own containers do: the body is parsed up to, not into, the closing line.
  state.parentType = 'macro_pair' as StateBlock['parentType'];
  state.lineMax = closingLine;
  const opener = state.push(pairOpen, '', 1);
  opener.block = true;
  opener.map = [startLine, closingLine + 1];
  blockPairs.set(opener, {
    macro: scan.macro,
    problems: scan.problems,
    line: startLine,
    lineText,
    closingLine,
    body: state.getLines(startLine + 1, closingLine, state.blkIndent, false),
  });
  state.md.block.tokenize(state, startLine + 1, closingLine);
  state.push(pairClose, '', -1).block = true;
  state.parentType = parentType;
  state.lineMax = lineMax;
  state.line = closingLine + 1;
  return true;
}

function findClosingLine(state: StateBlock, from: number, endLine: number, name: string): number | undefined {
  if (!holdsClosingMark(state, from, endLine)) return undefined;
  let depth = 1;
  let fence: string | undefined;
  for (let line = from; line < endLine; line++) {
    const text = contentOfLine(state, line);
    // A line less indented than the container's blocks has left it (e.g. the end of a list item).
    if (text !== '' && state.sCount[line]! < state.blkIndent) return undefined;
    const fenceMarker = /^(`{3,}|~{3,})/.exec(text)?.[1];
    if (fence === undefined && fenceMarker !== undefined) fence = fenceMarker;
    else if (fence !== undefined && fenceMarker?.startsWith(fence) && text.trim() === fenceMarker)
      fence = undefined;
    if (fence !== undefined || fenceMarker !== undefined) continue;
    const closing = scanClosingAt(text, 0);
    if (closing?.ok && closing.closing.name === name && closing.closing.end === text.length) {
      depth--;
      if (depth === 0) return line;
      continue;
    }
    const opening = text.startsWith(closingOpen) ? null : scanMacroAt(text, 0);
    if (opening?.ok && opening.macro.name === name && opening.macro.end === text.length) depth++;
  }
  return undefined;
}

/** Where `[[/` occurs in each parse's source (by its `env`), found once per parse. */
const closingMarks = new WeakMap<object, number[]>();

/**
 * Whether a `[[/` starts in lines `from` to `endLine` (exclusive), which a closing line needs. Without
 * it, a post of 100,000 lines that each hold one call walked every later line for each of them.
 */
function holdsClosingMark(state: StateBlock, from: number, endLine: number): boolean {
  let marks = closingMarks.get(state.env);
  if (marks === undefined) {
    marks = [];
    for (let at = state.src.indexOf(closingOpen); at !== -1; at = state.src.indexOf(closingOpen, at + 1))
      marks.push(at);
    closingMarks.set(state.env, marks);
  }
  const start = state.bMarks[from]!;
  const end = state.bMarks[endLine] ?? state.src.length;
  // The first mark at or after `start`, by bisection.
  let low = 0;
  let high = marks.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (marks[middle]! < start) low = middle + 1;
    else high = middle;
  }
  return low < marks.length && marks[low]! < end;
}

/** A line's text inside its container (after `> ` or a list item's indentation), trailing spaces cut. */
function contentOfLine(state: StateBlock, line: number): string {
  return state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]!).trimEnd();
}

/** A block pair's body tokens are in `pairBodies`, filled in by foldBlocks. */
type FoundBody = { readonly kind: 'block' } | { readonly kind: 'inline'; readonly tokens: Token[] };

interface FoundMacro {
  readonly token: Token;
  call: PlacedMacroCall;
  body?: FoundBody;
}

/** Walks the tokens once, in document order, finding every call and pairing calls with their bodies. */
class MacroCollector {
  readonly found: FoundMacro[] = [];
  readonly warnings: MacroWarning[] = [];
  private readonly cells: TableCellLocator;

  constructor(
    private readonly source: TextLines,
    private readonly takesBody: (name: string) => boolean,
  ) {
    this.cells = new TableCellLocator(source);
  }

  collect(tokens: readonly Token[]): void {
    // Paired calls on lines of their own that are open at this point of the walk.
    const enclosing: FoundMacro[] = [];
    tokens.forEach((token, index) => {
      if (token.type === 'tr_open') this.cells.startRow(token);
      const pair = blockPairs.get(token);
      if (pair !== undefined) {
        const shift = Math.max(0, this.source.lineText(pair.line).lastIndexOf(pair.lineText));
        const locate: Locate = (offset) => this.source.pointOnLine(pair.line, shift + offset);
        const found = this.add(token, pair.macro, pair.problems, locate, 'block', enclosing.at(-1));
        const closingText = this.source.lineText(pair.closingLine);
        const closingColumn = Math.max(0, closingText.lastIndexOf(closingOpen)) + 1;
        found.call = {
          ...found.call,
          body: { source: pair.body, closingLine: pair.closingLine + 1, closingColumn },
        };
        found.body = { kind: 'block' };
        enclosing.push(found);
        return;
      }
      if (token.type === pairClose) enclosing.pop();
      if (token.type !== 'inline' || !token.children) return;
      const locate = isTableCell(tokens[index - 1])
        ? this.cells.next(token.content)
        : blockLocator(token, this.source);
      const before = this.found.length;
      this.collectInline(token, locate, enclosing.at(-1));
      // Only now, with bodies folded away, can a paragraph be seen to hold nothing but one call.
      const lone = loneMacro(tokens, index - 1);
      if (lone !== undefined) {
        const macro = this.found.slice(before).find((candidate) => candidate.token === lone);
        if (macro) macro.call = { ...macro.call, placement: 'block' };
      }
    });
  }

  private collectInline(block: Token, locate: Locate, enclosing: FoundMacro | undefined): void {
    const children = block.children ?? [];
    const closers = this.pairInline(children, locate);
    const fold = (list: Token[], parent: FoundMacro | undefined): Token[] => {
      const kept: Token[] = [];
      for (let index = 0; index < list.length; index++) {
        const child = list[index]!;
        const scan = scans.get(child);
        if (child.type !== inlineMacro || !scan?.ok) {
          kept.push(child);
          continue;
        }
        const closer = closers.get(child);
        const name = scan.macro.name;
        if (closer === undefined && this.takesBody(name)) {
          this.warn(
            scan.macro.start,
            locate,
            `[[${name}]] is never closed: add [[/${name}]] after its body (in the same paragraph, or on a line of its own)`,
          );
          child.type = 'text';
          kept.push(child);
          continue;
        }
        const found = this.add(child, scan.macro, scan.problems, locate, 'inline', parent);
        kept.push(child);
        if (closer === undefined) continue;
        const closingAt = list.indexOf(closer.token, index + 1);
        if (closingAt < 0) continue;
        const closing = locate(closer.start);
        found.call = {
          ...found.call,
          body: {
            source: block.content.slice(scan.macro.end, closer.start),
            closingLine: closing.line,
            closingColumn: closing.column,
          },
        };
        found.body = { kind: 'inline', tokens: fold(list.slice(index + 1, closingAt), found) };
        index = closingAt;
      }
      return kept;
    };
    block.children = fold(children, enclosing);
  }

  /**
   * Matches each closing call with the nearest open call of its name in the same inline text.
   * Calls opened after that one are inside its body, so they can no longer be closed after it.
   * A closing call that matches nothing is stray: a warning, and text.
   */
  private pairInline(
    children: readonly Token[],
    locate: Locate,
  ): Map<Token, { token: Token; start: number }> {
    const closers = new Map<Token, { token: Token; start: number }>();
    const open: Token[] = [];
    for (const child of children) {
      if (child.type === 'image') restoreAsText(child.children ?? []);
      const scan = scans.get(child);
      const closing = closingScans.get(child);
      if (scan?.ok) {
        open.push(child);
      } else if (scan !== undefined) {
        this.warnings.push(locateProblem(scan.problem, locate));
        child.type = 'text';
      } else if (closing !== undefined && !closing.ok) {
        this.warnings.push(locateProblem(closing.problem, locate));
        child.type = 'text';
      } else if (closing?.ok) {
        const { name, start } = closing.closing;
        const opener = open.findLastIndex((candidate) => nameOf(candidate) === name);
        if (opener < 0) {
          this.warn(start, locate, strayMessage(name));
          child.type = 'text';
          continue;
        }
        closers.set(open[opener]!, { token: child, start });
        open.length = opener;
      }
    }
    return closers;
  }

  private add(
    token: Token,
    macro: ParsedMacro,
    problems: readonly SyntaxProblem[],
    locate: Locate,
    placement: MacroPlacement,
    parent: FoundMacro | undefined,
  ): FoundMacro {
    const parentIndex = parent === undefined ? undefined : this.found.indexOf(parent);
    const call: PlacedMacroCall = {
      ...locateMacro(macro, locate),
      placement,
      depth: parent === undefined ? 0 : parent.call.depth + 1,
      ...(parentIndex === undefined ? {} : { parent: parentIndex }),
    };
    const found: FoundMacro = { token, call };
    this.found.push(found);
    this.warnings.push(...problems.map((problem) => locateProblem(problem, locate)));
    return found;
  }

  private warn(offset: number, locate: Locate, message: string): void {
    this.warnings.push(locateProblem({ offset, message }, locate));
  }
}

function nameOf(token: Token): string | undefined {
  const scan = scans.get(token);
  return scan?.ok ? scan.macro.name : undefined;
}

function strayMessage(name: string): string {
  return `[[/${name}]] closes nothing: no [[${name}]] is open before it (a call opened inside another paired call must close inside it too)`;
}

/** An image description is plain text in an attribute: macros in it stay as written, unreported. */
function restoreAsText(description: readonly Token[]): void {
  for (const token of description) {
    if (token.type === inlineMacro || token.type === malformedMacro || token.type === closingMacro) {
      token.type = 'text';
    }
  }
}

/**
 * Replaces each paragraph holding only one call by that call, as a block, and each paired call on
 * lines of its own by its opening call, whose body tokens go to the call found for it.
 */
function foldBlocks(tokens: readonly Token[]): Token[] {
  const result: Token[] = [];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.type === pairOpen) {
      const closing = matchingClose(tokens, index);
      const body = foldBlocks(tokens.slice(index + 1, closing));
      pairBodies.set(token, body);
      token.type = blockMacro;
      result.push(token);
      index = closing;
      continue;
    }
    const macro = loneMacro(tokens, index);
    if (macro === undefined) {
      result.push(token);
      continue;
    }
    macro.type = blockMacro;
    macro.block = true;
    result.push(macro);
    index += 2;
  }
  return result;
}

function matchingClose(tokens: readonly Token[], openAt: number): number {
  let depth = 0;
  for (let index = openAt; index < tokens.length; index++) {
    if (tokens[index]!.type === pairOpen) depth++;
    if (tokens[index]!.type === pairClose && --depth === 0) return index;
  }
  return tokens.length;
}

/** The macro token when `tokens[index]` opens a paragraph that holds nothing else. */
function loneMacro(tokens: readonly Token[], index: number): Token | undefined {
  if (tokens[index]?.type !== 'paragraph_open' || tokens[index + 2]?.type !== 'paragraph_close') return;
  const children = tokens[index + 1]?.children;
  const only = children?.length === 1 ? children[0] : undefined;
  return only?.type === inlineMacro ? only : undefined;
}

function isTableCell(opener: Token | undefined): boolean {
  return opener?.type === 'td_open' || opener?.type === 'th_open';
}

/*
 * markdown-it tells only which lines a block spans, and hands the inline rule the block's content
 * with container markers (`> `, list indentation), heading marks and surrounding whitespace cut
 * from each line. So offsets in that content are mapped back by finding each content line again
 * in its source line.
 */

/**
 * For a paragraph or heading: content line k is on source line `map[0] + k`, at the last
 * occurrence of its trimmed text (only whitespace or a heading's closing `#` run can follow it).
 */
function blockLocator(inline: Token, source: TextLines): Locate {
  const firstLine = inline.map?.[0] ?? 0;
  const shifts = inline.content.split('\n').map((line, lineOffset) => {
    const found = source.lineText(firstLine + lineOffset).lastIndexOf(line.trim());
    const leading = line.length - line.trimStart().length;
    return Math.max(0, found) - leading;
  });
  const content = new TextLines(inline.content);
  return (offset) => {
    const point = content.pointAt(offset);
    return source.pointOnLine(firstLine + point.line - 1, shifts[point.line - 1]! + point.column - 1);
  };
}

/**
 * For table cells, which have no line of their own: a cell is on its row's line, at the first
 * occurrence of its text after the previous cell. A cell whose `\|` markdown-it unescaped is not
 * found verbatim; it is placed just after the previous cell.
 */
class TableCellLocator {
  private rowLine = 0;
  private searchFrom = 0;

  constructor(private readonly source: TextLines) {}

  startRow(row: Token): void {
    this.rowLine = row.map?.[0] ?? this.rowLine;
    this.searchFrom = 0;
  }

  next(cell: string): Locate {
    const found = this.source.lineText(this.rowLine).indexOf(cell, this.searchFrom);
    const column = found < 0 ? this.searchFrom : found;
    this.searchFrom = column + cell.length;
    return (offset) => this.source.pointOnLine(this.rowLine, column + offset);
  }
}
