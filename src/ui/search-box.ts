import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { Post } from '../core/post';
import type { Script } from '../core/script';
import { type SearchHit, SearchIndex } from './search-index';

/**
 * The search box over posts and scripts (the WAI-ARIA combobox pattern): results as you type, the
 * arrow keys move through them, Enter or a click opens one, Escape closes. Emits `open-search-hit`
 * with `{ kind, id }`.
 */
@customElement('pymark-search-box')
export class SearchBox extends LitElement {
  static override styles = css`
    :host {
      position: relative;
      display: block;
      min-width: 0;
    }
    input {
      box-sizing: border-box;
      width: 100%;
      font: inherit;
      padding: 0.3rem 0.6rem;
      border: 1px solid var(--border);
      border-radius: 6px;
      background: var(--button-bg);
      color: var(--text);
    }
    ul {
      position: absolute;
      z-index: 30;
      top: calc(100% + 0.25rem);
      left: 0;
      width: min(28rem, calc(100vw - 1rem));
      max-height: 60vh;
      overflow: auto;
      margin: 0;
      padding: 0.25rem;
      list-style: none;
      background: var(--panel-bg);
      border: 1px solid var(--border);
      border-radius: 8px;
      box-shadow: 0 6px 20px rgba(0, 0, 0, 0.2);
      box-sizing: border-box;
    }
    li {
      display: grid;
      gap: 0.1rem;
      padding: 0.4rem 0.5rem;
      border-radius: 6px;
      cursor: pointer;
    }
    li[aria-selected='true'],
    li:hover {
      background: var(--selected-bg);
    }
    .title {
      font-weight: 600;
    }
    .meta,
    .excerpt {
      font-size: 0.8rem;
      color: var(--text);
      overflow-wrap: anywhere;
    }
    .none {
      padding: 0.4rem 0.5rem;
      color: var(--text);
      font-size: 0.9rem;
    }
  `;

  @property({ attribute: false }) scripts: readonly Script[] = [];
  @property({ attribute: false }) posts: readonly Post[] = [];

  @state() private text = '';
  @state() private open = false;
  @state() private active = 0;
  @query('input') private input?: HTMLInputElement;

  private readonly index = new SearchIndex();
  private hits: SearchHit[] = [];

  /** Puts the keyboard in the box with its text selected, e.g. for Ctrl/Cmd+K. */
  focusSearch(): void {
    this.input?.focus();
    this.input?.select();
  }

  protected override willUpdate(changed: PropertyValues): void {
    this.index.update(this.scripts, this.posts);
    if (changed.has('text') || changed.has('scripts') || changed.has('posts'))
      this.hits = this.index.search(this.text);
    if (this.active >= this.hits.length) this.active = 0;
  }

  override render() {
    const showing = this.open && this.text.trim() !== '';
    const activeHit = showing ? this.hits[this.active] : undefined;
    return html`<input
        type="search"
        role="combobox"
        aria-label="Search posts and scripts"
        aria-autocomplete="list"
        aria-controls="search-results"
        aria-expanded=${showing}
        aria-activedescendant=${activeHit ? `hit-${this.active}` : nothing}
        placeholder="Search (Ctrl+K)"
        .value=${this.text}
        @input=${(event: Event) => {
          this.text = (event.target as HTMLInputElement).value;
          this.open = true;
          this.active = 0;
        }}
        @focus=${() => (this.open = true)}
        @blur=${() => (this.open = false)}
        @keydown=${this.onKey}
      />
      ${
        showing
          ? html`<ul id="search-results" role="listbox" aria-label="Search results">
            ${
              this.hits.length === 0
                ? html`<li class="none" role="option" aria-disabled="true" aria-selected="false">Nothing found.</li>`
                : this.hits.map(
                    (hit, position) =>
                      html`<li
                        id="hit-${position}"
                        role="option"
                        aria-selected=${position === this.active}
                        @mousedown=${(event: Event) => event.preventDefault()}
                        @click=${() => this.choose(hit)}
                      >
                        <span class="title">${hit.title}</span>
                        <span class="meta">${hit.kind} · ${hit.meta}</span>
                        ${hit.excerpt ? html`<span class="excerpt">${hit.excerpt}</span>` : nothing}
                      </li>`,
                  )
            }
          </ul>`
          : nothing
      }`;
  }

  private readonly onKey = (event: KeyboardEvent): void => {
    const count = this.hits.length;
    if (event.key === 'ArrowDown' && count > 0) {
      event.preventDefault();
      this.open = true;
      this.active = (this.active + 1) % count;
    } else if (event.key === 'ArrowUp' && count > 0) {
      event.preventDefault();
      this.active = (this.active + count - 1) % count;
    } else if (event.key === 'Enter') {
      const hit = this.hits[this.active];
      if (hit) this.choose(hit);
    } else if (event.key === 'Escape') {
      // A first Escape closes the results; a second leaves the box as it is, for the app.
      if (this.open && this.text) event.stopPropagation();
      this.open = false;
    }
  };

  private choose(hit: SearchHit): void {
    this.open = false;
    this.dispatchEvent(
      new CustomEvent('open-search-hit', {
        detail: { kind: hit.kind, id: hit.id },
        bubbles: true,
        composed: true,
      }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-search-box': SearchBox;
  }
}
