import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Script } from '../core/script';

/**
 * The sidebar's script list. Emits `select-script` (id), `rename-script` ({ id, title }) and
 * `delete-script` (id); owns only the transient "which row is being renamed" state.
 */
@customElement('pymark-script-list')
export class ScriptList extends LitElement {
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
    .title {
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

  @property({ attribute: false }) scripts: readonly Script[] = [];
  @property({ attribute: false }) selectedId: string | null = null;
  @property({ attribute: false }) dirtyId: string | null = null;

  @state() private renamingId: string | null = null;

  override render() {
    return html`<ul role="list" aria-label="Scripts">
        ${this.scripts.map((script) => this.renderItem(script))}
      </ul>
      ${this.scripts.length === 0 ? html`<p class="empty">No scripts yet.</p>` : nothing}`;
  }

  private renderItem(script: Script) {
    const selected = script.id === this.selectedId;
    if (script.id === this.renamingId) {
      return html`<li aria-current=${selected}>
        <input
          aria-label="New title for ${script.title}"
          .value=${script.title}
          @keydown=${(event: KeyboardEvent) => this.onRenameKey(event, script)}
          @blur=${(event: FocusEvent) => this.commitRename(script, event.target as HTMLInputElement)}
        />
      </li>`;
    }
    return html`<li aria-current=${selected}>
      <button class="open" @click=${() => this.emit('select-script', script.id)} @dblclick=${() => this.startRename(script)}>
        <span class="title">${script.title}${script.id === this.dirtyId ? html` <span aria-label="unsaved">●</span>` : nothing}</span>
        <span class="meta">${script.slug}.py · ${script.kind}</span>
      </button>
      <button class="icon" aria-label="Rename ${script.title}" title="Rename" @click=${() => this.startRename(script)}>✎</button>
      <button class="icon" aria-label="Delete ${script.title}" title="Delete" @click=${() => this.emit('delete-script', script.id)}>🗑</button>
    </li>`;
  }

  private async startRename(script: Script): Promise<void> {
    this.renamingId = script.id;
    await this.updateComplete;
    const input = this.renderRoot.querySelector('input');
    input?.focus();
    input?.select();
  }

  private onRenameKey(event: KeyboardEvent, script: Script): void {
    if (event.key === 'Enter') this.commitRename(script, event.target as HTMLInputElement);
    if (event.key === 'Escape') this.renamingId = null;
  }

  private commitRename(script: Script, input: HTMLInputElement): void {
    if (this.renamingId !== script.id) return;
    this.renamingId = null;
    const title = input.value.trim();
    if (title && title !== script.title) this.emit('rename-script', { id: script.id, title });
  }

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-script-list': ScriptList;
  }
}
