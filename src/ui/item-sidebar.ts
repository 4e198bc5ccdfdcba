import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import './item-list';
import './trash-list';
import type { ListItem } from './item-list';
import { controlStyles } from './shared-styles';
import type { TrashItem } from './trash-list';

/** A kind of item the New button offers, e.g. a macro, with what it is for. */
export interface NewItemKind {
  kind: string;
  label: string;
  description: string;
}

/**
 * The one sidebar of an item view (scripts or posts): a New button, the list and the trash under it.
 * With `kinds`, New asks which kind first. Emits `new-item` (detail: the kind, or null); the list's `select-item`, `rename-item`, `delete-item` and the trash's
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
      [role='menu'] {
        display: grid;
        gap: 0.25rem;
        margin: 0;
        padding: 0.4rem;
        border: 1px solid var(--border);
        border-radius: 8px;
        background: var(--button-bg);
      }
      [role='menuitem'] {
        display: grid;
        text-align: left;
        border-color: transparent;
      }
      [role='menuitem']:hover,
      [role='menuitem']:focus-visible {
        background: var(--hover-bg);
      }
      .description {
        font-size: 0.75rem;
        color: var(--muted);
      }
    `,
  ];

  /** What one item is called, capitalised in the plural for the list's name: "script", "post". */
  @property() noun = 'item';
  @property({ attribute: false }) items: readonly ListItem[] = [];
  @property({ attribute: false }) selectedId: string | null = null;
  @property({ attribute: false }) trash: readonly TrashItem[] = [];
  /** The kinds New offers; none: New makes an item at once. */
  @property({ attribute: false }) kinds: readonly NewItemKind[] = [];
  /** False while the app still opens its stores: New could make nothing yet, so it is disabled. */
  @property({ attribute: false }) ready = true;
  @state() private choosing = false;

  override render() {
    const plural = `${this.noun}s`;
    return html`<button
        class="primary"
        ?disabled=${!this.ready}
        aria-haspopup=${this.kinds.length > 0 ? 'menu' : nothing}
        aria-expanded=${this.kinds.length > 0 ? this.choosing : nothing}
        @click=${this.onNew}
      >
        New ${this.noun}
      </button>
      ${this.choosing ? this.renderKinds() : nothing}
      <pymark-item-list
        label=${plural[0]!.toUpperCase() + plural.slice(1)}
        emptyText="No ${plural} yet."
        .items=${this.items}
        .selectedId=${this.selectedId}
      ></pymark-item-list>
      <pymark-trash-list label="Deleted ${plural}" .items=${this.trash}></pymark-trash-list>`;
  }

  private renderKinds() {
    return html`<div role="menu" aria-label="Kind of ${this.noun}" @keydown=${this.onMenuKey}>
      ${this.kinds.map(
        (kind) => html`<button role="menuitem" @click=${() => this.create(kind.kind)}>
          <span>${kind.label}</span><span class="description">${kind.description}</span>
        </button>`,
      )}
    </div>`;
  }

  private readonly onNew = async (): Promise<void> => {
    if (this.kinds.length === 0) return this.create(null);
    this.choosing = !this.choosing;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  };

  /** The menu's items take the arrow keys; Escape closes it. */
  private readonly onMenuKey = (event: KeyboardEvent): void => {
    const items = [...this.renderRoot.querySelectorAll<HTMLElement>('[role="menuitem"]')];
    const at = items.indexOf(event.composedPath()[0] as HTMLElement);
    const next =
      event.key === 'ArrowDown'
        ? items[(at + 1) % items.length]
        : event.key === 'ArrowUp'
          ? items.at(at - 1)
          : undefined;
    if (next) {
      event.preventDefault();
      next.focus();
    } else if (event.key === 'Escape') {
      event.stopPropagation();
      this.choosing = false;
      this.renderRoot.querySelector<HTMLElement>('button.primary')?.focus();
    }
  };

  private create(kind: string | null): void {
    this.choosing = false;
    this.dispatchEvent(new CustomEvent('new-item', { detail: kind, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-item-sidebar': ItemSidebar;
  }
}
