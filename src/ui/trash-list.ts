import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { controlStyles } from './shared-styles';

/** One deleted item, as the trash shows it. */
export interface TrashItem {
  id: string;
  title: string;
  deletedAt: string;
}

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

/**
 * Deleted scripts or posts, folded away under the list: each can be restored, or deleted for good
 * after a second click. Emits `restore-item` and `purge-item` with the item's id.
 */
@customElement('pymark-trash-list')
export class TrashList extends LitElement {
  static override styles = [
    controlStyles,
    css`
      summary {
        cursor: pointer;
        color: var(--muted);
        font-size: 0.85rem;
      }
      ul {
        list-style: none;
        margin: 0.4rem 0 0;
        padding: 0;
        display: grid;
        gap: 0.4rem;
      }
      li {
        display: grid;
        gap: 0.2rem;
        font-size: 0.85rem;
      }
      .title {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .when {
        font-size: 0.75rem;
        color: var(--muted);
      }
      .actions {
        display: flex;
        gap: 0.3rem;
      }
      .actions button {
        padding: 0.15rem 0.5rem;
        font-size: 0.8rem;
      }
    `,
  ];

  /** E.g. "Deleted scripts": names the list for assistive technology. */
  @property() label = 'Trash';
  @property({ attribute: false }) items: readonly TrashItem[] = [];
  /** The item whose "Delete forever" was clicked once and waits for the second click. */
  @state() private confirming: string | null = null;

  override render() {
    if (this.items.length === 0) return nothing;
    return html`<details>
      <summary>Trash (${this.items.length})</summary>
      <ul aria-label=${this.label}>
        ${this.items.map((item) => this.renderItem(item))}
      </ul>
    </details>`;
  }

  private renderItem(item: TrashItem) {
    const confirming = this.confirming === item.id;
    return html`<li>
      <span class="title" title=${item.title}>${item.title}</span>
      <span class="when">Deleted ${dateFormat.format(new Date(item.deletedAt))}</span>
      <span class="actions">
        <button aria-label="Restore ${item.title}" @click=${() => this.emit('restore-item', item.id)}>Restore</button>
        <button
          aria-label=${confirming ? `Confirm: delete ${item.title} for good` : `Delete ${item.title} for good`}
          @click=${() => this.purge(item.id)}
          @blur=${() => {
            if (this.confirming === item.id) this.confirming = null;
          }}
        >
          ${confirming ? 'Click again to delete for good' : 'Delete forever'}
        </button>
      </span>
    </li>`;
  }

  private purge(id: string): void {
    if (this.confirming !== id) {
      this.confirming = id;
      return;
    }
    this.confirming = null;
    this.emit('purge-item', id);
  }

  private emit(type: 'restore-item' | 'purge-item', id: string): void {
    this.dispatchEvent(new CustomEvent(type, { detail: id, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-trash-list': TrashList;
  }
}
