import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { type Script, type ScriptKind, scriptKinds } from '../core/script';
import './code-editor';
import './output-panel';
import './runtime-status';
import './item-list';
import './posts-view';
import './settings-dialog';
import './update-prompt';
import './diagnostics-view';
import './folder-panel';
import './default-offers-notice';
import type { DefaultOffers } from './default-offers';
import type { Diagnostics, DiagnosticsState } from './diagnostics';
import type { FolderControls } from './folder-connection';
import type { ListItem } from './item-list';
import type { PostFields, PostsState, PostsWorkspace } from './posts-workspace';
import type { SettingsDialog } from './settings-dialog';
import type { Workspace, WorkspaceState } from './workspace';

type Tab = 'scripts' | 'posts' | 'diagnostics';

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });

/** The app shell: lays out the scripts and posts views and forwards user intents to their owners. */
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
    [role='tablist'] {
      display: flex;
      gap: 0.25rem;
    }
    [role='tab'] {
      border-color: transparent;
      background: transparent;
    }
    [role='tab'][aria-selected='true'] {
      background: var(--selected-bg);
      font-weight: 600;
    }
    main.posts,
    main.diagnostics {
      display: block;
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
    .field {
      display: inline-flex;
      align-items: center;
      gap: 0.35rem;
      font-size: 0.85rem;
      color: var(--muted);
    }
    .field select {
      font: inherit;
      color: var(--text);
      padding: 0.25rem;
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
  @property({ attribute: false }) posts?: PostsWorkspace;
  @property({ attribute: false }) folder?: FolderControls;
  @property({ attribute: false }) diagnostics?: Diagnostics;
  @state() private diagnosticsView?: DiagnosticsState;
  @property({ attribute: false }) defaultOffers?: DefaultOffers;
  @state() private view?: WorkspaceState;
  @state() private postsView?: PostsState;
  @state() private tab: Tab = 'scripts';

  private readonly unsubscribers = new Map<string, () => void>();

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.onShortcut);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onShortcut);
    for (const unsubscribe of this.unsubscribers.values()) unsubscribe();
    this.unsubscribers.clear();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('workspace')) {
      this.view = this.workspace?.state;
      this.follow(
        'workspace',
        this.workspace?.subscribe((next) => (this.view = next)),
      );
    }
    if (changed.has('diagnostics')) {
      this.diagnosticsView = this.diagnostics?.state;
      this.follow(
        'diagnostics',
        this.diagnostics?.subscribe((next) => (this.diagnosticsView = next)),
      );
    }
    if (changed.has('posts')) {
      this.postsView = this.posts?.state;
      this.follow(
        'posts',
        this.posts?.subscribe((next) => (this.postsView = next)),
      );
    }
  }

  private follow(name: string, unsubscribe: (() => void) | undefined): void {
    this.unsubscribers.get(name)?.();
    if (unsubscribe) this.unsubscribers.set(name, unsubscribe);
  }

  override render() {
    const view = this.view;
    const workspace = this.workspace;
    const posts = this.posts;
    const deleted = this.tab === 'scripts' ? view?.recentlyDeleted : this.postsView?.recentlyDeleted;
    const owner = this.tab === 'scripts' ? workspace : posts;
    const problem = view?.problem ?? this.postsView?.problem;
    return html`
      <header class="app">
        <h1>Pymark</h1>
        <div role="tablist" aria-label="Views">
          ${this.renderTab('scripts', 'Scripts')} ${this.renderTab('posts', 'Posts')}
          ${this.renderTab('diagnostics', 'Diagnostics')}
        </div>
        <span class="spacer"></span>
        ${view ? html`<pymark-runtime-status .status=${view.status} .bootInfo=${view.bootInfo}></pymark-runtime-status>` : nothing}
        <button @click=${this.openSettings}>Settings</button>
      </header>
      <nav aria-label="Sidebar">${this.tab === 'posts' ? this.renderPostsSidebar() : this.renderScriptsSidebar()}
        <pymark-default-offers .offers=${this.defaultOffers}></pymark-default-offers>
        <pymark-folder-panel .connection=${this.folder}></pymark-folder-panel>
      </nav>
      <main class=${this.tab}>${this.renderMain()}      </main>
      ${
        deleted
          ? html`<div class="toast" role="alert">
            Deleted “${deleted.title}”.
            <button @click=${() => owner?.undoDelete()}>Undo</button>
            <button aria-label="Dismiss" @click=${() => owner?.dismissUndo()}>✕</button>
          </div>`
          : nothing
      }
      ${
        problem
          ? html`<div class="problem" role="alert">
            ${problem}
            <button
              aria-label="Dismiss problem"
              @click=${() => (view?.problem ? workspace?.dismissProblem() : posts?.dismissProblem())}
            >
              ✕
            </button>
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

  private renderMain() {
    switch (this.tab) {
      case 'scripts':
        return this.view ? this.renderWorkspace(this.view) : nothing;
      case 'posts':
        return html`<pymark-posts-view
          .state=${this.postsView}
          @body-change=${(event: CustomEvent<string>) => this.posts?.edit(event.detail)}
          @fields-change=${(event: CustomEvent<Partial<PostFields>>) => this.posts?.setFields(event.detail)}
          @open-script=${(event: CustomEvent<{ scriptId: string; line: number | null }>) =>
            this.openScript(event.detail.scriptId, event.detail.line)}
        ></pymark-posts-view>`;
      case 'diagnostics':
        return html`<pymark-diagnostics-view
          .state=${this.diagnosticsView}
          @reset-stats=${() => this.diagnostics?.reset()}
        ></pymark-diagnostics-view>`;
    }
  }

  private renderTab(tab: Tab, label: string) {
    return html`<button role="tab" aria-selected=${this.tab === tab} @click=${() => (this.tab = tab)}>${label}</button>`;
  }

  private renderScriptsSidebar() {
    const view = this.view;
    const workspace = this.workspace;
    const items: ListItem[] = (view?.scripts ?? []).map((script) => ({
      id: script.id,
      title: script.title,
      meta: `${script.slug}.py · ${script.kind}`,
      unsaved: view?.dirty === true && script.id === view.selectedId,
    }));
    return html`<button class="primary" @click=${() => workspace?.create()}>New script</button>
      <pymark-item-list
        label="Scripts"
        emptyText="No scripts yet."
        .items=${items}
        .selectedId=${view?.selectedId ?? null}
        @select-item=${(event: CustomEvent<string>) => workspace?.select(event.detail)}
        @rename-item=${(event: CustomEvent<{ id: string; title: string }>) =>
          workspace?.rename(event.detail.id, event.detail.title)}
        @delete-item=${(event: CustomEvent<string>) => workspace?.delete(event.detail)}
      ></pymark-item-list>`;
  }

  private renderPostsSidebar() {
    const view = this.postsView;
    const posts = this.posts;
    const items: ListItem[] = (view?.posts ?? []).map((post) => ({
      id: post.id,
      title: post.title,
      meta: `${post.status} · ${dateFormat.format(new Date(post.publishedAt ?? post.updatedAt))}`,
      unsaved: view?.saveState === 'unsaved' && post.id === view.selectedId,
    }));
    return html`<button class="primary" @click=${() => posts?.create()}>New post</button>
      <pymark-item-list
        label="Posts"
        emptyText="No posts yet."
        .items=${items}
        .selectedId=${view?.selectedId ?? null}
        @select-item=${(event: CustomEvent<string>) => posts?.select(event.detail)}
        @rename-item=${(event: CustomEvent<{ id: string; title: string }>) =>
          posts?.rename(event.detail.id, event.detail.title)}
        @delete-item=${(event: CustomEvent<string>) => posts?.delete(event.detail)}
      ></pymark-item-list>`;
  }

  /** From a macro error box in the preview: show the script, with the failing line marked. */
  private async openScript(scriptId: string, line: number | null): Promise<void> {
    this.tab = 'scripts';
    await this.workspace?.reveal(scriptId, line);
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
        ${view.savedWithError ? html`<span class="unsaved" role="status">${view.savedWithError}</span>` : nothing}
        ${
          view.changedElsewhere
            ? html`<span class="unsaved" role="alert">
                The saved version changed outside the editor; your edits are kept.
                <button @click=${() => workspace?.takeSavedVersion()}>Load saved version</button>
                <button @click=${() => workspace?.keepEdits()}>Keep my edits</button>
              </span>`
            : nothing
        }
        <span class="spacer"></span>
        <label class="field"
          >Kind
          <select
            .value=${script.kind}
            @change=${(event: Event) => workspace?.setKind((event.target as HTMLSelectElement).value as ScriptKind)}
          >
            ${scriptKinds.map((kind) => html`<option value=${kind} ?selected=${kind === script.kind}>${kind}</option>`)}
          </select>
        </label>
        ${this.renderEntrypointPicker(script, view)}
        <button @click=${() => workspace?.save()} ?disabled=${!view.dirty} title="Save (Ctrl/Cmd+S)">Save</button>
        <button class="primary" @click=${() => workspace?.run()} ?disabled=${view.running} title="Run (Ctrl/Cmd+Enter)">
          Run
        </button>
        <button @click=${() => workspace?.stop()} ?disabled=${!view.running}>Stop</button>
      </div>
      <pymark-code-editor
        .value=${view.code}
        .errorLine=${view.errorLine}
        .diagnostics=${view.check?.diagnostics ?? []}
        .diagnosticsFor=${view.check?.code ?? null}
        label="Code of ${script.title}"
        @code-change=${(event: CustomEvent<string>) => workspace?.edit(event.detail)}
        @save-request=${() => workspace?.save()}
        @run-request=${() => workspace?.run()}
      ></pymark-code-editor>
      <pymark-output-panel .entries=${view.output}></pymark-output-panel>
    `;
  }

  /** The script's top-level functions, as Python sees them; a missing entrypoint stays listed, marked. */
  private renderEntrypointPicker(script: Script, view: WorkspaceState) {
    const found = view.check?.entrypoints ?? [];
    const choices = found.includes(script.entrypoint) ? found : [script.entrypoint, ...found];
    return html`<label class="field"
      >Entrypoint
      <select
        .value=${script.entrypoint}
        @change=${(event: Event) => this.workspace?.setEntrypoint((event.target as HTMLSelectElement).value)}
      >
        ${choices.map(
          (name) =>
            html`<option value=${name} ?selected=${name === script.entrypoint}>
              ${name}()${found.includes(name) || !view.check ? '' : ' — not defined'}
            </option>`,
        )}
      </select>
    </label>`;
  }

  /** Ctrl/Cmd+S and Ctrl/Cmd+Enter outside the editor; inside it, the editor's keymap handles them first. */
  private readonly onShortcut = (event: KeyboardEvent): void => {
    if (!(event.ctrlKey || event.metaKey) || event.defaultPrevented) return;
    if (event.key === 's') {
      event.preventDefault();
      void (this.tab === 'scripts' ? this.workspace?.save() : this.posts?.flushSave());
    } else if (event.key === 'Enter' && this.tab === 'scripts') {
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
