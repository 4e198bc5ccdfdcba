import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { isMacroName } from '../core/macro-syntax';
import { type Script, type ScriptKind, scriptKinds } from '../core/script';
import './code-editor';
import './macro-try';
import type { MacroTrial } from './macro-trial';
import './output-panel';
import { controlStyles } from './shared-styles';
import type { WorkspaceState } from './workspace';

/** What the user asked of the open script; the app shell hands it to the Workspace. */
export type ScriptIntent =
  | { type: 'edit'; code: string }
  | { type: 'save' }
  | { type: 'run' }
  | { type: 'stop' }
  | { type: 'kind'; kind: ScriptKind }
  | { type: 'entrypoint'; entrypoint: string }
  | { type: 'enabled'; enabled: boolean }
  | { type: 'clear-output' }
  | { type: 'take-saved-version' }
  | { type: 'keep-edits' };

/** The open script: its toolbar, the editor and the output panel. Emits `script-intent`. */
@customElement('pymark-script-view')
export class ScriptView extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: grid;
        grid-template-rows: auto minmax(120px, 1fr) minmax(120px, 35%);
        gap: 0.5rem;
        min-height: 0;
        height: 100%;
      }
      .head {
        display: grid;
        gap: 0.3rem;
      }
      /*
       * The controls wrap below the name only as a whole and only when even a short name leaves no
       * room for them; a long name or the unsaved-changes mark shortens the name instead, so the
       * editor does not jump as the author types.
       */
      .toolbar {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      .identity {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        flex: 1 1 12rem;
        min-width: 0;
      }
      .controls {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        flex-wrap: wrap;
        margin-left: auto;
      }
      h2,
      .macro-call {
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      h2 {
        font-size: 1rem;
        margin: 0 0.5rem 0 0;
        font-weight: 600;
      }
      .notice {
        font-size: 0.8rem;
        color: var(--warning-text);
      }
      .identity .notice {
        flex: none;
      }
      .macro-call {
        font-size: 0.8rem;
        color: var(--muted);
      }
      .placeholder {
        grid-row: 1 / -1;
        display: grid;
        place-items: center;
        color: var(--muted);
      }
    `,
  ];

  @property({ attribute: false }) state?: WorkspaceState;
  /** Tries macros: with it, Run on a macro opens the Try-a-macro form in place of the output. */
  @property({ attribute: false }) trial?: MacroTrial;
  /** The macro whose Try-a-macro form is open. */
  @state() private tryingId: string | null = null;

  override render() {
    const view = this.state;
    const script = view?.items.find((candidate) => candidate.id === view.selectedId);
    if (!view || !script) {
      return html`<p class="placeholder">Create a script with “New script” to get started.</p>`;
    }
    return html`
      <div class="head">
        <div class="toolbar">
          <div class="identity">
            <h2 title=${script.title}>${script.title}</h2>
            ${
              script.kind === 'macro' && isMacroName(script.slug)
                ? html`<code class="macro-call" title="How a post calls this macro">[[${script.slug}]]</code>`
                : nothing
            }
            ${view.dirty ? html`<span class="notice">Unsaved changes</span>` : nothing}
          </div>
          <div class="controls">
            <label class="field"
              >Kind
              <select
                @change=${(event: Event) =>
                  this.intent({
                    type: 'kind',
                    kind: (event.target as HTMLSelectElement).value as ScriptKind,
                  })}
              >
                ${scriptKinds.map((kind) => html`<option value=${kind} .selected=${kind === script.kind}>${kind}</option>`)}
              </select>
            </label>
            ${this.renderEntrypointPicker(script, view)}
            ${this.renderEnabled(script)}
            <button @click=${() => this.intent({ type: 'save' })} ?disabled=${!view.dirty} title="Save (Ctrl/Cmd+S)">
              Save
            </button>
            <button
              class="primary"
              @click=${() => this.run(script)}
              ?disabled=${view.runningId !== null}
              title=${script.kind === 'transform' ? 'Try on a sample shared page (Ctrl/Cmd+Enter)' : 'Run (Ctrl/Cmd+Enter)'}
            >
              Run
            </button>
            <button @click=${() => this.intent({ type: 'stop' })} ?disabled=${view.runningId === null}>Stop</button>
          </div>
        </div>
        ${this.renderNotices(script, view)}
      </div>
      <pymark-code-editor
        .value=${view.code}
        .errorLine=${view.errorLine}
        .diagnostics=${view.check?.diagnostics ?? []}
        .diagnosticsFor=${view.check?.code ?? null}
        label="Code of ${script.title}"
        @code-change=${(event: CustomEvent<string>) => this.intent({ type: 'edit', code: event.detail })}
        @save-request=${() => this.intent({ type: 'save' })}
        @run-request=${() => this.run(script)}
      ></pymark-code-editor>
      ${
        this.tryingId === script.id && script.kind === 'macro'
          ? keyed(
              script.id,
              html`<pymark-macro-try
                .trial=${this.trial}
                .script=${script}
                .code=${view.code}
                @close-trial=${() => (this.tryingId = null)}
              ></pymark-macro-try>`,
            )
          : html`<pymark-output-panel
              .entries=${view.output}
              @clear-output=${() => this.intent({ type: 'clear-output' })}
            ></pymark-output-panel>`
      }
    `;
  }

  /** A macro is tried with parameters of the author's choosing; any other script runs. */
  private run(script: Script): void {
    if (script.kind === 'macro' && this.trial) this.tryingId = script.id;
    else this.intent({ type: 'run' });
  }

  /** What needs the author's attention, each a row of its own under the toolbar, never cut short. */
  private renderNotices(script: Script, view: WorkspaceState) {
    return html`${
      script.kind === 'macro' && !isMacroName(script.slug)
        ? html`<span class="notice" role="note"
            >Posts cannot call this macro: [[${script.slug}]] reads as text. Rename it to include a letter.</span
          >`
        : nothing
    }
    ${view.savedWithError ? html`<span class="notice" role="status">${view.savedWithError}</span>` : nothing}
    ${
      view.changedElsewhere
        ? html`<span class="notice" role="alert">
            The saved version changed outside the editor; your edits are kept.
            <button @click=${() => this.intent({ type: 'take-saved-version' })}>Load saved version</button>
            <button @click=${() => this.intent({ type: 'keep-edits' })}>Keep my edits</button>
          </span>`
        : nothing
    }`;
  }

  /**
   * The script's top-level functions, as Python sees them; a missing entrypoint stays listed, marked.
   * Selection is bound on each option, not as the select's value: Lit sets a select's value before it
   * updates the options, so a value only the new options have would select nothing.
   */
  private renderEntrypointPicker(script: Script, view: WorkspaceState) {
    const found = view.check?.entrypoints ?? [];
    const choices = found.includes(script.entrypoint) ? found : [script.entrypoint, ...found];
    return html`<label class="field"
      >Entrypoint
      <select
        @change=${(event: Event) =>
          this.intent({ type: 'entrypoint', entrypoint: (event.target as HTMLSelectElement).value })}
      >
        ${choices.map(
          (name) =>
            html`<option value=${name} .selected=${name === script.entrypoint}>
              ${name}()${found.includes(name) || !view.check ? '' : ' — not defined'}
            </option>`,
        )}
      </select>
    </label>`;
  }

  /** Macros and transforms can be switched off without deleting them; a utility only runs by hand. */
  private renderEnabled(script: Script) {
    if (script.kind === 'utility') return nothing;
    const what =
      script.kind === 'macro'
        ? 'Posts call only enabled macros'
        : 'Only enabled transforms are offered for shared posts';
    return html`<label class="field" title=${what}
      ><input
        type="checkbox"
        .checked=${script.enabled}
        @change=${(event: Event) => this.intent({ type: 'enabled', enabled: (event.target as HTMLInputElement).checked })}
      />Enabled</label
    >`;
  }

  private intent(detail: ScriptIntent): void {
    this.dispatchEvent(new CustomEvent('script-intent', { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-script-view': ScriptView;
  }
}
