import type { markdown } from '@codemirror/lang-markdown';
import { syntaxTree } from '@codemirror/language';
import { type EditorState, type Extension, StateField, type Text } from '@codemirror/state';
import { EditorView, type Panel, showPanel } from '@codemirror/view';
import { formatCount } from '../core/size-limits';

/*
 * Keeps the Markdown editor fast on a huge post, the way VS Code stops tokenizing lines over
 * `editor.maxTokenizationLineLength`. The Markdown parser's link syntax is quadratic in the links of
 * one paragraph (every link it closes walks back over all that came before it), and `[[macro]]`
 * parses as links: a paragraph of 5,000 calls took a third of a second to parse on every edit,
 * one of 100,000 minutes, and the thousands of spans its highlighting drew made each keystroke's
 * layout and selection update take another second. So the inline text of a block (a paragraph, a
 * heading) longer than `inlineHighlightLimit` is left unparsed, drawn as plain text, and a note
 * under the editor says so. Blocks (headings, lists, code) are still parsed and coloured. A line
 * over `wrappedLineLimit` also turns line wrapping off: a keystroke in a 900 KB line laid out
 * 20,000 characters of it three times, 160 ms each.
 */

/**
 * The longest inline text of one block that is still highlighted, in characters: a long paragraph
 * is 2,000. At this length a paragraph packed with links parses in tens of milliseconds.
 */
export const inlineHighlightLimit = 10_000;

/** The node that stands for a block's inline text left unparsed, from start to end. */
const unhighlightedNode = 'UnhighlightedText';

type MarkdownExtension = NonNullable<NonNullable<Parameters<typeof markdown>[0]>['extensions']>;

/** For `markdown({ extensions })`: inline text over the limit becomes one plain node. */
export const plainLongInlineText: MarkdownExtension = {
  defineNodes: [unhighlightedNode],
  parseInline: [
    {
      name: unhighlightedNode,
      // First, so no other inline parser looks at a character of it.
      before: 'Escape',
      parse: (context, _next, position) =>
        context.text.length > inlineHighlightLimit
          ? context.addElement(context.elt(unhighlightedNode, position, context.end))
          : -1,
    },
  ],
};

/** Where the first block whose text is left unhighlighted starts, or null when there is none. */
export function firstUnhighlightedBlock(state: EditorState): number | null {
  let found: number | null = null;
  syntaxTree(state).iterate({
    enter: (node) => {
      if (found !== null) return false;
      if (node.name === unhighlightedNode) {
        found = node.from;
        return false;
      }
      // Only a node longer than the limit can hold one: a normal post's paragraphs are skipped whole.
      return node.to - node.from > inlineHighlightLimit;
    },
  });
  return found;
}

/** The start of the first unhighlighted block, kept up to date as the parse goes on. */
const unhighlightedBlock = StateField.define<number | null>({
  create: firstUnhighlightedBlock,
  update: (value, transaction) =>
    transaction.docChanged || syntaxTree(transaction.state) !== syntaxTree(transaction.startState)
      ? firstUnhighlightedBlock(transaction.state)
      : value,
  provide: (field) => showPanel.from(field, (start) => (start === null ? null : notePanel)),
});

function notePanel(view: EditorView): Panel {
  const dom = document.createElement('div');
  dom.className = 'cm-unhighlighted-note';
  dom.setAttribute('role', 'status');
  const write = (state: EditorState) => {
    const start = state.field(unhighlightedBlock);
    const line = start === null ? '' : ` (the first at line ${formatCount(state.doc.lineAt(start).number)})`;
    dom.textContent =
      `Highlighting is off for paragraphs over ${formatCount(inlineHighlightLimit)} characters${line}, ` +
      'so that typing stays fast in this large post.';
  };
  write(view.state);
  return {
    dom,
    update: (update) => {
      if (update.state.field(unhighlightedBlock) !== update.startState.field(unhighlightedBlock))
        write(update.state);
    },
  };
}

const noteTheme = EditorView.theme({
  '.cm-unhighlighted-note': { padding: '0.2rem 0.5rem', fontSize: '12px', color: 'var(--muted, #555)' },
});

/**
 * The longest line that is wrapped. CodeMirror lays out a wrapped line 20,000 characters at a time
 * around the cursor, on every keystroke; unwrapped, only what is in view.
 */
export const wrappedLineLimit = 10_000;

/** Where the first line over `wrappedLineLimit` between `from` and `to` starts, or null. */
function longLineIn(doc: Text, from = 0, to = doc.length): number | null {
  for (let position = from; position <= to; ) {
    const line = doc.lineAt(position);
    if (line.length > wrappedLineLimit) return line.from;
    position = line.to + 1;
  }
  return null;
}

/**
 * Where a line over `wrappedLineLimit` starts, or null. A keystroke looks at the lines it changed,
 * and at the long line it knew of; the whole text only once that line is no longer long.
 */
const longLine = StateField.define<number | null>({
  create: (state) => longLineIn(state.doc),
  update: (known, transaction) => {
    if (!transaction.docChanged) return known;
    const doc = transaction.state.doc;
    if (known !== null) {
      const line = doc.lineAt(transaction.changes.mapPos(known));
      return line.length > wrappedLineLimit ? line.from : longLineIn(doc);
    }
    let found: number | null = null;
    transaction.changes.iterChangedRanges((_fromA, _toA, from, to) => {
      found ??= longLineIn(doc, from, to);
    });
    return found;
  },
  provide: (field) =>
    EditorView.contentAttributes.from(
      field,
      (start): Record<string, string> => (start === null ? { class: 'cm-lineWrapping' } : {}),
    ),
});

/**
 * Line wrapping, but for a text with a line over `wrappedLineLimit`, and the note under the editor
 * while a block is left unhighlighted (with `plainLongInlineText`).
 */
export const largeTextGuard: Extension = [longLine, unhighlightedBlock, noteTheme];
