import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import './runtime-status';
import './script-view';
import './item-sidebar';
import './search-box';
import './help-dialog';
import './posts-view';
import './settings-dialog';
import './update-prompt';
import './diagnostics-view';
import './folder-panel';
import './default-offers-notice';
import './incoming-post-dialog';
import type { Script } from '../core/script';
import type { BlockedRequest } from '../render/preview-document';
import type { SlugItem } from '../storage/item-store';
import './site-view';
import './media-view';
import { type View, views } from '../storage/last-open';
import { bookmarkletCode } from './bookmarklet';
import type { CodeEditor } from './code-editor';
import type { DefaultOffers } from './default-offers';
import type { Diagnostics, DiagnosticsState } from './diagnostics';
import type { FolderControls } from './folder-connection';
import type { HelpDialog } from './help-dialog';
import { imageFiles } from './image-files';
import type { IncomingEdits, IncomingPosts, IncomingState } from './incoming-posts';
import type { ListItem } from './item-list';
import type { NewItemKind } from './item-sidebar';
import type { ItemWorkspace, ItemWorkspaceState } from './item-workspace';
import type { MacroTrial } from './macro-trial';
import type { MediaLibrary, MediaState } from './media-library';
import type { MediaIntent } from './media-view';
import type { ImagesIntoPost, LinkedMedia } from './posts-view';
import type { PostFields, PostsState, PostsWorkspace } from './posts-workspace';
import type { ReferenceProjectImport } from './reference-project-import';
import type { ScriptIntent } from './script-view';
import type { SearchBox } from './search-box';
import type { SearchHit } from './search-index';
import type { SettingsDialog } from './settings-dialog';
import { controlStyles } from './shared-styles';
import type { SiteIntent } from './site-view';
import type { SiteState, SiteWorkspace } from './site-workspace';
import { describeError } from './state-holder';
import type { Workspace, WorkspaceState } from './workspace';

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });
/** One empty list, so the posts view is not handed a new one on every render. */
const noScripts: readonly Script[] = [];
const noLinkedMedia: LinkedMedia[] = [];

/** What New script asks: each kind starts from its own working template. */
const scriptKindChoices: readonly NewItemKind[] = [
  { kind: 'macro', label: 'Macro', description: 'Expands [[name …]] in posts' },
  { kind: 'transform', label: 'Transform', description: 'Turns a shared page into a post' },
  { kind: 'utility', label: 'Utility', description: 'Runs by hand, prints to the output' },
];

/** The app shell: lays out the scripts and posts views and forwards user intents to their owners. */
@customElement('pymark-app')
export class PymarkApp extends LitElement {
  static override styles = [
    controlStyles,
    css`
    :host {
      display: grid;
      grid-template-columns: minmax(180px, 260px) minmax(0, 1fr);
      grid-template-rows: auto auto minmax(0, 1fr);
      height: 100vh;
      height: 100dvh;
    }
    header.app {
      grid-column: 1 / -1;
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.5rem 1rem;
      padding: 0.5rem 1rem;
      border-bottom: 1px solid var(--border);
      background: var(--panel-bg);
    }
    .welcome {
      display: grid;
      gap: 0.4rem;
      padding: 0.6rem;
      border: 1px solid var(--border);
      border-radius: 8px;
      background: var(--button-bg);
      font-size: 0.9rem;
    }
    .welcome p {
      margin: 0;
    }
    .search {
      flex: 1 1 12rem;
      max-width: 22rem;
    }
    /* The drawer's toggle and backdrop exist only where the sidebar is a drawer. */
    .menu,
    .backdrop {
      display: none;
    }
    [role='tablist'] {
      display: flex;
      flex-wrap: wrap;
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
    .tabpanel {
      height: 100%;
      min-height: 0;
    }
    /* Focused only to take the keyboard into an opened drawer. */
    nav:focus {
      outline: none;
    }
    /* Diagnostics are about the whole app, not a list's item: no sidebar. */
    main.diagnostics {
      grid-column: 1 / -1;
      overflow: auto;
    }
    @media (max-width: 760px) {
      :host {
        grid-template-columns: minmax(0, 1fr);
      }
      header.app {
        padding: 0.4rem 0.5rem;
        gap: 0.4rem 0.5rem;
      }
      /* Five views do not fit a phone's width in one row of tabs. */
      [role='tablist'] {
        flex: 1 1 100%;
        order: 1;
      }
      [role='tab'] {
        padding-inline: 0.45rem;
      }
      .menu {
        display: inline-block;
      }
      nav {
        position: fixed;
        inset: 0 auto 0 0;
        width: min(85vw, 20rem);
        box-sizing: border-box;
        z-index: 20;
        transform: translateX(-100%);
        visibility: hidden;
        transition:
          transform 0.2s ease,
          visibility 0.2s;
        box-shadow: 0 0 24px rgba(0, 0, 0, 0.25);
      }
      nav.open {
        transform: none;
        visibility: visible;
      }
      .backdrop.open {
        display: block;
        position: fixed;
        inset: 0;
        z-index: 15;
        border: 0;
        border-radius: 0;
        background: rgba(0, 0, 0, 0.35);
      }
      main {
        padding: 0.5rem;
      }
    }
    /* Undo and the rename offer take a row of their own under the header, so they hide nothing. */
    .notices {
      grid-column: 1 / -1;
      display: flex;
      flex-direction: column;
    }
    nav,
    main {
      grid-row: 3;
    }
    .toast {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem 0.75rem;
      align-items: center;
      padding: 0.4rem 1rem;
    }
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
    @media (max-width: 760px) {
      .problem {
        left: 0.5rem;
        right: 0.5rem;
        transform: none;
        flex-wrap: wrap;
      }
    }
  `,
  ];

