import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { formatParamValue, type MacroDeclaration, type MacroParam } from '../core/macro-params';
import type { MacroPlacement } from '../core/markdown-macros';
import type { Script } from '../core/script';
import type { MacroTrial, TrialResult } from './macro-trial';
import './post-preview';
import { controlStyles } from './shared-styles';

/**
 * The Try-a-macro panel: a form for the macro's declared parameters (and its body, if it takes one),
 * and what render() made of them: the sanitized HTML in a preview frame, the raw HTML, what it printed.
 * Emits `close-trial`.
 */
@customElement('pymark-macro-try')
export class MacroTry extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        overflow: auto;
        min-height: 0;
        border: 1px solid var(--border);
        border-radius: 6px;
        padding: 0.5rem 0.75rem;
        font-size: 0.85rem;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: end;
      }
      h3,
      h4 {
        margin: 0.25rem 0;
        font-size: 0.9rem;
      }
      header {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        width: 100%;
      }
      label {
        display: grid;
        gap: 0.15rem;
      }
      label small {
        color: var(--muted);
        max-width: 16rem;
      }
      textarea {
        min-width: 20rem;
        min-height: 4rem;
      }
      pre {
        white-space: pre-wrap;
        word-break: break-word;
        background: var(--editor-bg, #f6f6f6);
        padding: 0.4rem;
        margin: 0;
      }
      pymark-post-preview {
        display: block;
        height: 12rem;
      }
      .problem {
        color: var(--error-text, #b91c1c);
      }
    `,
  ];

  @property({ attribute: false }) trial?: MacroTrial;
  @property({ attribute: false }) script?: Script;
  /** The script as edited, which is what is tried. */
  @property() code = '';

  @state() private fields: Record<string, string | boolean> = {};
  @state() private written = '';
  @state() private placement: MacroPlacement = 'block';
  @state() private body = '';
  @state() private result: TrialResult | null = null;
  @state() private busy = false;

  override render() {
    const { trial, script } = this;
    if (!trial || !script) return nothing;
    const declaration = trial.declarationOf(this.code, script.entrypoint);
    return html`
      <form aria-label="Try ${script.slug}" @submit=${(event: Event) => this.submit(event)}>
        <header>
          <h3>Try [[${script.slug}]]</h3>
          <span class="spacer"></span>
          <button type="button" @click=${() => this.dispatchEvent(new CustomEvent('close-trial', { bubbles: true, composed: true }))}>
            Close
          </button>
        </header>
        ${this.renderParams(declaration)}
        <label
          >Placement
          <select @change=${(event: Event) => (this.placement = (event.target as HTMLSelectElement).value as MacroPlacement)}>
            <option value="block" .selected=${this.placement === 'block'}>block</option>
            <option value="inline" .selected=${this.placement === 'inline'}>inline</option>
          </select>
        </label>
        ${
          declaration.takesBody
            ? html`<label
                >Body (Markdown)
                <textarea .value=${this.body} @input=${(event: Event) => (this.body = (event.target as HTMLTextAreaElement).value)}></textarea>
              </label>`
            : nothing
        }
        <button class="primary" type="submit" ?disabled=${this.busy}>Try</button>
      </form>
      ${this.renderResult()}
    `;
  }

  private renderParams(declaration: MacroDeclaration) {
    if (declaration.params === null) {
      return html`<label
        >Parameters, as in a call
        <input
          placeholder='key=value other="text"'
          .value=${this.written}
          @input=${(event: Event) => (this.written = (event.target as HTMLInputElement).value)}
        />
        <small>This macro declares no PARAMS (see docs/macros.md).</small>
      </label>`;
    }
    return declaration.params.map((param) => this.renderParam(param));
  }

  private renderParam(param: MacroParam) {
    const help = [param.doc, param.default === undefined ? '' : `default ${formatParamValue(param.default)}`]
      .filter(Boolean)
      .join('; ');
    const label = `${param.name}${param.required ? ' (required)' : ''}`;
    if (param.types.length === 1 && param.types[0] === 'bool') {
      return html`<label
        >${label}
        <input
          type="checkbox"
          .checked=${this.fields[param.name] === true}
          @change=${(event: Event) => this.setField(param.name, (event.target as HTMLInputElement).checked)}
        />
        <small>${help}</small>
      </label>`;
    }
    const listId = `values-${param.name}`;
    return html`<label
      >${label}
      <input
        .value=${String(this.fields[param.name] ?? '')}
        list=${param.values.length > 0 ? listId : nothing}
        placeholder=${param.types.join(' | ') || 'any'}
        @input=${(event: Event) => this.setField(param.name, (event.target as HTMLInputElement).value)}
      />
      ${
        param.values.length > 0
          ? html`<datalist id=${listId}>${param.values.map((value) => html`<option value=${String(value)}></option>`)}</datalist>`
          : nothing
      }
      <small>${help}</small>
    </label>`;
  }

  private renderResult() {
    const result = this.result;
    if (result === null) return nothing;
    const printed = result.printed
      ? html`<h4>Printed</h4>
          <pre aria-label="What it printed">${result.printed}</pre>`
      : nothing;
    if (!result.ok) {
      return html`<p class="problem" role="alert">${result.message}</p>
        ${printed}`;
    }
    return html`
      ${result.warnings.length > 0 ? html`<ul aria-label="Warnings">${result.warnings.map((warning) => html`<li>${warning}</li>`)}</ul>` : nothing}
      <h4>Sanitized HTML</h4>
      <pymark-post-preview .html=${result.html}></pymark-post-preview>
      <h4>Raw HTML</h4>
      <pre aria-label="Raw HTML">${result.rawHtml}</pre>
      ${printed}
    `;
  }

  private setField(name: string, value: string | boolean): void {
    this.fields = { ...this.fields, [name]: value };
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    const { trial, script } = this;
    if (!trial || !script || this.busy) return;
    this.busy = true;
    try {
      const input = {
        fields: this.fields,
        written: this.written,
        placement: this.placement,
        body: this.body,
      };
      this.result = await trial.try(script, this.code, input);
    } catch (error) {
      this.result = {
        ok: false,
        message: `Could not try the macro: ${error instanceof Error ? error.message : String(error)}`,
        printed: '',
      };
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-macro-try': MacroTry;
  }
}
