import { css, html, LitElement } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { dialogStyles } from './shared-styles';
import { persistenceText } from './site-workspace';

/** Settings the user can change; emits `timeout-change` with the new run time limit in ms. */
@customElement('pymark-settings-dialog')
export class SettingsDialog extends LitElement {
  static override styles = [
    dialogStyles,
    css`
    dialog {
      box-sizing: border-box;
      min-width: min(18rem, calc(100vw - 2rem));
      max-width: min(32rem, calc(100vw - 2rem));
    }
    h3 {
      margin: 1rem 0 0;
      font-size: 0.95rem;
    }
    .bookmarklet {
      display: inline-block;
      padding: 0.3rem 0.8rem;
      border: 1px dashed var(--border);
      border-radius: 6px;
      cursor: grab;
    }
    label {
      display: grid;
      gap: 0.3rem;
    }
    input {
      font: inherit;
      padding: 0.3rem;
    }
    .hint {
      font-size: 0.8rem;
      color: var(--muted);
    }
    button {
      font: inherit;
      padding: 0.3rem 0.8rem;
    }
  `,
  ];

  @property({ type: Number }) runTimeoutMs = 30_000;
  /** The bookmarklet's `javascript:` URL, which sends the visited page to this app; empty where none can reach it. */
  @property() bookmarklet = '';
  /** Whether the browser granted persistent storage (asked when the user first builds or connects a folder). */
  @property({ attribute: false }) persisted: boolean | undefined;
  @query('dialog') private dialog!: HTMLDialogElement;
  @query('input') private input!: HTMLInputElement;

  open(): void {
    this.input.value = String(this.runTimeoutMs / 1000);
    this.dialog.showModal();
  }

  override render() {
    return html`<dialog aria-labelledby="settings-title">
      <form method="dialog" @submit=${this.onSubmit}>
        <h2 id="settings-title">Settings</h2>
        <label>
          Time limit for manual runs (seconds)
          <input type="number" min="1" max="600" step="1" required />
        </label>
        <p class="hint">A run is interrupted when it takes longer than this.</p>
        <h3>Storage</h3>
        <p class="hint storage-persistence" role="status">${persistenceText(this.persisted)}</p>
        <h3>Bookmarklet</h3>
        ${
          this.bookmarklet
            ? html`<p class="hint">
                  Drag this link to your bookmarks bar. On any page, it opens Pymark with the page's title,
                  its address and the text you selected, ready for a transform.
                </p>
                <a class="bookmarklet" href=${this.bookmarklet} @click=${(event: Event) => event.preventDefault()}
                  >Share to Pymark</a
                >`
            : html`<p class="hint">Only the web app, served over http(s), can take pages from a browser this way.</p>`
        }
        <menu>
          <button type="button" @click=${() => this.dialog.close()}>Cancel</button>
          <button type="submit" value="save">Save settings</button>
        </menu>
      </form>
    </dialog>`;
  }

  private onSubmit(): void {
    const seconds = this.input.valueAsNumber;
    if (!Number.isFinite(seconds)) return;
    this.dispatchEvent(
      new CustomEvent('timeout-change', {
        detail: Math.round(seconds * 1000),
        bubbles: true,
        composed: true,
      }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-settings-dialog': SettingsDialog;
  }
}
