import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import './item-list';
import './trash-list';
import type { ListItem } from './item-list';
import { controlStyles } from './shared-styles';
import type { TrashItem } from './trash-list';

/**
 * The one sidebar of an item view (scripts or posts): a New button, the list and the trash under it.
 * Emits `new-item`; the list's `select-item`, `rename-item`, `delete-item` and the trash's
 * `restore-item`, `purge-item` bubble through.
 */
@customElement('pymark-item-sidebar')
export class ItemSidebar extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
      }
    `,
  ];

  /** What one item is called, capitalised in the plural for the list's name: "script", "post". */
  @property() noun = 'item';
  @property({ attribute: false }) items: readonly ListItem[] = [];
  @property({ attribute: false }) selectedId: string | null = null;
  @property({ attribute: false }) trash: readonly TrashItem[] = [];

  override render() {
    const plural = `${this.noun}s`;
    return html`<button class="primary" @click=${() => this.dispatchEvent(new CustomEvent('new-item', { bubbles: true, composed: true }))}>
        New ${this.noun}
      </button>
      <pymark-item-list
        label=${plural[0]!.toUpperCase() + plural.slice(1)}
        emptyText="No ${plural} yet."
        .items=${this.items}
        .selectedId=${this.selectedId}
      ></pymark-item-list>
      <pymark-trash-list label="Deleted ${plural}" .items=${this.trash}></pymark-trash-list>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-item-sidebar': ItemSidebar;
  }
}
