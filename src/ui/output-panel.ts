import { css, html, LitElement, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { controlStyles } from './shared-styles';
import type { OutputEntry } from './workspace';

/** Streams a run's output; stays scrolled to the bottom unless the user scrolled up to read. */
@customElement('pymark-output-panel')
export class OutputPanel extends LitElement {
  static override styles = [
    controlStyles,
    css`
    :host,
    section {
      display: flex;
      flex-direction: column;
      min-height: 0;
    }
    section {
      flex: 1;
    }
    .heading {
      display: flex;
      align-items: center;
      justify-content: space-between;
      font-size: 0.8rem;
      text-transform: uppercase;
      letter-spacing: 0.05em;
      color: var(--muted);
      padding: 0.3rem 0;
    }
    .actions {
      display: flex;
      gap: 0.3rem;
    }
    .actions button {
      font-size: 0.75rem;
      padding: 0.1rem 0.5rem;
    }
    .log {
      flex: 1;
      overflow: auto;
      margin: 0;
      padding: 0.6rem 0.8rem;
      background: var(--output-bg);
      color: var(--output-text);
      border-radius: 6px;
      font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      white-space: pre-wrap;
      word-break: break-word;
    }
    .stderr {
      color: var(--stderr);
    }
    .note {
      display: block;
      font-style: italic;
      margin: 0.3em 0;
    }
    .note.info {
      color: var(--muted-on-dark);
    }
    .note.warning {
      color: var(--warning);
    }
    .note.error {
      color: var(--stderr);
    }
    .result {
      display: block;
      color: var(--result);
      margin-top: 0.3em;
    }
    .empty {
      color: var(--muted-on-dark);
    }
    button {
      font: inherit;
      text-transform: none;
      letter-spacing: normal;
    }
  `,
  ];

  @property({ attribute: false }) entries: readonly OutputEntry[] = [];

  private stickToBottom = true;
  /** What the Copy button says for a moment after a copy: whether it worked. */
  @state() private copied: 'Copied' | 'Copy failed' | null = null;

  private readonly copy = async (): Promise<void> => {
    const text = this.entries
      .map((entry) => (entry.kind === 'note' || entry.kind === 'result' ? `${entry.text}\n` : entry.text))
      .join('');
    try {
      await navigator.clipboard.writeText(text);
      this.copied = 'Copied';
    } catch {
      // Refused, e.g. without clipboard permission: the text can still be selected by hand.
      this.copied = 'Copy failed';
    }
    setTimeout(() => {
      this.copied = null;
    }, 1500);
  };

  private readonly clear = (): void => {
    this.dispatchEvent(new CustomEvent('clear-output', { bubbles: true, composed: true }));
  };

  override render() {
    return html`<section aria-label="Output">
      <div class="heading">
        <span>Output</span>
        <span class="actions">
          <button ?disabled=${this.entries.length === 0} @click=${this.copy}>${this.copied ?? 'Copy'}</button>
          <button ?disabled=${this.entries.length === 0} @click=${this.clear}>Clear</button>
        </span>
      </div>
      <pre class="log" @scroll=${this.onScroll}>${
        this.entries.length === 0
          ? html`<span class="empty">Run a script to see its output here.</span>`
          : this.entries.map((entry) => this.renderEntry(entry))
      }</pre>
    </section>`;
  }

  private renderEntry(entry: OutputEntry) {
    switch (entry.kind) {
      case 'stdout':
        return html`<span class="stdout">${entry.text}</span>`;
      case 'stderr':
        return html`<span class="stderr" data-stream="stderr">${entry.text}</span>`;
      case 'result':
        return html`<span class="result">${entry.text}</span>`;
      case 'note':
        return html`<span class="note ${entry.tone}" role="note">${entry.text}</span>`;
    }
  }

  private onScroll(event: Event): void {
    const log = event.currentTarget as HTMLElement;
    this.stickToBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('entries') || !this.stickToBottom) return;
    const log = this.renderRoot.querySelector('.log');
    if (log) log.scrollTop = log.scrollHeight;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-output-panel': OutputPanel;
  }
}