  @property({ attribute: false }) workspace?: Workspace;
  @property({ attribute: false }) posts?: PostsWorkspace;
  /** Runs the Try-a-macro form of a macro script. */
  @property({ attribute: false }) macroTrial?: MacroTrial;
  @property({ attribute: false }) folder?: FolderControls;
  @property({ attribute: false }) referenceImport?: ReferenceProjectImport;
  @property({ attribute: false }) diagnostics?: Diagnostics;
  @state() private diagnosticsView?: DiagnosticsState;
  @property({ attribute: false }) defaultOffers?: DefaultOffers;
  @property({ attribute: false }) incoming?: IncomingPosts;
  @state() private incomingView?: IncomingState;
  @state() private view?: WorkspaceState;
  @state() private postsView?: PostsState;
  @property({ attribute: false }) site?: SiteWorkspace;
  @state() private siteView?: SiteState;
  @property({ attribute: false }) media?: MediaLibrary;
  @state() private mediaView?: MediaState;
  /** The cursor in the post editor, kept across views: Insert into post puts the image there. */
  private postCursor: { postId: string; offset: number } | undefined;
  /** The view shown; set from outside once, to reopen the last one. Changes are told as `view-change`. */
  @property({ attribute: false }) tab: View = 'scripts';
  /** Adds the sample project and answers the welcome post to open; offered while there are no posts. */
  @property({ attribute: false }) addSampleProject?: () => Promise<{ id: string }>;
  @state() private addingSample = false;
  /** On a narrow screen the sidebar is a drawer, opened by the Menu button. */
  @state() private drawerOpen = false;

