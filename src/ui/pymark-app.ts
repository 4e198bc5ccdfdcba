import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import './code-editor';
import './output-panel';
import './runtime-status';
import './script-list';
import './settings-dialog';
import './update-prompt';
import type { SettingsDialog } from './settings-dialog';
import type { Workspace, WorkspaceState } from './workspace';

/** The app shell: lays out the workspace and forwards user intents to it. */
@customElement('pymark-app')
export class PymarkApp extends LitElement {
  static override styles = css`
    :host {
      display: grid;
      grid-template-columns: minmax(180px, 260px) 1fr;
      grid-template-rows: auto 1fr;
      height: 100vh;
      height: 100dvh;
    }
    header.app {
      grid-column: 1 / -1;
      display: flex;
      align-items: center;
      gap: 1rem;
      padding: 0.5rem 1rem;
      border-bottom: 1px solid var(--border);
      background: var(--panel-bg);
    }
    h1 {
      font-size: 1.1rem;
      margin: 0;
      letter-spacing: 0.02em;
    }
    .spacer {
      flex: 1;
    }
    nav {
      border-right: 1px solid var(--border);
      background: var(--panel-bg);
      display: flex;
      flex-direction: column;
      gap: 0.5rem;
      padding: 0.75rem;
      overflow: auto;
    }
    main {
      display: grid;
      grid-template-rows: auto minmax(120px, 1fr) minmax(120px, 35%);
      gap: 0.5rem;
      padding: 0.75rem;
      min-width: 0;
      min-height: 0;
    }
    .toolbar {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      flex-wrap: wrap;
    }
    .toolbar h2 {
      font-size: 1rem;
      margin: 0 0.5rem 0 0;
      font-weight: 600;
    }
    .unsaved {
      font-size: 0.8rem;
      color: var(--warning-text);
    }
    button {
      font: inherit;
      padding: 0.35rem 0.8rem;
      border-radius: 6px;
      border: 1px solid var(--border);
      background: var(--button-bg);
      color: var(--text);
      cursor: pointer;
    }
    button.primary {
      background: var(--accent);
      border-color: var(--accent);
      color: #fff;
    }
    button:disabled {
      opacity: 0.5;
      cursor: default;
    }
    kbd {
      font-size: 0.75em;
      opacity: 0.7;
    }
    .placeholder {
      grid-row: 1 / -1;
      display: grid;
      place-items: center;
      color: var(--muted);
    }
    .toast,
    .problem {
      position: fixed;
      left: 50%;
      transform: translateX(-50%);
      display: flex;
      gap: 0.75rem;
      align-items: center;
      padding: 0.6rem 1rem;
      border-radius: 8px;
      box-shadow: 0 4px 16px rgba(0, 0, 0, 0.2);
      z-index: 10;
    }
    .toast {
      bottom: 1.25rem;
      background: #1f2937;
      color: #fff;
    }
    .toast button {
      background: transparent;
      color: #93c5fd;
      border-color: #4b5563;
    }
    .problem {
      top: 3.5rem;
      background: #fef2f2;
      color: #991b1b;
      border: 1px solid #fecaca;
    }
  `;

  @property({ attribute: false }) workspace?: Workspace;
  @state() private view?: WorkspaceState;

  private unsubscribe?: () => void;

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.onShortcut);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onShortcut);
    this.unsubscribe?.();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (!changed.has('workspace')) return;
    this.unsubscribe?.();
    this.view = this.workspace?.state;
    this.unsubscribe = this.workspace?.subscribe((next) => {
      this.view = next;
    });
  }

  override render() {
    const view = this.view;
    const workspace = this.workspace;
    return html`
      <header class="app">
        <h1>Pymark</h1>
        <span class="spacer"></span>
        ${view ? html`<pymark-runtime-status .status=${view.status} .bootInfo=${view.bootInfo}></pymark-runtime-status>` : nothing}
        <button @click=${this.openSettings}>Settings</button>
      </header>
      <nav aria-label="Scripts sidebar">
        <button class="primary" @click=${() => workspace?.create()}>New script</button>
        <pymark-script-list
          .scripts=${view?.scripts ?? []}
          .selectedId=${view?.selectedId ?? null}
          .dirtyId=${view?.dirty ? view.selectedId : null}
          @select-script=${(event: CustomEvent<string>) => workspace?.select(event.detail)}
          @rename-script=${(event: CustomEvent<{ id: string; title: string }>) =>
            workspace?.rename(event.detail.id, event.detail.title)}
          @delete-script=${(event: CustomEvent<string>) => workspace?.delete(event.detail)}
        ></pymark-script-list>
      </nav>
      <main>${view ? this.renderWorkspace(view) : nothing}</main>
      ${
        view?.recentlyDeleted
          ? html`<div class="toast" role="alert">
            Deleted “${view.recentlyDeleted.title}”.
            <button @click=${() => workspace?.undoDelete()}>Undo</button>
            <button aria-label="Dismiss" @click=${() => workspace?.dismissUndo()}>✕</button>
          </div>`
          : nothing
      }
      ${
        view?.problem
          ? html`<div class="problem" role="alert">
            ${view.problem}
            <button aria-label="Dismiss problem" @click=${() => workspace?.dismissProblem()}>✕</button>
          </div>`
          : nothing
      }
      <pymark-settings-dialog
        .runTimeoutMs=${view?.runTimeoutMs ?? 30_000}
        @timeout-change=${(event: CustomEvent<number>) => workspace?.setRunTimeout(event.detail)}
      ></pymark-settings-dialog>
      <pymark-update-prompt></pymark-update-prompt>
    `;
  }

  private renderWorkspace(view: WorkspaceState) {
    const script = view.scripts.find((candidate) => candidate.id === view.selectedId);
    if (!script) {
      return html`<p class="placeholder">Create a script with “New script” to get started.</p>`;
    }
    const workspace = this.workspace;
    return html`
      <div class="toolbar">
        <h2>${script.title}</h2>
        ${view.dirty ? html`<span class="unsaved">Unsaved changes</span>` : nothing}
        <span class="spacer"></span>
        <button @click=${() => workspace?.save()} ?disabled=${!view.dirty} title="Save (Ctrl/Cmd+S)">Save</button>
        <button class="primary" @click=${() => workspace?.run()} ?disabled=${view.running} title="Run (Ctrl/Cmd+Enter)">
          Run
        </button>
        <button @click=${() => workspace?.stop()} ?disabled=${!view.running}>Stop</button>
      </div>
      <pymark-code-editor
        .value=${view.code}
        .errorLine=${view.errorLine}
        label="Code of ${script.title}"
        @code-change=${(event: CustomEvent<string>) => workspace?.edit(event.detail)}
        @save-request=${() => workspace?.save()}
        @run-request=${() => workspace?.run()}
      ></pymark-code-editor>
      <pymark-output-panel .entries=${view.output}></pymark-output-panel>
    `;
  }

  /** Ctrl/Cmd+S and Ctrl/Cmd+Enter outside the editor; inside it, the editor's keymap handles them first. */
  private readonly onShortcut = (event: KeyboardEvent): void => {
    if (!(event.ctrlKey || event.metaKey) || event.defaultPrevented) return;
    if (event.key === 's') {
      event.preventDefault();
      void this.workspace?.save();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      void this.workspace?.run();
    }
  };

  private openSettings(): void {
    this.renderRoot.querySelector<SettingsDialog>('pymark-settings-dialog')?.open();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-app': PymarkApp;
  }
}
