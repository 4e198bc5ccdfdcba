import { css, html, LitElement } from 'lit';
import { customElement, query } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import MarkdownIt from 'markdown-it';
import guide from '../../docs/guide.md?raw';
import { controlStyles, dialogStyles } from './shared-styles';

/**
 * docs/guide.md as HTML. The guide is the app's own text and markdown-it escapes any HTML in it
 * (`html: false`); links to the other docs become plain text, as those files are not in the app.
 */
const guideHtml = new MarkdownIt({ html: false }).render(guide.replace(/\[([^\]]+)\]\([^)]*\.md\)/g, '$1'));

/** The user guide, in a dialog opened by the header's Help button. Emits `add-sample` from its offer. */
@customElement('pymark-help-dialog')
export class HelpDialog extends LitElement {
  static override styles = [
    controlStyles,
    dialogStyles,
    css`
      dialog {
        box-sizing: border-box;
        width: min(46rem, calc(100vw - 1rem));
        max-height: calc(100dvh - 1rem);
        line-height: 1.5;
      }
      .guide :is(h1) {
        font-size: 1.25rem;
        margin-top: 0;
      }
      .guide :is(h2) {
        font-size: 1.05rem;
        margin: 1.25rem 0 0.4rem;
      }
      pre {
        overflow: auto;
        padding: 0.5rem;
        border: 1px solid var(--border);
        border-radius: 6px;
      }
      code {
        font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
        font-size: 0.9em;
      }
    `,
  ];

  @query('dialog') private dialog?: HTMLDialogElement;

  open(): void {
    this.dialog?.showModal();
  }

  override render() {
    return html`<dialog aria-label="Help">
      <div class="guide">${unsafeHTML(guideHtml)}</div>
      <menu><button class="primary" @click=${() => this.dialog?.close()}>Close</button></menu>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-help-dialog': HelpDialog;
  }
}
