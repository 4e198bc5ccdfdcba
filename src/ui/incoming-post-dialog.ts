import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { withoutFileName } from '../core/script';
import type { TransformOutcome } from '../runtime/types';
import { type IncomingEdits, type IncomingState, postToSave } from './incoming-posts';
import { controlStyles, dialogStyles } from './shared-styles';

const sourceNames = { share: 'the share sheet', bookmarklet: 'the bookmarklet' } as const;

/**
 * A post that arrived from outside, before it is saved: what came, the transform it goes through and
 * the post that comes out. Emits `incoming-transform` (detail: script id or null, to run it),
 * `incoming-save`, `incoming-later` and `incoming-discard`.
 */
@customElement('pymark-incoming-post')
export class IncomingPostDialog extends LitElement {
  static override styles = [
    controlStyles,
    dialogStyles,
    css`
      dialog {
        /* The padding counts, so a short window still shows the whole frame. */
        box-sizing: border-box;
        width: min(44rem, calc(100vw - 2rem));
        max-height: calc(100dvh - 2rem);
      }
      h3 {
        margin: 1rem 0 0.4rem;
        font-size: 0.95rem;
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.25rem 0.75rem;
        margin: 0;
        font-size: 0.9rem;
      }
      dt {
        color: var(--muted);
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
        white-space: pre-line;
      }
      /* Each pre scrolls past 14rem, so it takes focus: a keyboard can scroll it (axe: scrollable-region-focusable). */
      pre {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        max-height: 14rem;
        overflow: auto;
        margin: 0.4rem 0 0;
        padding: 0.5rem;
        border: 1px solid var(--border);
        border-radius: 6px;
        font-size: 0.85rem;
      }
      .failure {
        color: #991b1b;
        background: #fef2f2;
        border: 1px solid #fecaca;
        border-radius: 6px;
        padding: 0.5rem 0.75rem;
      }
      .hint {
        color: var(--muted);
        font-size: 0.85rem;
      }
      .edits {
        display: grid;
        gap: 0.5rem;
        margin-bottom: 0.5rem;
      }
      .edits label {
        display: grid;
        gap: 0.2rem;
        font-size: 0.85rem;
      }
      .edits input {
        font: inherit;
        padding: 0.3rem 0.4rem;
        box-sizing: border-box;
        width: 100%;
      }
    `,
  ];

