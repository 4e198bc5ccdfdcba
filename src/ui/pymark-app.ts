import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import './runtime-status';
import './script-view';
import './item-list';
import './posts-view';
import './settings-dialog';
import './update-prompt';
import './diagnostics-view';
import './folder-panel';
import './trash-list';
import './default-offers-notice';
import './incoming-post-dialog';
import './media-view';
import { type View, views } from '../storage/last-open';
import { bookmarkletCode } from './bookmarklet';
import type { DefaultOffers } from './default-offers';
import type { Diagnostics, DiagnosticsState } from './diagnostics';
import type { FolderControls } from './folder-connection';
import type { IncomingPosts, IncomingState } from './incoming-posts';
import type { ListItem } from './item-list';
import type { MediaLibrary, MediaState } from './media-library';
import type { MediaIntent } from './media-view';
import type { PostFields, PostsState, PostsWorkspace } from './posts-workspace';
import type { ScriptIntent } from './script-view';
import type { SettingsDialog } from './settings-dialog';
import { controlStyles } from './shared-styles';
import type { Workspace, WorkspaceState } from './workspace';

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });

/** The app shell: lays out the scripts and posts views and forwards user intents to their owners. */
@customElement('pymark-app')
export class PymarkApp extends LitElement {
  static override styles = [
    controlStyles,
    css`
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
    h1 {
      font-size: 1.1rem;
      margin: 0;
      letter-spacing: 0.02em;
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
      padding: 0.75rem;
      min-width: 0;
      min-height: 0;
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
    .toast.offer {
      bottom: 4.5rem;
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
  `,
  ];

  @property({ attribute: false }) workspace?: Workspace;
  @property({ attribute: false }) posts?: PostsWorkspace;
  @property({ attribute: false }) folder?: FolderControls;
  @property({ attribute: false }) diagnostics?: Diagnostics;
  @state() private diagnosticsView?: DiagnosticsState;
  @property({ attribute: false }) defaultOffers?: DefaultOffers;
  @property({ attribute: false }) incoming?: IncomingPosts;
  @state() private incomingView?: IncomingState;
  @state() private view?: WorkspaceState;
  @state() private postsView?: PostsState;
  @property({ attribute: false }) media?: MediaLibrary;
  @state() private mediaView?: MediaState;
  /** The cursor in the post editor, kept across views: Insert into post puts the image there. */
  private postCursor: { postId: string; offset: number } | undefined;
  /** The view shown; set from outside once, to reopen the last one. Changes are told as `view-change`. */
  @property({ attribute: false }) tab: View = 'scripts';

