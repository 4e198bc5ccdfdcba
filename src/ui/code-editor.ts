import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { markdown } from '@codemirror/lang-markdown';
import { python } from '@codemirror/lang-python';
import {
  bracketMatching,
  defaultHighlightStyle,
  HighlightStyle,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from '@codemirror/language';
import { type Diagnostic, lintGutter, setDiagnostics } from '@codemirror/lint';
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search';
import { Compartment, EditorState, type Extension, StateEffect, StateField } from '@codemirror/state';
import {
  Decoration,
  type DecorationSet,
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Script } from '../core/script';
import type { ScriptDiagnostic } from '../runtime/types';
import { imageFiles } from './image-files';
import { largeTextGuard, plainLongInlineText } from './long-block-guard';
import { type MacroInfo, macroInfos, macroIntelligence } from './macro-completion';

/** Marks the line a traceback points at; `null` clears it. */
const setErrorLine = StateEffect.define<number | null>();

const errorLineField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, transaction) {
    for (const effect of transaction.effects) {
      if (!effect.is(setErrorLine)) continue;
      const line = effect.value;
      if (line === null || line < 1 || line > transaction.state.doc.lines) return Decoration.none;
      const from = transaction.state.doc.line(line).from;
      return Decoration.set([Decoration.line({ class: 'cm-error-line' }).range(from)]);
    }
    // Editing invalidates the old traceback's line number.
    return transaction.docChanged ? Decoration.none : decorations;
  },
  provide: (field) => EditorView.decorations.from(field),
});

/** CodeMirror's default colours, but with 4.5:1 contrast on white: its #e40 (escapes, f-strings) has 3.84:1. */
const highlightStyle = HighlightStyle.define(
  defaultHighlightStyle.specs.map((spec) => (spec.color === '#e40' ? { ...spec, color: '#b33c00' } : spec)),
);

const editorTheme = EditorView.theme({
  '&': { height: '100%', fontSize: '14px' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' },
  '.cm-error-line': {
    backgroundColor: 'rgba(220, 38, 38, 0.15)',
    outline: '1px solid rgba(220, 38, 38, 0.5)',
  },
});

export type EditorLanguage = 'python' | 'markdown';

function baseExtensions(language: EditorLanguage): Extension[] {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightActiveLine(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    closeBrackets(),
    syntaxHighlighting(highlightStyle, { fallback: true }),
    // Find and replace: Mod-F, F3 / Mod-G for the next match, Mod-Alt-F... as CodeMirror binds them.
    search({ top: true }),
    highlightSelectionMatches(),
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, indentWithTab]),
    // PEP 8's four spaces, as the bundled scripts use; CodeMirror's default unit is two.
    language === 'python'
      ? [python(), indentUnit.of('    ')]
      : [markdown({ extensions: plainLongInlineText }), largeTextGuard],
    errorLineField,
    language === 'python' ? lintGutter() : [],
    editorTheme,
  ];
}

/**
 * CodeMirror 6 editing Python or Markdown. `value` flows in; edits flow out as `code-change` events, and
 * Mod-S / Mod-Enter as `save-request` / `run-request`.
 */
@customElement('pymark-code-editor')
export class CodeEditor extends LitElement {
  static override styles = css`
    :host {
      display: block;
      position: relative;
      min-height: 0;
      overflow: hidden;
      border: 1px solid var(--border);
      border-radius: 6px;
      background: var(--editor-bg, #fff);
    }
    .host {
      height: 100%;
    }
    /* Tab indents inside the editor, so say how the keyboard gets out, while it is in. */
    .keys {
      position: absolute;
      right: 0.4rem;
      bottom: 0.3rem;
      z-index: 5;
      padding: 0.1rem 0.4rem;
      border-radius: 4px;
      font-size: 0.75rem;
      background: var(--chip-bg);
      color: var(--text);
      pointer-events: none;
      display: none;
    }
    :host(:focus-within) .keys {
      display: block;
    }
  `;

