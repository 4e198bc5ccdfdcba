import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { type PostStatus, postStatuses } from '../core/post';
import type { Script } from '../core/script';
import type { RenderedPost } from '../render/post-renderer';
import type { ScriptDiagnostic } from '../runtime/types';
import type { CodeEditor } from './code-editor';
import './code-editor';
import './post-preview';
import type { PostFields, PostsState } from './posts-workspace';

const saveLabels = { saved: 'Saved', saving: 'Saving…', unsaved: 'Unsaved changes' } as const;

/** Splits "a, b ,, c" into ["a", "b", "c"]. */
/**
 * A comma-separated field as a list. The fields commit on every keystroke, like the Markdown, so a
 * reload right after typing keeps them; a value that parses to the list already shown is left alone
 * by Lit, so a trailing ", " stays while the next entry is typed.
 */
function parseList(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

function formatDate(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' }) : '—';
}

/**
 * The post being edited: front-matter fields, the Markdown editor and the live preview. Emits
 * `body-change` (string), `fields-change` (Partial<PostFields>) and lets `open-script` bubble up.
 */
@customElement('pymark-posts-view')
export class PostsView extends LitElement {
  static override styles = css`
    :host {
      display: grid;
      grid-template-rows: auto auto minmax(0, 1fr);
      gap: 0.5rem;
      min-height: 0;
      height: 100%;
    }
    .toolbar {
      display: flex;
      align-items: center;
      gap: 0.75rem;
    }
    h2 {
      font-size: 1rem;
      margin: 0;
    }
    .save-state {
      font-size: 0.8rem;
      color: var(--muted);
    }
    .save-state[data-state='unsaved'] {
      color: var(--warning-text);
    }
    form {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem 1rem;
      align-items: end;
      font-size: 0.85rem;
    }
    label {
      display: grid;
      gap: 0.2rem;
    }
    input,
    select {
      font: inherit;
      padding: 0.25rem 0.4rem;
      min-width: 12rem;
    }
    .dates {
      color: var(--muted);
    }
    .panes {
      display: grid;
      grid-template-columns: 1fr 1fr;
      gap: 0.5rem;
      min-height: 0;
    }
    .preview {
      display: grid;
      grid-template-rows: minmax(0, 1fr) auto;
      gap: 0.4rem;
      min-height: 0;
    }
    ul.warnings {
      margin: 0;
      padding: 0.4rem 0.6rem 0.4rem 1.6rem;
      max-height: 8rem;
      overflow: auto;
      background: #fffbeb;
      color: #92400e;
      border: 1px solid #fde68a;
      border-radius: 6px;
      font-size: 0.85rem;
    }
    button.link {
      font: inherit;
      color: inherit;
      background: none;
      border: 0;
      padding: 0;
      text-decoration: underline;
      cursor: pointer;
    }
    .problem {
      color: #b91c1c;
      font-size: 0.85rem;
    }
  `;

  @property({ attribute: false }) state?: PostsState;
  /** The project's scripts: the Markdown editor completes and explains calls of its macros. */
  @property({ attribute: false }) scripts: readonly Script[] = [];

  override render() {
    const post = this.state?.editing;
    if (!this.state || !post) return html`<p>Select a post or create one with “New post”.</p>`;
    const { saveState, preview, previewProblem } = this.state;
    return html`
      <div class="toolbar">
        <h2>${post.title}</h2>
        <span class="save-state" role="status" aria-label="Save state" data-state=${saveState}>${saveLabels[saveState]}</span>
      </div>
      <form @submit=${(event: Event) => event.preventDefault()}>
        <label
          >Status
          <select
            @change=${(event: Event) => this.fields({ status: (event.target as HTMLSelectElement).value as PostStatus })}
          >
            ${postStatuses.map((status) => html`<option value=${status} .selected=${status === post.status}>${status}</option>`)}
          </select>
        </label>
        <label
          >Tags
          <input
            .value=${post.tags.join(', ')}
            placeholder="python, blogging"
            @input=${(event: Event) => this.fields({ tags: parseList((event.target as HTMLInputElement).value) })}
          />
        </label>
        <label
          >Categories
          <input
            .value=${post.categories.join(', ')}
            @input=${(event: Event) => this.fields({ categories: parseList((event.target as HTMLInputElement).value) })}
          />
        </label>
        <span class="dates"
          >Created ${formatDate(post.createdAt)} · Updated ${formatDate(post.updatedAt)} · Published
          ${formatDate(post.publishedAt)}</span
        >
      </form>
      <div class="panes">
        <pymark-code-editor
          language="markdown"
          label="Markdown of ${post.title}"
          .value=${post.body}
          .diagnostics=${previewMarks(preview)}
          .diagnosticsFor=${preview?.body ?? null}
          diagnosticsSource="Preview"
          .scripts=${this.scripts}
          @code-change=${(event: CustomEvent<string>) => this.emit('body-change', event.detail)}
        ></pymark-code-editor>
        <section class="preview" aria-label="Preview">
          <pymark-post-preview .html=${preview?.html ?? ''}></pymark-post-preview>
          ${previewProblem ? html`<p class="problem" role="alert">Preview failed: ${previewProblem}</p>` : nothing}
          ${
            preview && preview.warnings.length > 0
              ? html`<ul class="warnings" aria-label="Preview warnings">
                ${preview.warnings.map(
                  (warning) =>
                    html`<li>
                      <button
                        class="link"
                        title="Show in the Markdown"
                        @click=${() => this.editor?.reveal(warning.line, warning.column)}
                      >Line ${warning.line}, column ${warning.column}</button>: ${warning.message}
                    </li>`,
                )}
              </ul>`
              : nothing
          }
        </section>
      </div>
    `;
  }

  private get editor(): CodeEditor | null {
    return this.renderRoot.querySelector('pymark-code-editor');
  }

  private fields(fields: Partial<PostFields>): void {
    this.emit('fields-change', fields);
  }

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

/** One array per preview: a new one on every render would redo the editor's marks at each keystroke. */
const marks = new WeakMap<RenderedPost, ScriptDiagnostic[]>();
const noMarks: ScriptDiagnostic[] = [];

function previewMarks(preview: RenderedPost | null): ScriptDiagnostic[] {
  if (!preview) return noMarks;
  let found = marks.get(preview);
  if (!found) {
    found = preview.warnings.map((warning) => ({ severity: 'warning', ...warning }));
    marks.set(preview, found);
  }
  return found;
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-posts-view': PostsView;
  }
}
