import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Media, MediaEdit } from '../core/media';
import { mediaMonthFolder } from '../core/media';
import type { MediaState } from './media-library';
import { controlStyles } from './shared-styles';

export type MediaIntent =
  | { type: 'import'; files: File[] }
  | { type: 'query'; query: string }
  | { type: 'month'; month: string | null }
  | { type: 'select'; id: string }
  | { type: 'edit'; id: string; changes: MediaEdit }
  | { type: 'delete'; id: string }
  | { type: 'insert'; id: string };

const monthFormat = new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric', timeZone: 'UTC' });

function monthLabel(month: string): string {
  const [year = '0', number = '1'] = month.split('/');
  return monthFormat.format(new Date(Date.UTC(Number(year), Number(number) - 1, 1)));
}

/**
 * The media view: a grid of the project's images with search and a month filter, an import button
 * and drop zone (the app takes files dropped anywhere on it), and an editor for the selected image's
 * title, alt text and caption. Every change is sent as one `media-intent` event; its owner
 * (MediaLibrary, through the app) acts on it.
 */
@customElement('pymark-media-view')
export class MediaView extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: grid;
        grid-template-rows: auto 1fr;
        gap: 0.75rem;
        height: 100%;
        min-height: 0;
      }
      .toolbar {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      .body {
        display: grid;
        grid-template-columns: 1fr minmax(220px, 320px);
        gap: 0.75rem;
        min-height: 0;
      }
      .drop {
        border: 2px dashed var(--border);
        border-radius: 8px;
        padding: 0.5rem;
        overflow: auto;
        min-height: 200px;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(120px, 1fr));
        gap: 0.5rem;
      }
      li button {
        width: 100%;
        padding: 0.25rem;
        display: grid;
        gap: 0.25rem;
        font-size: 0.8rem;
        overflow-wrap: anywhere;
      }
      li button[aria-pressed='true'] {
        outline: 2px solid var(--accent);
      }
      img {
        width: 100%;
        aspect-ratio: 4 / 3;
        object-fit: cover;
        border-radius: 4px;
      }
      form {
        display: grid;
        gap: 0.5rem;
        align-content: start;
      }
      label {
        display: grid;
        gap: 0.2rem;
        font-size: 0.85rem;
      }
      input[type='text'],
      input[type='search'],
      textarea {
        font: inherit;
      }
      .notice {
        color: var(--muted);
      }
      @media (max-width: 700px) {
        .body {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];

  @property({ attribute: false }) state?: MediaState;
  @property({ attribute: false }) visible: readonly Media[] = [];
  @property({ attribute: false }) months: readonly string[] = [];
  /** The post an image would be inserted into, or null when none is open. */
  @property() insertTarget: string | null = null;

  override render() {
    const state = this.state;
    const selected = state?.items.find((item) => item.id === state.selectedId);
    return html`
      <div class="toolbar">
        <label class="field"
          >Import images
          <input type="file" accept="image/*" multiple aria-label="Import images" @change=${this.onPick} />
        </label>
        <input
          type="search"
          aria-label="Search media"
          placeholder="Search"
          .value=${state?.query ?? ''}
          @input=${(event: InputEvent) => this.emit({ type: 'query', query: (event.target as HTMLInputElement).value })}
        />
        <label class="field"
          >Month
          <select
            aria-label="Month"
            @change=${(event: Event) => {
              const value = (event.target as HTMLSelectElement).value;
              this.emit({ type: 'month', month: value === '' ? null : value });
            }}
          >
            <option value="" ?selected=${state?.month === null}>All months</option>
            ${this.months.map(
              (month) =>
                html`<option value=${month} ?selected=${state?.month === month}>${monthLabel(month)}</option>`,
            )}
          </select>
        </label>
        ${state?.importing ? html`<span class="notice" role="status">Importing…</span>` : nothing}
        ${state?.notice ? html`<span class="notice" role="status">${state.notice}</span>` : nothing}
      </div>
      <div class="body">
        <section class="drop" aria-label="Media, drop images here">
          ${
            this.visible.length === 0
              ? html`<p class="notice">${state?.items.length ? 'No image matches.' : 'No images yet: import some, drop them here or paste one.'}</p>`
              : html`<ul aria-label="Images">
                ${this.visible.map(
                  (item) => html`<li>
                    <button aria-pressed=${item.id === state?.selectedId} @click=${() => this.emit({ type: 'select', id: item.id })}>
                      <img src=${state?.previews.get(item.id) ?? ''} alt=${item.alt || item.fileName} />
                      <span>${item.title || item.fileName}</span>
                    </button>
                  </li>`,
                )}
              </ul>`
          }
        </section>
        ${selected ? this.renderEditor(selected) : html`<p class="notice">Select an image to edit its details.</p>`}
      </div>
    `;
  }

  private renderEditor(item: Media) {
    const field = (name: 'title' | 'alt' | 'caption', label: string) =>
      html`<label
        >${label}
        <input
          type="text"
          name=${name}
          .value=${item[name]}
          @change=${(event: Event) =>
            this.emit({
              type: 'edit',
              id: item.id,
              changes: { [name]: (event.target as HTMLInputElement).value },
            })}
      /></label>`;
    return html`<form aria-label="Image details" @submit=${(event: Event) => event.preventDefault()}>
      <img src=${this.state?.previews.get(item.id) ?? ''} alt=${item.alt || item.fileName} />
      <div class="notice">
        ${item.fileName} · ${item.width}×${item.height} · ${Math.ceil(item.size / 1024)} KB ·
        ${monthLabel(mediaMonthFolder(item.createdAt))}
      </div>
      ${field('title', 'Title')} ${field('alt', 'Alt text')} ${field('caption', 'Caption')}
      <div class="toolbar">
        <button
          class="primary"
          type="button"
          ?disabled=${this.insertTarget === null}
          title=${this.insertTarget === null ? 'Open a post first' : `Insert into ${this.insertTarget}`}
          @click=${() => this.emit({ type: 'insert', id: item.id })}
        >
          Insert into post
        </button>
        <button type="button" @click=${() => this.emit({ type: 'delete', id: item.id })}>Delete</button>
      </div>
    </form>`;
  }

  private readonly onPick = (event: Event): void => {
    const input = event.target as HTMLInputElement;
    this.emit({ type: 'import', files: [...(input.files ?? [])] });
    input.value = '';
  };

  private emit(intent: MediaIntent): void {
    this.dispatchEvent(new CustomEvent('media-intent', { detail: intent, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-media-view': MediaView;
  }
}