  @property() value = '';
  @property({ type: Number }) errorLine: number | null = null;
  @property() label = 'Script code';
  @property() language: EditorLanguage = 'python';
  /** Problems found in `diagnosticsFor`; shown only while the document is exactly that text. */
  @property({ attribute: false }) diagnostics: readonly ScriptDiagnostic[] = [];
  @property({ attribute: false }) diagnosticsFor: string | null = null;
  /** Who found the problems, shown with each: Python's compiler, or the post preview. */
  @property() diagnosticsSource = 'Python';
  /** The project's scripts, for macro completion and hover in Markdown; emits `open-script` from the hover. */
  @property({ attribute: false }) scripts: readonly Script[] = [];

  private macros: MacroInfo[] = [];

  private view?: EditorView;
  /** The language the editor's state was made for. */
  private stateLanguage?: EditorLanguage;
  /** The next scroll event is the editor following the preview, not the author scrolling. */
  private followingPreview = false;
  /** The accessible name follows renames without rebuilding the editor. */
  private readonly labelCompartment = new Compartment();

  override render() {
    return html`<div class="host"></div>
      <p class="keys" id="keys">Esc then Tab leaves the editor · Ctrl/⌘+F finds</p>`;
  }

  protected override firstUpdated(): void {
    const parent = this.renderRoot.querySelector('.host') as HTMLElement;
    this.view = new EditorView({
      parent,
      root: this.renderRoot as ShadowRoot,
      state: this.createState(this.value),
    });
    // How far down the text is scrolled (0 to 1), e.g. for the post preview to follow.
    this.view.scrollDOM.addEventListener('scroll', (event) => {
      if (this.followingPreview) {
        this.followingPreview = false;
        return;
      }
      const { scrollTop, scrollHeight, clientHeight } = event.target as HTMLElement;
      const fraction = scrollHeight > clientHeight ? scrollTop / (scrollHeight - clientHeight) : 0;
      this.dispatchEvent(
        new CustomEvent('editor-scroll', { detail: fraction, bubbles: true, composed: true }),
      );
    });
  }

