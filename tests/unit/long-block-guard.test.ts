// @vitest-environment jsdom
import { syntaxTree } from '@codemirror/language';
import { StateEffect } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { afterEach, describe, expect, it } from 'vitest';
import '../../src/ui/code-editor';
import type { CodeEditor } from '../../src/ui/code-editor';
import { inlineHighlightLimit } from '../../src/ui/long-block-guard';

/*
 * A huge post keeps the Markdown editor fast: a block whose inline text is over the limit is left
 * unparsed (the parser's link syntax, which `[[macro]]` is taken for, is quadratic in a paragraph's
 * links), a line over the limit is not wrapped, and a note under the editor says highlighting is off;
 * a normal post is highlighted and wrapped as before.
 */

async function markdownEditor(value: string): Promise<{ editor: CodeEditor; view: EditorView }> {
  const editor = document.createElement('pymark-code-editor') as CodeEditor;
  editor.language = 'markdown';
  editor.label = 'Markdown of a post';
  editor.value = value;
  document.body.append(editor);
  await editor.updateComplete;
  const view = EditorView.findFromDOM(editor.shadowRoot!.querySelector('.cm-editor') as HTMLElement)!;
  return { editor, view };
}

const note = (editor: CodeEditor) => editor.shadowRoot!.querySelector('.cm-unhighlighted-note');
const wraps = (view: EditorView) => view.contentDOM.classList.contains('cm-lineWrapping');

/**
 * Resolves once `holds()` is true: now, or after the editor update that makes it so. The background
 * parse advances in time slices, so this waits for what it does, however long a busy machine takes.
 */
function once(view: EditorView, holds: () => boolean): Promise<void> {
  if (holds()) return Promise.resolve();
  return new Promise((resolve) => {
    let done = false;
    const listener = EditorView.updateListener.of(() => {
      if (done || !holds()) return;
      done = true;
      resolve();
    });
    view.dispatch({ effects: StateEffect.appendConfig.of(listener) });
  });
}

/** The names of the syntax nodes between `from` and `to`, once the parse has reached `to`. */
async function nodesIn(view: EditorView, from: number, to: number): Promise<Set<string>> {
  await once(view, () => syntaxTree(view.state).length >= to);
  const names = new Set<string>();
  syntaxTree(view.state).iterate({ from, to, enter: (node) => void names.add(node.name) });
  return names;
}

afterEach(() => document.body.replaceChildren());

describe('the Markdown editor on a huge post', () => {
  it('leaves a paragraph over the limit unhighlighted and says so', async () => {
    const calls = '[[tiny]] '.repeat(Math.ceil(inlineHighlightLimit / 9) + 1);
    const body = `# Title\n\nA [[tiny]] call.\n\n${calls}\n\nAfter.\n`;
    const { editor, view } = await markdownEditor(body);

    await once(view, () => note(editor) !== null);
    expect(note(editor)!.getAttribute('role')).toBe('status');
    expect(note(editor)!.textContent).toBe(
      'Highlighting is off for paragraphs over 10,000 characters (the first at line 5), ' +
        'so that typing stays fast in this large post.',
    );
    const long = body.indexOf(calls);
    const inLong = await nodesIn(view, long, long + calls.length);
    expect(inLong.has('Link')).toBe(false);
    expect(inLong.has('UnhighlightedText')).toBe(true);
    // One line of 10,000 characters and more is not wrapped either: CodeMirror would lay out
    // 20,000 characters of it on every keystroke.
    expect(wraps(view)).toBe(false);
    // The short paragraph and the heading before it are highlighted as ever.
    const short = await nodesIn(view, 0, long - 2);
    expect(short.has('Link')).toBe(true);
    expect(short.has('ATXHeading1')).toBe(true);
  });

  it('wraps and shows no note for a normal post, and again once the long paragraph is gone', async () => {
    const { editor, view } = await markdownEditor('Before.\n\n[[tiny]] [[tiny]]\n\nAfter.\n');
    expect((await nodesIn(view, 0, view.state.doc.length)).has('Link')).toBe(true);
    expect(note(editor)).toBeNull();
    expect(wraps(view)).toBe(true);

    const long = 'x '.repeat(inlineHighlightLimit);
    view.dispatch({ changes: { from: view.state.doc.length, insert: `${long}\n` } });
    await once(view, () => note(editor) !== null);
    expect(wraps(view)).toBe(false);
    view.dispatch({ changes: { from: view.state.doc.length - long.length - 1, to: view.state.doc.length } });
    await once(view, () => note(editor) === null);
    expect(wraps(view)).toBe(true);
  });
});
