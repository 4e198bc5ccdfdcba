import MarkdownIt, { type StateInline, type Token } from 'markdown-it';
import {
  type Locate,
  locateMacro,
  locateProblem,
  type MacroCall,
  type MacroScan,
  type MacroWarning,
  scanMacroAt,
} from './macro-syntax';
import { TextLines } from './text-lines';

/*
 * Macros in a Markdown post, in two phases over one parse: first every call in document order
 * (so a renderer can run them as one batch), then the HTML with each call's output in its place.
 * Only inline text holds macros: markdown-it never hands code spans, fenced or indented code,
 * or image descriptions to the inline rule below as text, so macros there stay as written.
 */

/** Block: the macro was alone in its paragraph, which it replaces (no `<p>` around it). */
export type MacroPlacement = 'block' | 'inline';

export interface PlacedMacroCall extends MacroCall {
  readonly placement: MacroPlacement;
}

export interface MacroDocument {
  /** Every well-formed macro outside code, in document order. */
  readonly calls: readonly PlacedMacroCall[];
  /** Malformed macros (left as text) and problems in well-formed ones, in document order. */
  readonly warnings: readonly MacroWarning[];
  /**
   * The post as HTML with `htmlFor(call, index)` in place of each call. That HTML goes in as
   * given: the caller sanitizes it. Raw HTML written in the Markdown itself is escaped.
   */
  render(htmlFor: (call: PlacedMacroCall, index: number) => string): string;
}

const inlineMacro = 'macro';
const blockMacro = 'macro_block';
/** Stands for a malformed macro's `[[` until its warning is read; then it becomes plain text. */
const malformedMacro = 'macro_malformed';
const escapedOpen = '\\[[';
const open = '[[';

/** What the inline rule scanned for each token it pushed, read back once parsing is done. */
const scans = new WeakMap<Token, MacroScan>();

const markdown = new MarkdownIt();
// Before `escape`, so `\[[` is claimed here whole: markdown-it alone would unescape only the
// first `[` and could then read `[x]]` as a reference link.
markdown.inline.ruler.before('escape', 'macro', macroRule);
// Render time fills in `content` with each call's HTML.
markdown.renderer.rules[inlineMacro] = (tokens, index) => tokens[index]!.content;
markdown.renderer.rules[blockMacro] = (tokens, index) => `${tokens[index]!.content}\n`;

export function parseMacroDocument(text: string): MacroDocument {
  const tokens = markdown.parse(text, {});
  const { macros, warnings } = collectMacros(tokens, new TextLines(text));
  const blocks = replaceLoneMacroParagraphs(tokens);
  return {
    calls: macros.map((macro) => macro.call),
    warnings,
    render(htmlFor) {
      macros.forEach(({ token, call }, index) => {
        token.content = htmlFor(call, index);
      });
      return markdown.renderer.render(blocks, markdown.options, {});
    },
  };
}

/**
 * Claims `\[[` as a literal `[[`, a well-formed macro as one token, and a malformed macro's `[[`
 * as text, so the rest of it is read as the ordinary Markdown it then is.
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

interface FoundMacro {
  readonly token: Token;
  readonly call: PlacedMacroCall;
}

function collectMacros(
  tokens: readonly Token[],
  source: TextLines,
): { macros: FoundMacro[]; warnings: MacroWarning[] } {
  const macros: FoundMacro[] = [];
  const warnings: MacroWarning[] = [];
  const cells = new TableCellLocator(source);
  tokens.forEach((block, index) => {
    if (block.type === 'tr_open') cells.startRow(block);
    if (block.type !== 'inline' || !block.children) return;
    const locate = isTableCell(tokens[index - 1]) ? cells.next(block.content) : blockLocator(block, source);
    const placement: MacroPlacement = loneMacro(tokens, index - 1) ? 'block' : 'inline';
    for (const child of block.children) {
      if (child.type === 'image') restoreAsText(child.children ?? []);
      const scan = scans.get(child);
      if (scan === undefined) continue;
      if (scan.ok) {
        macros.push({ token: child, call: { ...locateMacro(scan.macro, locate), placement } });
        warnings.push(...scan.problems.map((problem) => locateProblem(problem, locate)));
      } else {
        warnings.push(locateProblem(scan.problem, locate));
        child.type = 'text';
      }
    }
  });
  return { macros, warnings };
}

/** An image description is plain text in an attribute: macros in it stay as written, unreported. */
function restoreAsText(description: readonly Token[]): void {
  for (const token of description) {
    if (token.type === inlineMacro || token.type === malformedMacro) token.type = 'text';
  }
}

/** A paragraph whose whole content is one well-formed macro becomes that macro, as a block. */
function replaceLoneMacroParagraphs(tokens: readonly Token[]): Token[] {
  const result: Token[] = [];
  for (let index = 0; index < tokens.length; index++) {
    const macro = loneMacro(tokens, index);
    if (macro === undefined) {
      result.push(tokens[index]!);
      continue;
    }
    macro.type = blockMacro;
    macro.block = true;
    result.push(macro);
    index += 2;
  }
  return result;
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
