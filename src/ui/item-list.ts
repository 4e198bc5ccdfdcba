import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';

// Drawn, not an emoji: a machine without an emoji font shows 🗑 as an empty box.
const trashIcon = html`<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round"><path d="M2.5 4h11M6 4V2.5h4V4M4 4l.7 9.5h6.6L12 4M6.8 6.5v5M9.2 6.5v5"/></svg>`;

/** One row: what the list shows of a script or a post. */
export interface ListItem {
  id: string;
  title: string;
  /** A second, quieter line, e.g. `hello.py · utility` or `draft · 24 Nov 2026`. */
  meta: string;
  /** Has unsaved changes. */
  unsaved?: boolean;
}

/**
 * A sidebar list of scripts or posts. Emits `select-item` (id), `rename-item` ({ id, title }) and
 * `delete-item` (id); owns only the transient "which row is being renamed" state.
 */
@customElement('pymark-item-list')
export class ItemList extends LitElement {
  static override styles = css`
    ul {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    li {
      display: flex;
      align-items: center;
      gap: 0.2rem;
      border-radius: 6px;
    }
    li:hover,
    li:focus-within {
      background: var(--hover-bg);
    }
    li[aria-current='true'] {
      background: var(--selected-bg);
    }
    .open {
      flex: 1;
      min-width: 0;
      display: flex;
      flex-direction: column;
      align-items: flex-start;
      border: 0;
      background: none;
      font: inherit;
      color: inherit;
      text-align: left;
      padding: 0.45rem 0.6rem;
      cursor: pointer;
    }
    .title,
    .meta {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      max-width: 100%;
    }
    .meta {
      font-size: 0.75rem;
      color: var(--muted);
    }
    .icon {
      border: 0;
      background: none;
      color: var(--muted);
      cursor: pointer;
      padding: 0.3rem;
      border-radius: 4px;
      opacity: 0;
    }
    li:hover .icon,
    li:focus-within .icon {
      opacity: 1;
    }
    .icon:hover,
    .icon:focus-visible {
      color: var(--text);
      background: var(--chip-bg);
    }
    input {
      flex: 1;
      font: inherit;
      margin: 0.25rem;
      padding: 0.25rem 0.4rem;
    }
    .empty {
      color: var(--muted);
      padding: 0.6rem;
      font-size: 0.9rem;
    }
  `;

  /** The list's accessible name, e.g. "Scripts". */
  @property() label = '';
  @property() emptyText = 'Nothing here yet.';
  @property({ attribute: false }) items: readonly ListItem[] = [];
  @property({ attribute: false }) selectedId: string | null = null;

  @state() private renamingId: string | null = null;

  override render() {
    return html`<ul role="list" aria-label=${this.label} @keydown=${this.onKey}>
        ${this.items.map((item) => this.renderItem(item))}
      </ul>
      ${this.items.length === 0 ? html`<p class="empty">${this.emptyText}</p>` : nothing}`;
  }

  private renderItem(item: ListItem) {
    const selected = item.id === this.selectedId;
    if (item.id === this.renamingId) {
      return html`<li aria-current=${selected}>
        <input
          aria-label="New title for ${item.title}"
          .value=${item.title}
          @keydown=${(event: KeyboardEvent) => this.onRenameKey(event, item)}
          @blur=${(event: FocusEvent) => this.commitRename(item, event.target as HTMLInputElement)}
        />
      </li>`;
    }
    // One tab stop per item: its open button. The arrow keys reach its other buttons (left, right)
    // and the other items (up, down); F2 renames, Delete deletes.
    return html`<li aria-current=${selected}>
      <button class="open" title="${item.title} · ${item.meta} (→ for rename and delete, F2 renames)" @click=${() => this.emit('select-item', item.id)} @dblclick=${() => this.startRename(item)}>
        <span class="title">${item.title}${item.unsaved ? html` <span aria-label="unsaved">●</span>` : nothing}</span>
        <span class="meta">${item.meta}</span>
      </button>
      <button class="icon" tabindex="-1" aria-label="Rename ${item.title}" title="Rename (F2)" @click=${() => this.startRename(item)}>✎</button>
      <button class="icon" tabindex="-1" aria-label="Delete ${item.title}" title="Delete (Delete key)" @click=${() => this.emit('delete-item', item.id)}>${trashIcon}</button>
    </li>`;
  }

  private readonly onKey = (event: KeyboardEvent): void => {
    const button = event.composedPath()[0];
    if (!(button instanceof HTMLButtonElement)) return;
    const row = button.closest('li');
    const rows = [...this.renderRoot.querySelectorAll('li')];
    const at = row ? rows.indexOf(row) : -1;
    const item = this.items[at];
    if (!row || !item) return;
    const buttons = [...row.querySelectorAll('button')];
    const position = buttons.indexOf(button);
    if (event.key === 'F2') {
      event.preventDefault();
      void this.startRename(item);
      return;
    }
    if (event.key === 'Delete') {
      event.preventDefault();
      this.emit('delete-item', item.id);
      return;
    }
    const targets: Record<string, HTMLButtonElement | null | undefined> = {
      ArrowRight: buttons[Math.min(position + 1, buttons.length - 1)],
      ArrowLeft: buttons[Math.max(position - 1, 0)],
      ArrowDown: rows[at + 1]?.querySelector('button'),
      ArrowUp: rows[at - 1]?.querySelector('button'),
      Home: rows[0]?.querySelector('button'),
      End: rows.at(-1)?.querySelector('button'),
    };
    const target = targets[event.key];
    if (!target) return;
    event.preventDefault();
    target.focus();
  };

  private async startRename(item: ListItem): Promise<void> {
    this.renamingId = item.id;
    await this.updateComplete;
    const input = this.renderRoot.querySelector('input');
    input?.focus();
    input?.select();
  }

  private onRenameKey(event: KeyboardEvent, item: ListItem): void {
    if (event.key === 'Enter') this.commitRename(item, event.target as HTMLInputElement);
    if (event.key === 'Escape') this.renamingId = null;
  }

  private commitRename(item: ListItem, input: HTMLInputElement): void {
    if (this.renamingId !== item.id) return;
    this.renamingId = null;
    const title = input.value.trim();
    if (title && title !== item.title) this.emit('rename-item', { id: item.id, title });
  }

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-item-list': ItemList;
  }
}