  private readonly unsubscribers = new Map<string, () => void>();

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.onShortcut);
    this.addEventListener('paste', this.onPaste);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onShortcut);
    this.removeEventListener('paste', this.onPaste);
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
    if (changed.has('incoming')) {
      this.incomingView = this.incoming?.state;
      this.follow(
        'incoming',
        this.incoming?.subscribe((next) => (this.incomingView = next)),
      );
    }
    if (changed.has('media')) {
      this.mediaView = this.media?.state;
      this.follow(
        'media',
        this.media?.subscribe((next) => (this.mediaView = next)),
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

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('tab') && changed.get('tab') !== undefined)
      this.dispatchEvent(new CustomEvent('view-change', { detail: this.tab }));
  }

  private follow(name: string, unsubscribe: (() => void) | undefined): void {
    this.unsubscribers.get(name)?.();
    if (unsubscribe) this.unsubscribers.set(name, unsubscribe);
  }

  override render() {
    const view = this.view;
    const workspace = this.workspace;
    const posts = this.posts;
    const deletedMedia = this.tab === 'media' ? this.mediaView?.recentlyDeleted : undefined;
    const deleted = deletedMedia
      ? { title: deletedMedia.fileName }
      : this.tab === 'scripts'
        ? view?.recentlyDeleted
        : this.postsView?.recentlyDeleted;
    const owner = this.tab === 'media' ? this.media : this.tab === 'scripts' ? workspace : posts;
    const problem =
      view?.problem ?? this.postsView?.problem ?? this.mediaView?.problem ?? this.incomingView?.problem;
    return html`
      <header class="app">
        <h1>Pymark</h1>
        <div role="tablist" aria-label="Views" @keydown=${this.onTabKey}>
          ${this.renderTab('scripts', 'Scripts')} ${this.renderTab('posts', 'Posts')}
          ${this.renderTab('media', 'Media')}
          ${this.renderTab('diagnostics', 'Diagnostics')}
        </div>
        <span class="spacer"></span>
        ${
          this.incomingView?.incoming && this.incomingView.deferred
            ? html`<button class="primary" @click=${() => this.incoming?.resume()}>Shared post waiting</button>`
            : nothing
        }
        ${view ? html`<pymark-runtime-status .status=${view.status} .bootInfo=${view.bootInfo}></pymark-runtime-status>` : nothing}
        <button @click=${this.openSettings}>Settings</button>
      </header>
      <nav aria-label="Sidebar">${this.tab === 'posts' ? this.renderPostsSidebar() : this.tab === 'media' ? this.renderMediaSidebar() : this.renderScriptsSidebar()}
        <pymark-default-offers .offers=${this.defaultOffers}></pymark-default-offers>
        <pymark-folder-panel .connection=${this.folder}></pymark-folder-panel>
      </nav>
      <main id="view" class=${this.tab} role="tabpanel" aria-labelledby="tab-${this.tab}">${this.renderMain()}      </main>
      ${
        deleted
          ? html`<div class="toast" role="alert">
            Deleted “${deleted.title}”.
            <button @click=${() => owner?.undoDelete()}>Undo</button>
            <button aria-label="Dismiss" @click=${() => owner?.dismissUndo()}>✕</button>
          </div>`
          : nothing
      }
      ${this.renderRenameOffer()}
      ${
        problem
          ? html`<div class="problem" role="alert">
            ${problem}
            <button
              aria-label="Dismiss problem"
              @click=${() =>
                view?.problem
                  ? workspace?.dismissProblem()
                  : this.postsView?.problem
                    ? posts?.dismissProblem()
                    : this.mediaView?.problem
                      ? this.media?.dismissProblem()
                      : this.incoming?.dismissProblem()}
            >
              ✕
            </button>
          </div>`
          : nothing
      }
      <pymark-settings-dialog
        .runTimeoutMs=${view?.runTimeoutMs ?? 30_000}
        .bookmarklet=${/^https?:$/.test(location.protocol) ? bookmarkletCode(location.href) : ''}
        @timeout-change=${(event: CustomEvent<number>) => workspace?.setRunTimeout(event.detail)}
      ></pymark-settings-dialog>
      <pymark-update-prompt></pymark-update-prompt>
      <pymark-incoming-post
        .state=${this.incomingView}
        @incoming-transform=${(event: CustomEvent<string | null>) => this.incoming?.choose(event.detail)}
        @incoming-save=${() => void this.saveIncoming()}
        @incoming-discard=${() => this.incoming?.discard()}
        @incoming-later=${() => this.incoming?.later()}
      ></pymark-incoming-post>
    `;
  }

  private renderMain() {
    switch (this.tab) {
      case 'scripts':
        return html`<pymark-script-view
          .state=${this.view}
          @script-intent=${(event: CustomEvent<ScriptIntent>) => void this.onScriptIntent(event.detail)}
        ></pymark-script-view>`;
      case 'posts':
        return html`<pymark-posts-view
          .state=${this.postsView}
          @body-change=${(event: CustomEvent<string>) => this.posts?.edit(event.detail)}
          @fields-change=${(event: CustomEvent<Partial<PostFields>>) => this.posts?.setFields(event.detail)}
          @cursor-change=${(event: CustomEvent<number>) => {
            const postId = this.postsView?.selectedId;
            if (postId) this.postCursor = { postId, offset: event.detail };
          }}
          @open-script=${(event: CustomEvent<{ scriptId: string; line: number | null }>) =>
            this.openScript(event.detail.scriptId, event.detail.line)}
        ></pymark-posts-view>`;
      case 'media':
        return html`<pymark-media-view
          .state=${this.mediaView}
          .visible=${this.media?.visible() ?? []}
          .months=${this.media?.months() ?? []}
          .insertTarget=${this.postsView?.editing?.title ?? null}
          @media-intent=${(event: CustomEvent<MediaIntent>) => void this.onMediaIntent(event.detail)}
        ></pymark-media-view>`;
      case 'diagnostics':
        return html`<pymark-diagnostics-view
          .state=${this.diagnosticsView}
          @reset-stats=${() => this.diagnostics?.reset()}
        ></pymark-diagnostics-view>`;
    }
  }

  /** After a macro's rename: the posts that call it by its old name, and the offer to update them. */
  private renderRenameOffer() {
    const offer = this.postsView?.renameOffer;
    if (!offer) return nothing;
    const count = offer.postIds.length === 1 ? '1 post calls' : `${offer.postIds.length} posts call`;
    return html`<div class="toast offer" role="alert">
      ${count} [[${offer.from}]], which is now [[${offer.to}]].
      <button @click=${() => this.posts?.acceptMacroRename()}>Update ${offer.postIds.length === 1 ? 'it' : 'them'}</button>
      <button @click=${() => this.posts?.dismissMacroRename()}>Leave as is</button>
    </div>`;
  }

  private renderTab(tab: View, label: string) {
    const selected = this.tab === tab;
    // One tab stop for the tab list; the arrow keys move between tabs (the WAI-ARIA tabs pattern).
    return html`<button role="tab" id="tab-${tab}" aria-controls="view" data-tab=${tab} aria-selected=${selected} tabindex=${selected ? 0 : -1} @click=${() => (this.tab = tab)}>
      ${label}
    </button>`;
  }

  private readonly onTabKey = async (event: KeyboardEvent): Promise<void> => {
    const index = views.indexOf(this.tab);
    const next =
      event.key === 'ArrowRight'
        ? views[(index + 1) % views.length]
        : event.key === 'ArrowLeft'
          ? views[(index + views.length - 1) % views.length]
          : event.key === 'Home'
            ? views[0]
            : event.key === 'End'
              ? views.at(-1)
              : undefined;
    if (!next) return;
    event.preventDefault();
    this.tab = next;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>(`[role='tab'][data-tab='${next}']`)?.focus();
  };

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
      ></pymark-item-list>
      <pymark-trash-list
        label="Deleted scripts"
        .items=${view?.trash ?? []}
        @restore-item=${(event: CustomEvent<string>) => workspace?.restoreFromTrash(event.detail)}
        @purge-item=${(event: CustomEvent<string>) => workspace?.purgeFromTrash(event.detail)}
      ></pymark-trash-list>`;
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
      ></pymark-item-list>
      <pymark-trash-list
        label="Deleted posts"
        .items=${view?.trash ?? []}
        @restore-item=${(event: CustomEvent<string>) => posts?.restoreFromTrash(event.detail)}
        @purge-item=${(event: CustomEvent<string>) => posts?.purgeFromTrash(event.detail)}
      ></pymark-trash-list>`;
  }

  private renderMediaSidebar() {
    const items = (this.mediaView?.trash ?? []).map((item) => ({
      id: item.id,
      title: item.fileName,
      deletedAt: item.deletedAt,
    }));
    return html`<pymark-trash-list
      label="Deleted images"
      .items=${items}
      @restore-item=${(event: CustomEvent<string>) => this.media?.restoreFromTrash(event.detail)}
      @purge-item=${(event: CustomEvent<string>) => this.media?.purgeFromTrash(event.detail)}
    ></pymark-trash-list>`;
  }

  private onMediaIntent(intent: MediaIntent): Promise<void> | void {
    const media = this.media;
    if (!media) return;
    switch (intent.type) {
      case 'import':
        return media.importFiles(intent.files);
      case 'query':
        return media.setQuery(intent.query);
      case 'month':
        return media.setMonth(intent.month);
      case 'select':
        return media.select(intent.id);
      case 'edit':
        return media.edit(intent.id, intent.changes);
      case 'delete':
        return media.delete(intent.id);
      case 'insert':
        return this.insertIntoPost(intent.id);
    }
  }

  /** Links the image to the open post and puts its Markdown at the post's cursor (else at the end). */
  private async insertIntoPost(mediaId: string): Promise<void> {
    const editing = this.postsView?.editing;
    if (!editing || !this.media || !this.posts) return;
    const markdown = await this.media.linkForInsert(mediaId, editing.id);
    if (markdown === undefined) return;
    const { body } = editing;
    const cursor =
      this.postCursor?.postId === editing.id ? Math.min(this.postCursor.offset, body.length) : body.length;
    // On a line of its own, so Markdown reads it as an image paragraph.
    const before = cursor === 0 || body[cursor - 1] === '\n' ? '' : '\n\n';
    const after = body[cursor] === undefined || body[cursor] === '\n' ? '\n' : '\n\n';
    this.posts.edit(body.slice(0, cursor) + before + markdown + after + body.slice(cursor));
    this.postCursor = { postId: editing.id, offset: cursor + before.length + markdown.length + after.length };
    this.tab = 'posts';
  }

  /** A pasted image goes into the media library, wherever the app has focus outside a text field. */
  private readonly onPaste = (event: ClipboardEvent): void => {
    const files = [...(event.clipboardData?.files ?? [])].filter((file) => file.type.startsWith('image/'));
    if (files.length === 0 || !this.media) return;
    event.preventDefault();
    this.tab = 'media';
    void this.media.importFiles(files);
  };

  /** Saves the post that arrived from outside and opens it in the posts view. */
  private async saveIncoming(): Promise<void> {
    const saved = await this.incoming?.save();
    if (!saved) return;
    this.tab = 'posts';
    await this.posts?.select(saved.id);
  }

  /** From a macro error box in the preview: show the script, with the failing line marked. */
  private async openScript(scriptId: string, line: number | null): Promise<void> {
    this.tab = 'scripts';
    await this.workspace?.reveal(scriptId, line);
  }

  private onScriptIntent(intent: ScriptIntent): Promise<void> | void {
    const workspace = this.workspace;
    if (!workspace) return;
    switch (intent.type) {
      case 'edit':
        return workspace.edit(intent.code);
      case 'save':
        return workspace.save();
      case 'run':
        return workspace.run();
      case 'stop':
        return workspace.stop();
      case 'kind':
        return workspace.setKind(intent.kind);
      case 'entrypoint':
        return workspace.setEntrypoint(intent.entrypoint);
      case 'enabled':
        return workspace.setEnabled(intent.enabled);
      case 'clear-output':
        return workspace.clearOutput();
      case 'take-saved-version':
        return workspace.takeSavedVersion();
      case 'keep-edits':
        return workspace.keepEdits();
    }
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