  private readonly unsubscribers = new Map<string, () => void>();

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.onShortcut);
    this.addEventListener('paste', this.onPaste);
    this.addEventListener('dragover', this.onFileDragOver);
    this.addEventListener('drop', this.onFileDrop);
    this.addEventListener('image-drop', this.onEditorImageDrop);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onShortcut);
    this.removeEventListener('paste', this.onPaste);
    this.removeEventListener('dragover', this.onFileDragOver);
    this.removeEventListener('drop', this.onFileDrop);
    this.removeEventListener('image-drop', this.onEditorImageDrop);
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
    if (changed.has('site')) {
      this.siteView = this.site?.state;
      this.follow(
        'site',
        this.site?.subscribe((next) => (this.siteView = next)),
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
    // The Site view reads site.yml and the templates afresh each time it opens: the folder may have changed.
    if (changed.has('tab') && this.tab === 'site') void this.site?.load();
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
      view?.problem ??
      this.postsView?.problem ??
      this.mediaView?.problem ??
      this.incomingView?.problem ??
      this.siteView?.problem;
    return html`
      <header class="app">
        ${
          this.tab === 'diagnostics'
            ? nothing
            : html`<button
              class="menu"
              aria-controls="sidebar"
              aria-expanded=${this.drawerOpen}
              @click=${this.toggleDrawer}
            >
              ☰ ${this.tab === 'posts' ? 'Posts' : this.tab === 'media' ? 'Media' : 'Scripts'}
            </button>`
        }
        <h1>Pymark</h1>
        <div role="tablist" aria-label="Views" @keydown=${this.onTabKey}>
          ${this.renderTab('scripts', 'Scripts')} ${this.renderTab('posts', 'Posts')}
          ${this.renderTab('media', 'Media')} ${this.renderTab('site', 'Site')}
          ${this.renderTab('diagnostics', 'Diagnostics')}
        </div>
        <pymark-search-box
          class="search"
          .scripts=${view?.items ?? []}
          .posts=${this.postsView?.items ?? []}
          @open-search-hit=${(event: CustomEvent<Pick<SearchHit, 'kind' | 'id'>>) => void this.openHit(event.detail)}
        ></pymark-search-box>
        <span class="spacer"></span>
        ${
          this.incomingView?.incoming && this.incomingView.deferred
            ? html`<button class="primary" @click=${() => this.incoming?.resume()}>Shared post waiting</button>`
            : nothing
        }
        ${view ? html`<pymark-runtime-status .status=${view.status} .bootInfo=${view.bootInfo}></pymark-runtime-status>` : nothing}
        <button @click=${this.openHelp}>Help</button>
        <button @click=${this.openSettings}>Settings</button>
      </header>
      <div class="notices">
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
          this.tab === 'scripts' && view?.canUndoActions
            ? html`<div class="toast" role="alert">
              The run changed posts.
              <button @click=${() => workspace?.undoActions()}>Undo changes</button>
              <button aria-label="Dismiss" @click=${() => workspace?.dismissActionsUndo()}>✕</button>
            </div>`
            : nothing
        }
        ${this.renderRenameOffer()}
      </div>
      ${this.tab === 'diagnostics' ? nothing : this.renderNav()}
      <main class=${this.tab}>
        <div id="view" class="tabpanel" role="tabpanel" aria-labelledby="tab-${this.tab}">${this.renderMain()}</div>
      </main>
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
                      : this.incomingView?.problem
                        ? this.incoming?.dismissProblem()
                        : this.site?.dismissProblem()}
            >
              ✕
            </button>
          </div>`
          : nothing
      }
      <pymark-settings-dialog
        .runTimeoutMs=${view?.runTimeoutMs ?? 30_000}
        .persisted=${this.siteView?.persisted}
        .bookmarklet=${/^https?:$/.test(location.protocol) ? bookmarkletCode(location.href) : ''}
        @timeout-change=${(event: CustomEvent<number>) => workspace?.setRunTimeout(event.detail)}
      ></pymark-settings-dialog>
      <pymark-help-dialog></pymark-help-dialog>
      <pymark-update-prompt></pymark-update-prompt>
      <pymark-incoming-post
        .state=${this.incomingView}
        @incoming-transform=${(event: CustomEvent<string | null>) => this.incoming?.choose(event.detail)}
        @incoming-save=${() => void this.saveIncoming()}
        @incoming-discard=${() => this.incoming?.discard()}
        @incoming-later=${() => this.incoming?.later()}
        @incoming-edit=${(event: CustomEvent<IncomingEdits>) => this.incoming?.edit(event.detail)}
      ></pymark-incoming-post>
    `;
  }

  private renderMain() {
    switch (this.tab) {
      case 'scripts':
        return html`<pymark-script-view
          .state=${this.view}
          .trial=${this.macroTrial}
          @script-intent=${(event: CustomEvent<ScriptIntent>) => void this.onScriptIntent(event.detail)}
        ></pymark-script-view>`;
      case 'posts':
        return html`<pymark-posts-view
          .state=${this.postsView}
          .scripts=${this.view?.items ?? noScripts}
          @body-change=${(event: CustomEvent<string>) => this.posts?.edit(event.detail)}
          @fields-change=${(event: CustomEvent<Partial<PostFields>>) => this.posts?.setFields(event.detail)}
          @preview-blocked=${(event: CustomEvent<BlockedRequest>) => this.posts?.reportBlockedRequest(event.detail)}
          @conflict-open=${() => void this.posts?.openConflictCopy()}
          @conflict-dismiss=${() => this.posts?.dismissEditConflict()}
          @title-change=${(event: CustomEvent<string>) => {
            const id = this.postsView?.selectedId;
            if (id) void this.posts?.rename(id, event.detail);
          }}
          @slug-change=${(event: CustomEvent<string>) => this.posts?.changeSlug(event.detail)}
          @cursor-change=${(event: CustomEvent<number>) => {
            const postId = this.postsView?.selectedId;
            if (postId) this.postCursor = { postId, offset: event.detail };
          }}
          @open-script=${(event: CustomEvent<{ scriptId: string; line: number | null }>) =>
            this.openScript(event.detail.scriptId, event.detail.line)}
          .linkedMedia=${this.linkedMedia()}
          @images-into-post=${(event: CustomEvent<ImagesIntoPost>) => void this.imagesIntoPost(event.detail)}
          @media-open=${(event: CustomEvent<string>) => this.openMedia(event.detail)}
        ></pymark-posts-view>`;
      case 'site':
        return html`<pymark-site-view
          .state=${this.siteView}
          @site-intent=${(event: CustomEvent<SiteIntent>) => void this.onSiteIntent(event.detail)}
        ></pymark-site-view>`;
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
    // The offer goes with the macro it names: once that is deleted or renamed again, it is moot.
    if (!offer || !this.view?.items.some((script) => script.slug === offer.to && script.kind === 'macro'))
      return nothing;
    const count = offer.postIds.length === 1 ? '1 post calls' : `${offer.postIds.length} posts call`;
    return html`<div class="toast" role="alert">
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

  private renderNav() {
    return html`<button
        class="backdrop ${this.drawerOpen ? 'open' : ''}"
        tabindex="-1"
        aria-hidden="true"
        @click=${this.closeDrawer}
      ></button>
      <nav
        id="sidebar"
        aria-label="Sidebar"
        class=${this.drawerOpen ? 'open' : ''}
        tabindex="-1"
        @select-item=${this.closeDrawer}
        @new-item=${this.closeDrawer}
        @restore-item=${this.closeDrawer}
      >
        ${this.renderWelcome()} ${this.renderSidebar()}
        <pymark-default-offers .offers=${this.defaultOffers}></pymark-default-offers>
        <pymark-folder-panel
          .connection=${this.folder}
          .referenceImport=${this.referenceImport}
        ></pymark-folder-panel>
      </nav>`;
  }

  /** A new, empty app (no post, none in the trash) offers the sample project and the guide. */
  private renderWelcome() {
    const posts = this.postsView;
    if (!posts || posts.items.length > 0 || posts.trash.length > 0 || !this.addSampleProject) return nothing;
    return html`<section class="welcome" aria-label="Welcome">
      <p>New to Pymark? Start from a sample project: a welcome post, a macro and a utility.</p>
      <button ?disabled=${this.addingSample} @click=${this.addSample}>Add the sample project</button>
      <button @click=${this.openHelp}>Read the guide</button>
    </section>`;
  }

  private readonly addSample = async (): Promise<void> => {
    if (!this.addSampleProject) return;
    this.addingSample = true;
    try {
      const welcome = await this.addSampleProject();
      this.tab = 'posts';
      this.drawerOpen = false;
      await this.posts?.select(welcome.id);
    } catch (error) {
      this.posts?.reportProblem(`Could not add the sample project: ${describeError(error)}`);
    } finally {
      this.addingSample = false;
    }
  };

  private readonly closeDrawer = (): void => {
    this.drawerOpen = false;
  };

  /** An opened drawer takes the focus, so the keyboard goes on in it; Escape closes it again. */
  private readonly toggleDrawer = async (): Promise<void> => {
    this.drawerOpen = !this.drawerOpen;
    await this.updateComplete;
    if (this.drawerOpen) this.renderRoot.querySelector<HTMLElement>('nav')?.focus();
  };

  /** The sidebar of the view shown: scripts and posts share one component; media lists its trash. */
  private renderSidebar() {
    if (this.tab === 'media') return this.renderMediaSidebar();
    if (this.tab === 'posts') {
      const view = this.postsView;
      return this.renderItemSidebar('post', this.posts, view, (post) => ({
        id: post.id,
        title: post.title,
        meta: `${post.status} · ${dateFormat.format(new Date(post.publishedAt ?? post.updatedAt))}`,
        unsaved: view?.saveState === 'unsaved' && post.id === view.selectedId,
      }));
    }
    const view = this.view;
    return this.renderItemSidebar(
      'script',
      this.workspace,
      view,
      (script) => ({
        id: script.id,
        title: script.title,
        meta: `${script.slug}.py · ${script.kind}`,
        unsaved: view?.dirty === true && script.id === view.selectedId,
      }),
      scriptKindChoices,
    );
  }

  private renderItemSidebar<T extends SlugItem, S extends ItemWorkspaceState<T>>(
    noun: string,
    owner: (ItemWorkspace<T, S> & { create(kind?: string): Promise<void> }) | undefined,
    view: S | undefined,
    toListItem: (item: T) => ListItem,
    kinds: readonly NewItemKind[] = [],
  ) {
    return html`<pymark-item-sidebar
      noun=${noun}
      .items=${(view?.items ?? []).map(toListItem)}
      .selectedId=${view?.selectedId ?? null}
      .trash=${view?.trash ?? []}
      .kinds=${kinds}
      .ready=${owner !== undefined}
      @new-item=${(event: CustomEvent<string | null>) => owner?.create(event.detail ?? undefined)}
      @select-item=${(event: CustomEvent<string>) => owner?.select(event.detail)}
      @rename-item=${(event: CustomEvent<{ id: string; title: string }>) =>
        owner?.rename(event.detail.id, event.detail.title)}
      @delete-item=${(event: CustomEvent<string>) => owner?.delete(event.detail)}
      @restore-item=${(event: CustomEvent<string>) => owner?.restoreFromTrash(event.detail)}
      @purge-item=${(event: CustomEvent<string>) => owner?.purgeFromTrash(event.detail)}
    ></pymark-item-sidebar>`;
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
        return media.importFiles(intent.files).then(() => undefined);
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
        return this.insertIntoPost([intent.id]);
    }
  }

  /**
   * Links the images to the open post and puts their Markdown at `offset`, else at the post's cursor
   * (else at the end).
   */
  private async insertIntoPost(mediaIds: readonly string[], offset?: number): Promise<void> {
    const editing = this.postsView?.editing;
    if (!editing || !this.media || !this.posts) return;
    const images: string[] = [];
    for (const id of mediaIds) {
      const markdown = await this.media.linkForInsert(id, editing.id);
      if (markdown !== undefined) images.push(markdown);
    }
    if (images.length === 0) return;
    const markdown = images.join('\n\n');
    // The body as it is now: typing may have gone on while the images were imported.
    const body = this.postsView?.editing?.id === editing.id ? this.postsView.editing.body : editing.body;
    const wanted = offset ?? (this.postCursor?.postId === editing.id ? this.postCursor.offset : body.length);
    const cursor = Math.min(wanted, body.length);
    // On a line of its own, so Markdown reads it as an image paragraph.
    const before = cursor === 0 || body[cursor - 1] === '\n' ? '' : '\n\n';
    const after = body[cursor] === undefined || body[cursor] === '\n' ? '\n' : '\n\n';
    this.posts.edit(body.slice(0, cursor) + before + markdown + after + body.slice(cursor));
    this.postCursor = { postId: editing.id, offset: cursor + before.length + markdown.length + after.length };
    this.tab = 'posts';
  }

  /** Images dropped or pasted into the post's Markdown: imported into the library, then inserted there. */
  private async imagesIntoPost({ files, offset }: ImagesIntoPost): Promise<void> {
    const imported = (await this.media?.importFiles(files)) ?? [];
    await this.insertIntoPost(
      imported.map((item) => item.id),
      offset ?? undefined,
    );
  }

  /** The open post's linked images, for the posts view to list. */
  private linkedMedia(): LinkedMedia[] {
    const postId = this.postsView?.editing?.id;
    const media = this.mediaView;
    if (postId === undefined || !media) return noLinkedMedia;
    const linked = media.items.filter((item) => item.linkedPostIds.includes(postId));
    if (linked.length === 0) return noLinkedMedia;
    return linked.map((item) => ({
      id: item.id,
      fileName: item.fileName,
      alt: item.alt,
      preview: media.previews.get(item.id),
    }));
  }

  /** Shows an image in the Media view, selected. */
  private openMedia(id: string): void {
    this.media?.select(id);
    this.tab = 'media';
  }

  /** A pasted image goes into the media library, wherever the app has focus outside a text field. */
  private readonly onPaste = (event: ClipboardEvent): void => {
    this.importIntoMedia(event, imageFiles(event.clipboardData));
  };

  /** Files dragged over the app may be dropped: left to the browser, a drop would open the file in its place. */
  private readonly onFileDragOver = (event: DragEvent): void => {
    if (!event.dataTransfer?.types.includes('Files') || !this.media) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  };

  /**
   * Files dropped anywhere on the app go into the media library, which refuses, saying why, those that
   * are not images. A drop something inside took already (the post's Markdown, a code editor) stays theirs.
   */
  private readonly onFileDrop = (event: DragEvent): void => {
    if (event.defaultPrevented) return;
    this.importIntoMedia(event, [...(event.dataTransfer?.files ?? [])]);
  };

  /** Images dropped on a script's code editor, which takes only text (code-editor.ts). */
  private readonly onEditorImageDrop = (event: Event): void => {
    this.importIntoMedia(event, (event as CustomEvent<File[]>).detail);
  };

  private importIntoMedia(event: Event, files: File[]): void {
    if (files.length === 0 || !this.media) return;
    event.preventDefault();
    this.tab = 'media';
    void this.media.importFiles(files);
  }

  /** Saves the post that arrived from outside and opens it in the posts view. */
  private async saveIncoming(): Promise<void> {
    const saved = await this.incoming?.save();
    if (!saved) return;
    this.tab = 'posts';
    await this.posts?.select(saved.id);
  }

  /** A search result opens in its view. */
  private async openHit(hit: Pick<SearchHit, 'kind' | 'id'>): Promise<void> {
    this.tab = hit.kind === 'script' ? 'scripts' : 'posts';
    await (hit.kind === 'script' ? this.workspace?.select(hit.id) : this.posts?.select(hit.id));
  }

  /** From a macro error box in the preview: show the script, with the failing line marked. */
  private async openScript(scriptId: string, line: number | null): Promise<void> {
    this.tab = 'scripts';
    await this.workspace?.reveal(scriptId, line);
  }

  private onSiteIntent(intent: SiteIntent): Promise<void> | void {
    const site = this.site;
    if (!site) return;
    switch (intent.type) {
      case 'edit':
        return site.edit(intent.field, intent.text);
      case 'commit':
        return site.commit();
      case 'build':
        return site.build({ zip: intent.zip });
      case 'cancel':
        return site.cancel();
      case 'auto-rebuild':
        return site.setAutoRebuild(intent.on);
      case 'export':
        return site.exportProject();
      case 'open':
        return intent.link.kind === 'post'
          ? this.openPostAt(intent.link.slug, intent.link.line)
          : this.openScriptBySlug(intent.link.slug, intent.link.line);
    }
  }

  /** From a build error: the post, with the cursor on the line. */
  private async openPostAt(slug: string, line: number): Promise<void> {
    const post = this.postsView?.items.find((candidate) => candidate.slug === slug);
    if (!post) return this.site?.reportProblem(`There is no post named ${slug} any more.`);
    this.tab = 'posts';
    await this.posts?.select(post.id);
    await this.updateComplete;
    const view = this.renderRoot.querySelector('pymark-posts-view');
    await view?.updateComplete;
    view?.renderRoot.querySelector<CodeEditor>('pymark-code-editor')?.reveal(line, 1);
  }

  private async openScriptBySlug(slug: string, line: number): Promise<void> {
    const script = this.view?.items.find((candidate) => candidate.slug === slug);
    if (!script) return this.site?.reportProblem(`There is no script named ${slug}.py any more.`);
    await this.openScript(script.id, line);
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
    if (event.key === 'Escape' && this.drawerOpen) {
      this.drawerOpen = false;
      this.renderRoot.querySelector<HTMLElement>('.menu')?.focus();
      return;
    }
    if (!(event.ctrlKey || event.metaKey) || event.defaultPrevented) return;
    if (event.key === 'k') {
      event.preventDefault();
      this.renderRoot.querySelector<SearchBox>('pymark-search-box')?.focusSearch();
    } else if (event.key === 's') {
      event.preventDefault();
      void (this.tab === 'scripts' ? this.workspace?.save() : this.posts?.flushSave());
    } else if (event.key === 'Enter' && this.tab === 'scripts') {
      event.preventDefault();
      void this.workspace?.run();
    }
  };

  private openHelp(): void {
    this.renderRoot.querySelector<HelpDialog>('pymark-help-dialog')?.open();
  }

  private openSettings(): void {
    this.renderRoot.querySelector<SettingsDialog>('pymark-settings-dialog')?.open();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pymark-app': PymarkApp;
  }
}