  @property({ attribute: false }) state?: IncomingState;
  @query('dialog') private dialog?: HTMLDialogElement;

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has('state') || !this.dialog) return;
    const waiting = this.state?.incoming != null && !this.state.deferred;
    if (waiting && !this.dialog.open) this.dialog.showModal();
    else if (!waiting && this.dialog.open) this.dialog.close();
  }

  override render() {
    const state = this.state;
    return html`<dialog aria-labelledby="incoming-title" @cancel=${this.onCancel} @close=${this.onClose}>
        ${state?.incoming ? this.renderIncoming(state) : nothing}
      </dialog>`;
  }

  private renderIncoming(state: IncomingState) {
    const incoming = state.incoming!;
    const post = postToSave(state);
    return html`<h2 id="incoming-title">A post arrived from ${sourceNames[incoming.source]}</h2>
      <dl>
        ${incoming.title ? html`<dt>Title</dt><dd>${incoming.title}</dd>` : nothing}
        ${incoming.url ? html`<dt>Address</dt><dd>${incoming.url}</dd>` : nothing}
        ${incoming.text ? html`<dt>Text</dt><dd>${incoming.text.slice(0, 300)}${incoming.text.length > 300 ? '…' : ''}</dd>` : nothing}
      </dl>
      <h3>Transform</h3>
      <label class="field">
        Run
        <select
          aria-label="Transform"
          @change=${(event: Event) => this.emit('incoming-transform', (event.target as HTMLSelectElement).value || null)}
        >
          ${state.transforms.map(
            (transform) =>
              html`<option value=${transform.id} .selected=${transform.id === state.transformId}>
                ${transform.title} (${transform.fileName})
              </option>`,
          )}
          <option value="" .selected=${state.transformId === null}>No transform</option>
        </select>
      </label>
      ${state.transforms.length === 0 ? html`<p class="hint">No transform scripts are enabled; the post is saved as it came.</p>` : nothing}
      ${this.renderTransform(state)}
      ${post ? this.renderPost(post) : nothing}
      ${state.problem ? html`<p class="failure" role="alert">${state.problem}</p>` : nothing}
      <menu>
        <button @click=${() => this.emit('incoming-later')} title="Keep it waiting, e.g. to fix a transform">Later</button>
        ${
          state.transform.kind === 'done' && !state.transform.outcome.ok
            ? html`<button @click=${() => this.emit('incoming-transform', state.transformId)}>Try again</button>`
            : nothing
        }
        <span class="spacer"></span>
        <button @click=${() => this.emit('incoming-discard')}>Discard</button>
        <button class="primary" ?disabled=${!post || state.saving} @click=${() => this.emit('incoming-save')}>
          ${state.saving ? 'Saving…' : 'Save as draft'}
        </button>
      </menu>`;
  }

  private renderTransform(state: IncomingState) {
    const transform = state.transform;
    if (transform.kind === 'running')
      return html`<p class="hint" role="status">Running ${transform.fileName}…</p>`;
    if (transform.kind !== 'done') return nothing;
    const { outcome } = transform;
    return html`${outcome.ok ? nothing : this.renderFailure(outcome)}
    ${outcome.printed ? html`<details><summary>What it printed</summary><pre tabindex="0">${outcome.printed}</pre></details>` : nothing}`;
  }

  private renderFailure(outcome: Extract<TransformOutcome, { ok: false }>) {
    const where = outcome.line === undefined ? outcome.script : `${outcome.script}, line ${outcome.line}`;
    // The script's own fault can be fixed and tried again; a lost worker or script cannot.
    const fixable =
      outcome.kind === 'exception' || outcome.kind === 'invalid-result' || outcome.kind === 'timeout';
    return html`<div class="failure" role="alert">
      <strong>${where}</strong>: ${withoutFileName(outcome.message, outcome.script)}
      ${outcome.traceback ? html`<details><summary>Traceback</summary><pre tabindex="0">${outcome.traceback}</pre></details>` : nothing}
      <p class="hint">
        ${fixable ? 'Fix the script (Later keeps this post waiting) and try again, or choose' : 'Choose another transform, or'}
        “No transform” to keep the post as it came.
      </p>
    </div>`;
  }

  private renderPost(post: NonNullable<ReturnType<typeof postToSave>>) {
    return html`<h3>Post to save</h3>
      <div class="edits">
        <label
          >Title
          <input
            .value=${this.state?.edits.title ?? post.title}
            @input=${(event: Event) => this.edit({ title: (event.target as HTMLInputElement).value })}
        /></label>
        <label
          >Tags
          <input
            .value=${post.tags.join(', ')}
            @change=${(event: Event) =>
              this.edit({
                tags: (event.target as HTMLInputElement).value
                  .split(',')
                  .map((tag) => tag.trim())
                  .filter(Boolean),
              })}
        /></label>
      </div>
      <dl>
        ${post.categories.length > 0 ? html`<dt>Categories</dt><dd>${post.categories.join(', ')}</dd>` : nothing}
      </dl>
      <pre aria-label="Body" tabindex="0">${post.body}</pre>`;
  }

  /** Escape would close the dialog with the post neither saved nor dropped: only the buttons decide. */
  private onCancel(event: Event): void {
    event.preventDefault();
  }

  /** Chromium lets a second Escape close the dialog regardless; while the post waits, it comes back. */
  private onClose(): void {
    if (this.state?.incoming && !this.state.deferred) this.dialog?.showModal();
  }

  private edit(edits: IncomingEdits): void {
    this.dispatchEvent(new CustomEvent('incoming-edit', { detail: edits, bubbles: true, composed: true }));
  }

  private emit(type: string, detail?: string | null): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-incoming-post': IncomingPostDialog;
  }
}