  /** Scrolls to a place given as a fraction of the text (0 the top, 1 the bottom): a preview leads. */
  scrollToFraction(fraction: number): void {
    const scroller = this.view?.scrollDOM;
    if (!scroller) return;
    const top = Math.min(Math.max(fraction, 0), 1) * (scroller.scrollHeight - scroller.clientHeight);
    // Only a real move fires a scroll event; that one is not sent back to the preview it follows.
    if (Math.abs(scroller.scrollTop - top) < 1) return;
    this.followingPreview = true;
    scroller.scrollTop = top;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('scripts')) this.macros = macroInfos(this.scripts);
  }

  protected override updated(changed: PropertyValues<this>): void {
    const view = this.view;
    if (!view) return;
    // Not on the first update: `firstUpdated` has just made the state from these values, and making
    // it again cost a tab switch to the editor a second EditorState (a third of its main-thread task).
    const replaced =
      this.language !== this.stateLanguage ||
      (changed.has('value') && view.state.doc.toString() !== this.value);
    if (replaced) {
      // A different script (or a reload from storage): replace the document and its undo history.
      view.setState(this.createState(this.value));
    }
    if (!replaced && changed.has('label')) {
      view.dispatch({ effects: this.labelCompartment.reconfigure(this.labelAttribute()) });
    }
    if (replaced || changed.has('diagnostics') || changed.has('diagnosticsFor')) this.showDiagnostics(view);
    if (replaced || changed.has('errorLine')) {
      view.dispatch({ effects: setErrorLine.of(this.errorLine) });
    }
  }

  override focus(): void {
    this.view?.focus();
  }

  /** The text offset nearest a point on screen (where something was dropped); null before the editor is made. */
  offsetAt(clientX: number, clientY: number): number | null {
    return this.view?.posAtCoords({ x: clientX, y: clientY }, false) ?? null;
  }

  /** Where the cursor is, as a text offset; null before the editor is made. */
  get cursorOffset(): number | null {
    return this.view?.state.selection.main.head ?? null;
  }

  /** Puts the cursor at a 1-based line and column, scrolled into view, and focuses the editor. */
  reveal(line: number, column: number): void {
    const view = this.view;
    if (!view) return;
    const doc = view.state.doc;
    const target = doc.line(Math.min(Math.max(line, 1), doc.lines));
    const anchor = Math.min(target.from + Math.max(column - 1, 0), target.to);
    view.dispatch({ selection: { anchor }, scrollIntoView: true });
    view.focus();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.view?.destroy();
    this.view = undefined;
  }

  private createState(doc: string): EditorState {
    this.stateLanguage = this.language;
    return EditorState.create({
      doc,
      extensions: [
        keymap.of([
          { key: 'Mod-s', preventDefault: true, run: () => this.emit('save-request') },
          { key: 'Mod-Enter', preventDefault: true, run: () => this.emit('run-request') },
        ]),
        baseExtensions(this.language),
        this.language === 'markdown'
          ? macroIntelligence(
              () => this.macros,
              (id) => this.openScript(id),
            )
          : [],
        this.labelCompartment.of(this.labelAttribute()),
        EditorView.domEventHandlers({ drop: (event) => this.passOnImages(event) }),
        EditorView.updateListener.of((update) => {
          // Where an image from the media view goes: kept by the app, as this editor is rebuilt per view.
          if (update.selectionSet) {
            const cursor = update.state.selection.main.head;
            this.dispatchEvent(
              new CustomEvent('cursor-change', { detail: cursor, bubbles: true, composed: true }),
            );
          }
          if (!update.docChanged) return;
          const code = update.state.doc.toString();
          this.value = code;
          this.dispatchEvent(new CustomEvent('code-change', { detail: code, bubbles: true, composed: true }));
        }),
      ],
    });
  }

  private showDiagnostics(view: EditorView): void {
    const doc = view.state.doc;
    // Positions computed for other text would point at the wrong characters.
    const current = this.diagnosticsFor === doc.toString() ? this.diagnostics : [];
    const diagnostics: Diagnostic[] = current.map((problem) => {
      const line = doc.line(Math.min(Math.max(problem.line, 1), doc.lines));
      const from = Math.min(line.from + Math.max(problem.column - 1, 0), line.to);
      const endLine = doc.line(Math.min(Math.max(problem.endLine ?? problem.line, 1), doc.lines));
      const to =
        problem.endColumn === undefined
          ? Math.max(from, line.to)
          : Math.min(endLine.from + problem.endColumn - 1, endLine.to);
      return {
        from,
        to: Math.max(from, to),
        severity: problem.severity,
        message: problem.message,
        source: this.diagnosticsSource,
      };
    });
    view.dispatch(setDiagnostics(view.state, diagnostics));
  }

  private labelAttribute(): Extension {
    // tabindex: the editable content is focusable anyway; saying so lets checkers (axe) see that its
    // scrolling container can be reached by the keyboard, without adding a tab stop.
    return EditorView.contentAttributes.of({
      'aria-label': this.label,
      'aria-describedby': 'keys',
      tabindex: '0',
    });
  }

  private openScript(scriptId: string): void {
    const detail = { scriptId, line: null };
    this.dispatchEvent(new CustomEvent('open-script', { detail, bubbles: true, composed: true }));
  }

  /**
   * CodeMirror inserts a dropped file's text, and takes an image's bytes without a word: images go on
   * to the app as `image-drop` (File[]), which imports them into Media. A post's Markdown takes the
   * images dropped on it before this.
   */
  private passOnImages(event: DragEvent): boolean {
    const images = imageFiles(event.dataTransfer);
    if (images.length === 0) return false;
    this.dispatchEvent(new CustomEvent('image-drop', { detail: images, bubbles: true, composed: true }));
    return true;
  }

  private emit(type: 'save-request' | 'run-request'): boolean {
    this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true }));
    return true;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-code-editor': CodeEditor;
  }
}
