import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { type PostStatus, postStatuses } from '../core/post';
import type { Script } from '../core/script';
import type { RenderedPost, RenderWarning } from '../render/post-renderer';
import type { ScriptDiagnostic } from '../runtime/types';
import type { CodeEditor } from './code-editor';
import './code-editor';
import { possibleImageFiles } from './image-files';
import './post-preview';
import type { PostPreview } from './post-preview';
import { type PostFields, type PostsState, slugProblem } from './posts-workspace';

/** An image linked to the post, with the URL to show it by (its small thumbnail, else the image). */
export interface LinkedMedia {
  id: string;
  fileName: string;
  alt: string;
  preview: string | undefined;
}

/** Image files dropped or pasted into the Markdown, and where: `offset` null means at the cursor. */
export interface ImagesIntoPost {
  files: File[];
  offset: number | null;
}

const saveLabels = { saved: 'Saved', saving: 'Saving…', unsaved: 'Unsaved changes' } as const;

/**
 * A comma-separated field as a list: "a, b ,, c" is ["a", "b", "c"]. The fields commit on every
 * keystroke, like the Markdown, so a reload right after typing keeps them; a value that parses to
 * the list already shown is left alone by Lit, so a trailing ", " stays while the next entry is typed.
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
 * `body-change` (string), `fields-change` (Partial<PostFields>), `title-change` and `slug-change`
 * (string), `conflict-open` and `conflict-dismiss` (after an edit conflict), `images-into-post`
 * (ImagesIntoPost: image files dropped or pasted into the Markdown), `media-open` (a linked image's
 * id), and lets `open-script` bubble up.
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
      min-width: min(12rem, 100%);
      box-sizing: border-box;
    }
    .dates {
      color: var(--muted);
    }
    label.title {
      flex: 2 1 16rem;
    }
    label.title input {
      width: 100%;
      font-size: 1rem;
    }
    .slug {
      display: grid;
      gap: 0.2rem;
    }
    .check {
      font-size: 0.75rem;
      min-height: 1em;
    }
    .check.problem {
      color: #b91c1c;
    }
    .panes {
      display: grid;
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      gap: 0.5rem;
      min-height: 0;
    }
    /* Only a narrow screen switches between the panes; a wide one shows both. */
    .pane-switch {
      display: none;
    }
    @media (max-width: 760px) {
      :host {
        grid-template-rows: auto auto auto minmax(0, 1fr);
      }
      form label {
        flex: 1 1 10rem;
      }
      .pane-switch {
        display: flex;
        gap: 0.25rem;
      }
      .pane-switch button {
        flex: 1;
        font: inherit;
        padding: 0.35rem;
        border: 1px solid var(--border);
        border-radius: 6px;
        background: var(--button-bg);
        color: var(--text);
      }
      .pane-switch button[aria-selected='true'] {
        background: var(--selected-bg);
        font-weight: 600;
      }
      .panes {
        grid-template-columns: minmax(0, 1fr);
      }
      .panes[data-pane='write'] .preview,
      .panes[data-pane='preview'] pymark-code-editor {
        display: none;
      }
    }
    .preview {
      display: grid;
      grid-template-rows: minmax(0, 1fr) auto;
      gap: 0.4rem;
      min-height: 0;
      position: relative;
    }
    /* Over the frame's corner, out of the grid: the preview does not jump when it appears. */
    .rendering {
      position: absolute;
      top: 0.3rem;
      right: 0.5rem;
      font-size: 0.8rem;
      color: var(--muted);
    }
    ul.messages {
      margin: 0;
      padding: 0.4rem 0.6rem 0.4rem 1.6rem;
      max-height: 8rem;
      overflow: auto;
      border-radius: 6px;
      font-size: 0.85rem;
    }
    ul.error {
      background: #fef2f2;
      color: #991b1b;
      border: 1px solid #fecaca;
    }
    ul.warning {
      background: #fffbeb;
      color: #92400e;
      border: 1px solid #fde68a;
    }
    ul.print {
      background: var(--panel-bg);
      color: var(--text);
      border: 1px solid var(--border);
    }
    ul.print pre {
      display: inline;
      margin: 0;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
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
    .notice {
      font-size: 0.8rem;
      color: var(--warning-text);
    }
    .linked-media {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.4rem;
      flex: 1 1 100%;
    }
    .linked-media .none {
      color: var(--muted);
    }
    .linked-media ul {
      display: flex;
      flex-wrap: wrap;
      gap: 0.3rem;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .linked-media button {
      display: flex;
      align-items: center;
      gap: 0.3rem;
      font: inherit;
      padding: 0.1rem 0.35rem 0.1rem 0.1rem;
      border: 1px solid var(--border);
      border-radius: 6px;
      background: var(--button-bg);
      color: var(--text);
      cursor: pointer;
    }
    .linked-media img {
      width: 2rem;
      height: 2rem;
      object-fit: cover;
      border-radius: 4px;
    }
  `;

  @property({ attribute: false }) state?: PostsState;
  /** The slug as typed and not yet committed, with the post it is for; checked as it is typed. */
  @state() private slugDraft: { id: string; slug: string } | null = null;
  /** Which pane a narrow screen shows: the Markdown or its preview. */
  @state() private pane: 'write' | 'preview' = 'write';
  /** The project's scripts: the Markdown editor completes and explains calls of its macros. */
  @property({ attribute: false }) scripts: readonly Script[] = [];
  /** The images linked to the post being edited, newest first. */
  @property({ attribute: false }) linkedMedia: readonly LinkedMedia[] = [];

  override render() {
    const post = this.state?.editing;
    if (!this.state || !post) return html`<p>Select a post or create one with “New post”.</p>`;
    const { saveState, preview, previewProblem, editConflict, rendering } = this.state;
    return html`
      <div class="toolbar">
        <h2>${post.title}</h2>
        <span class="save-state" role="status" aria-label="Save state" data-state=${saveState}>${saveLabels[saveState]}</span>
        ${
          editConflict
            ? html`<span class="notice" role="alert">
              Edited in two places: “${editConflict.title}” was saved elsewhere while you typed; your edits
              are kept as “${editConflict.copyTitle}”.
              <button @click=${() => this.emit('conflict-open', editConflict.copyId)}>Open your edits</button>
              <button aria-label="Dismiss conflict notice" @click=${() => this.emit('conflict-dismiss', null)}>Dismiss</button>
            </span>`
            : nothing
        }
      </div>
      <form @submit=${(event: Event) => event.preventDefault()}>
        <label class="title"
          >Title
          <input
            .value=${post.title}
            @change=${(event: Event) => {
              const title = (event.target as HTMLInputElement).value.trim();
              if (title && title !== post.title) this.emit('title-change', title);
            }}
          />
        </label>
        ${this.renderSlugField(post.id, post.slug)}
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
        ${this.renderLinkedMedia()}
      </form>
      <div class="pane-switch" role="tablist" aria-label="Pane" @keydown=${this.onPaneKey}>
        ${this.renderPaneTab('write', 'Write')} ${this.renderPaneTab('preview', 'Preview')}
      </div>
      <div
        class="panes"
        data-pane=${this.pane}
        @dragover=${this.onDragOver}
        @drop=${{ handleEvent: this.onDrop, capture: true }}
        @paste=${{ handleEvent: this.onPaste, capture: true }}
      >
        <pymark-code-editor
          language="markdown"
          label="Markdown of ${post.title}"
          .value=${post.body}
          .diagnostics=${previewMarks(preview)}
          .diagnosticsFor=${preview?.body ?? null}
          diagnosticsSource="Preview"
          .scripts=${this.scripts}
          @code-change=${(event: CustomEvent<string>) => this.emit('body-change', event.detail)}
          @editor-scroll=${(event: CustomEvent<number>) =>
            this.renderRoot.querySelector<PostPreview>('pymark-post-preview')?.scrollToFraction(event.detail)}
        ></pymark-code-editor>
        <section class="preview" aria-label="Preview" aria-busy=${rendering ? 'true' : 'false'}>
          <pymark-post-preview
            @preview-scroll=${(event: CustomEvent<number>) => this.editor?.scrollToFraction(event.detail)}
            .html=${preview?.html ?? ''}
            .macroCss=${preview?.css ?? noCss}
            .postTitle=${post.title}
          ></pymark-post-preview>
          <span class="rendering" role="status" aria-label="Preview state">${rendering ? 'Rendering…' : ''}</span>
          ${previewProblem ? html`<p class="problem" role="alert">Preview failed: ${previewProblem}</p>` : nothing}
          ${this.renderMessages(preview, 'error', 'Preview errors')}
          ${this.renderMessages(preview, 'warning', 'Preview warnings')}
          ${this.renderMessages(preview, 'print', 'What macros printed')}
        </section>
      </div>
    `;
  }

  /** The images the post is linked to (by Insert into post, a drop or a paste); each opens in Media. */
  private renderLinkedMedia() {
    return html`<div class="linked-media" role="group" aria-label="Linked media">
      <span>Linked media</span>
      ${
        this.linkedMedia.length === 0
          ? html`<span class="none">none yet: drop or paste an image into the Markdown</span>`
          : html`<ul>
            ${this.linkedMedia.map(
              (item) => html`<li>
                <button title="Open ${item.fileName} in Media" @click=${() => this.emit('media-open', item.id)}>
                  ${item.preview ? html`<img src=${item.preview} alt="" />` : nothing}
                  <span>${item.fileName}</span>
                </button>
              </li>`,
            )}
          </ul>`
      }
    </div>`;
  }

  /** Files dragged over the Markdown may be dropped; text drags stay the editor's own. */
  private readonly onDragOver = (event: DragEvent): void => {
    if (!event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  };

  /** Images dropped on the Markdown go into the library, and their Markdown where they were dropped. */
  private readonly onDrop = (event: DragEvent): void =>
    this.takeImages(
      event,
      event.dataTransfer,
      () => this.editor?.offsetAt(event.clientX, event.clientY) ?? null,
    );

  /** An image pasted into the Markdown goes in at the cursor, as a drop does; text pastes as text. */
  private readonly onPaste = (event: ClipboardEvent): void =>
    this.takeImages(event, event.clipboardData, () => this.editor?.cursorOffset ?? null);

  private takeImages(event: Event, data: DataTransfer | null, offset: () => number | null): void {
    const files = possibleImageFiles(data);
    if (files.length === 0 || !this.isInEditor(event)) return;
    // Before the editor's own handling, which would insert nothing (or a file's text), and the app's
    // paste handler, which would import into Media and switch views.
    event.preventDefault();
    event.stopPropagation();
    this.emit('images-into-post', { files, offset: offset() } satisfies ImagesIntoPost);
  }

  private isInEditor(event: Event): boolean {
    const editor = this.editor;
    return editor !== null && event.composedPath().includes(editor);
  }

  /**
   * One of the preview's three lists: errors (failed calls), warnings, and what macros printed, each
   * item a link to its place in the Markdown.
   */
  private renderMessages(preview: RenderedPost | null, kind: MessageKind, label: string) {
    const messages = preview?.warnings.filter((warning) => messageKind(warning) === kind) ?? [];
    if (messages.length === 0) return nothing;
    return html`<ul class="messages ${kind}" aria-label=${label}>
      ${messages.map(
        (message) =>
          html`<li>
            <button
              class="link"
              title="Show in the Markdown"
              @click=${() => this.revealInMarkdown(message.line, message.column)}
            >Line ${message.line}, column ${message.column}</button>: ${
              kind === 'print' ? html`<pre>${message.message}</pre>` : message.message
            }
          </li>`,
      )}
    </ul>`;
  }

  /** The slug, editable, with a check that it is free as it is typed; it commits on Enter or leaving. */
  private renderSlugField(id: string, saved: string) {
    const typed = this.slugDraft?.id === id ? this.slugDraft.slug : saved;
    const problem = this.state ? slugProblem(typed, id, this.state) : null;
    return html`<span class="slug"><label
      >Slug
      <input
        .value=${typed}
        spellcheck="false"
        aria-invalid=${problem !== null}
        aria-describedby="slug-check"
        @input=${(event: Event) => (this.slugDraft = { id, slug: (event.target as HTMLInputElement).value })}
        @change=${() => {
          if (problem === null && typed !== saved) this.emit('slug-change', typed);
          if (problem === null) this.slugDraft = null;
        }}
      /></label>
      <span id="slug-check" class=${problem ? 'check problem' : 'check'} role="status"
        >${problem ?? (typed === saved ? '' : 'Free')}</span
      ></span>`;
  }

  private renderPaneTab(pane: 'write' | 'preview', label: string) {
    const selected = this.pane === pane;
    return html`<button
      role="tab"
      id="pane-${pane}"
      aria-selected=${selected}
      tabindex=${selected ? 0 : -1}
      @click=${() => (this.pane = pane)}
    >
      ${label}
    </button>`;
  }

  /** The two pane tabs are one tab stop; the arrow keys switch between them. */
  private readonly onPaneKey = async (event: KeyboardEvent): Promise<void> => {
    if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) return;
    event.preventDefault();
    this.pane =
      event.key === 'Home'
        ? 'write'
        : event.key === 'End'
          ? 'preview'
          : this.pane === 'write'
            ? 'preview'
            : 'write';
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>(`#pane-${this.pane}`)?.focus();
  };

  /** Shows a place in the Markdown; a narrow screen switches to the Markdown pane first. */
  private async revealInMarkdown(line: number, column: number): Promise<void> {
    this.pane = 'write';
    await this.updateComplete;
    this.editor?.reveal(line, column);
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

const noCss: readonly string[] = [];

type MessageKind = 'error' | 'warning' | 'print';

function messageKind(warning: RenderWarning): MessageKind {
  return warning.kind ?? 'warning';
}

/** One array per preview: a new one on every render would redo the editor's marks at each keystroke. */
const marks = new WeakMap<RenderedPost, ScriptDiagnostic[]>();
const noMarks: ScriptDiagnostic[] = [];

function previewMarks(preview: RenderedPost | null): ScriptDiagnostic[] {
  if (!preview) return noMarks;
  let found = marks.get(preview);
  if (!found) {
    // What a macro printed is listed, never marked: it is not a problem with the call.
    found = preview.warnings.flatMap(({ kind, ...warning }) =>
      kind === 'print' ? [] : [{ ...warning, severity: kind === 'error' ? 'error' : 'warning' } as const],
    );
    marks.set(preview, found);
  }
  return found;
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-posts-view': PostsView;
  }
}
