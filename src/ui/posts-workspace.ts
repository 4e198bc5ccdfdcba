import { renameMacroCalls } from '../core/macro-rename';
import type { Post, PostStatus } from '../core/post';
import { slugify } from '../core/slug';
import type { RenderedPost } from '../render/post-renderer';
import { type BlockedRequest, blockedRequestWarning } from '../render/preview-document';
import { EditConflict } from '../storage/item-store';
import { editBaseOf, type PostEditBase, type PostStore } from '../storage/post-store';
import type { UnsavedEdit } from '../storage/unsaved-journal';
import { ItemWorkspace, type ItemWorkspaceState } from './item-workspace';
import { describeError } from './state-holder';

/** The fields of a post edited beside its Markdown. */
export interface PostFields {
  status: PostStatus;
  tags: string[];
  categories: string[];
}

export type SaveState = 'saved' | 'unsaved' | 'saving';

export interface PostsState extends ItemWorkspaceState<Post> {
  /** The selected post as edited; written back after a pause in typing. */
  editing: Post | null;
  saveState: SaveState;
  preview: RenderedPost | null;
  /** Why the last preview could not be produced, e.g. Python failed to boot. */
  previewProblem: string | null;
  /** The newest preview is being rendered: its macros may wait for Python. */
  rendering: boolean;
  /** A macro was renamed and these posts still call it by its old name: offered an update. */
  renameOffer: MacroRenameOffer | null;
  /** The open post changed elsewhere while it was edited here; these edits went to a copy. */
  editConflict: EditConflictNotice | null;
}

export interface EditConflictNotice {
  /** The post as saved elsewhere, now in the editor. */
  title: string;
  /** The new post holding the edits made here. */
  copyId: string;
  copyTitle: string;
}

export interface MacroRenameOffer {
  from: string;
  to: string;
  postIds: readonly string[];
}

export interface PostsWorkspaceDeps {
  store: PostStore;
  /**
   * Renders a post (as currently edited) to preview HTML through the one PostRenderer. `signal`
   * aborts when a newer preview is asked for: its macro calls still waiting for Python are dropped.
   */
  render: (post: Post, signal: AbortSignal) => Promise<RenderedPost>;
  autosaveDelayMs?: number;
  previewDelayMs?: number;
}

/**
 * The posts view: list, the post being edited and its live preview. Edits autosave after a pause;
 * the preview re-renders after a shorter one, and only the newest render is shown.
 */
export class PostsWorkspace extends ItemWorkspace<Post, PostsState> {
  private readonly unsubscribers: Array<() => void> = [];
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private previewTimer: ReturnType<typeof setTimeout> | undefined;
  /** Aborts the newest preview's render when a newer one is asked for. */
  private previewRender = new AbortController();
  private saving: Promise<void> = Promise.resolve();
  /**
   * Requests the preview frame's policy refused, by URL. The frame reports each once, and keeps
   * unchanged nodes across renders, so they are kept here and warned about in every preview that
   * still asks for them.
   */
  private readonly blockedRequests = new Map<string, BlockedRequest>();
  /** The open post's fields as stored when the current edits began; a save is refused if they moved. */
  private basis: PostEditBase | undefined;

  constructor(private readonly deps: PostsWorkspaceDeps) {
    super(
      {
        items: [],
        selectedId: null,
        editing: null,
        saveState: 'saved',
        preview: null,
        previewProblem: null,
        rendering: false,
        recentlyDeleted: null,
        trash: [],
        renameOffer: null,
        editConflict: null,
        problem: null,
      },
      deps.store,
      'post',
    );
  }

  /** Lists the posts, and opens `openId` if it is one of them (the one last open). */
  async init(openId?: string): Promise<void> {
    this.unsubscribers.push(
      this.deps.store.subscribe(
        (change) => void this.attempt('show the posts', () => this.onStoreChange(change)),
      ),
    );
    const opensBefore = this.opensAsked;
    await this.refreshItems();
    await this.refreshTrash();
    if (this.opensAsked !== opensBefore) return; // the user opened or created a post meanwhile
    if (this.state.items.some((post) => post.id === openId)) await this.select(openId!);
  }

  dispose(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    clearTimeout(this.saveTimer);
    clearTimeout(this.previewTimer);
    this.previewRender.abort();
  }

  async select(id: string): Promise<void> {
    const isLatest = this.beginOpen();
    await this.flushSave();
    const post = await this.deps.store.get(id);
    if (!post || !isLatest()) return;
    this.basis = editBaseOf(post);
    this.set({ selectedId: id, editing: post, saveState: 'saved', preview: null, previewProblem: null });
    this.refreshPreview();
  }

  async create(): Promise<void> {
    await this.attempt('create the post', async () => {
      // The title is the post's own field, shown above it; the body starts empty instead of repeating it.
      const post = await this.deps.store.create({ title: 'Untitled post', body: '' });
      await this.refreshItems();
      await this.select(post.id);
    });
  }

  edit(body: string): void {
    this.change({ body });
  }

  setFields(fields: Partial<PostFields>): void {
    this.change(fields);
  }

  /** Gives the open post a slug of the user's choosing, once `slugProblem` has nothing against it. */
  async changeSlug(slug: string): Promise<void> {
    const id = this.state.selectedId;
    if (!id) return;
    await this.attempt(`change the slug to “${slug}”`, async () => {
      this.replaceItem(await this.deps.store.changeSlug(id, slug));
    });
  }

  protected override flushOpen(): Promise<void> {
    return this.flushSave();
  }

  protected override closeOpen(): void {
    this.set({ editing: null, preview: null, previewProblem: null, saveState: 'saved' });
  }

  /** After a macro's slug changed: finds the posts that still call the old name, to offer an update. */
  async offerMacroRename(from: string, to: string): Promise<void> {
    await this.attempt(`look for posts that call [[${from}]]`, async () => {
      const posts = await this.deps.store.list();
      const postIds = posts
        .filter((post) => renameMacroCalls(post.body, from, to).renamed > 0)
        .map((post) => post.id);
      this.set({ renameOffer: postIds.length > 0 ? { from, to, postIds } : null });
    });
  }

  /** Rewrites the offered posts' calls to the macro's new name, saving each post. */
  async acceptMacroRename(): Promise<void> {
    const offer = this.state.renameOffer;
    if (!offer) return;
    await this.attempt(`update the posts that call [[${offer.from}]]`, async () => {
      for (const id of offer.postIds) {
        const editing = this.state.editing;
        if (editing?.id === id) {
          // The open post is rewritten as an edit, over its unsaved text: the autosave and any typing
          // that follows build on the rewrite instead of writing the old calls back.
          const { text, renamed } = renameMacroCalls(editing.body, offer.from, offer.to);
          if (renamed > 0) this.edit(text);
          continue;
        }
        const post = await this.deps.store.get(id);
        if (!post) continue;
        const { text, renamed } = renameMacroCalls(post.body, offer.from, offer.to);
        if (renamed > 0) await this.deps.store.save(id, { body: text });
      }
      this.set({ renameOffer: null });
    });
  }

  dismissMacroRename(): void {
    this.set({ renameOffer: null });
  }

  /** The open post's edits if they are not saved yet, for a synchronous copy as the page goes away. */
  unsavedEdit(): UnsavedEdit | undefined {
    const editing = this.state.editing;
    const saved = this.state.items.find((post) => post.id === editing?.id);
    if (!editing || !saved || this.state.saveState === 'saved') return undefined;
    return { kind: 'post', id: editing.id, changes: pick(editing), baseUpdatedAt: saved.updatedAt };
  }

  /** Writes pending edits now, e.g. before the page is hidden. */
  flushSave(): Promise<void> {
    clearTimeout(this.saveTimer);
    const editing = this.state.editing;
    if (!editing || this.state.saveState !== 'unsaved') return this.saving;
    this.set({ saveState: 'saving' });
    const { body, status, tags, categories } = editing;
    this.saving = this.saving
      .then(async () => {
        const saved = await this.deps.store.save(editing.id, { body, status, tags, categories }, this.basis);
        if (this.state.editing?.id === saved.id) this.basis = editBaseOf(saved);
        this.replaceItem(saved);
        const current = this.state.editing;
        // Typing may have continued while the save was in flight; that text is still unsaved.
        const stillUnsaved = current?.id === saved.id && !sameEdits(current, editing);
        this.set({
          saveState: stillUnsaved ? 'unsaved' : 'saved',
          editing: current?.id === saved.id ? { ...saved, ...pick(current) } : current,
        });
      })
      .catch((error: unknown) => {
        if (error instanceof EditConflict) return this.keepEditsAsCopy((error as EditConflict<Post>).current);
        this.set({ saveState: 'unsaved', problem: `Could not save the post: ${describeError(error)}` });
      });
    return this.saving;
  }

  /** Opens the post that holds the edits a conflict moved aside. */
  async openConflictCopy(): Promise<void> {
    const notice = this.state.editConflict;
    if (!notice) return;
    this.set({ editConflict: null });
    await this.select(notice.copyId);
  }

  dismissEditConflict(): void {
    this.set({ editConflict: null });
  }

  /**
   * The open post was saved elsewhere (another tab, the project folder) while it was edited here.
   * As folder sync does with a script edited in both places, neither version is lost: the one saved
   * first keeps the post and goes into the editor, and the edits made here become a new post beside
   * it, with a notice. Typing from now on builds on the saved version.
   */
  private async keepEditsAsCopy(current: Post): Promise<void> {
    const mine = this.state.editing;
    if (!mine || mine.id !== current.id) return;
    this.basis = editBaseOf(current);
    this.set({ editing: current, saveState: 'saved' });
    this.replaceItem(current);
    this.refreshPreview();
    try {
      const copy = await this.deps.store.create({
        title: `${mine.title} (conflicting edit)`,
        body: mine.body,
        tags: mine.tags,
        categories: mine.categories,
      });
      await this.refreshItems();
      this.set({
        editConflict: { title: current.title, copyId: copy.id, copyTitle: copy.title },
      });
    } catch (error) {
      // No copy: put the edits back in the editor, to be saved over the other version.
      const editing = this.state.editing;
      if (editing?.id === mine.id) this.set({ editing: { ...editing, ...pick(mine) }, saveState: 'unsaved' });
      this.set({
        problem: `“${current.title}” changed elsewhere, and your edits could not be kept as a copy: ${describeError(error)}`,
      });
    }
  }

  /** Re-renders the preview, e.g. because a macro script or the site data changed. */
  refreshPreview(): void {
    clearTimeout(this.previewTimer);
    const editing = this.state.editing;
    if (!editing) return;
    this.previewRender.abort();
    const render = new AbortController();
    this.previewRender = render;
    this.set({ rendering: true });
    this.deps
      .render(editing, render.signal)
      .then((preview) => {
        if (!render.signal.aborted)
          this.set({ preview: this.withBlocked(preview), previewProblem: null, rendering: false });
      })
      .catch((error: unknown) => {
        if (!render.signal.aborted) this.set({ previewProblem: describeError(error), rendering: false });
      });
  }

  /** The preview frame refused a request: warn about it where the macro that asked for it is called. */
  reportBlockedRequest(blocked: BlockedRequest): void {
    this.blockedRequests.set(blocked.url, blocked);
    const preview = this.state.preview;
    if (preview) this.set({ preview: this.withBlocked(preview) });
  }

  private withBlocked(preview: RenderedPost): RenderedPost {
    const added = [...this.blockedRequests.values()]
      .map((blocked) => blockedRequestWarning(blocked, preview))
      .filter((warning) => warning !== undefined)
      .filter((warning) => !preview.warnings.some((shown) => shown.message === warning.message));
    if (added.length === 0) return preview;
    const warnings = [...preview.warnings, ...added].sort((a, b) => a.line - b.line || a.column - b.column);
    return { ...preview, warnings };
  }

  private change(changes: Partial<Post>): void {
    const editing = this.state.editing;
    if (!editing) return;
    this.set({ editing: { ...editing, ...changes }, saveState: 'unsaved' });
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.flushSave(), this.deps.autosaveDelayMs ?? 800);
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => this.refreshPreview(), this.deps.previewDelayMs ?? 200);
  }

  protected override replaceItem(post: Post): void {
    super.replaceItem(post);
    const editing = this.state.editing;
    if (editing?.id === post.id && this.state.saveState === 'saved') {
      this.basis = editBaseOf(post);
      this.set({ editing: post });
    } else if (editing?.id === post.id)
      this.set({ editing: { ...editing, title: post.title, slug: post.slug } });
  }

  private async onStoreChange(
    change: { type: 'put'; post: Post } | { type: 'delete'; id: string },
  ): Promise<void> {
    await this.refreshItems();
    await this.refreshTrash();
    if (
      change.type === 'put' &&
      change.post.id === this.state.selectedId &&
      this.state.saveState === 'saved'
    ) {
      // Changed elsewhere (another tab, the project folder) and nothing unsaved here: show it.
      const changed = this.state.editing?.body !== change.post.body;
      this.basis = editBaseOf(change.post);
      this.set({ editing: change.post });
      if (changed) this.refreshPreview();
    }
  }
}

function sameEdits(a: Post, b: Post): boolean {
  return JSON.stringify(pick(a)) === JSON.stringify(pick(b));
}

function pick(post: Post): Pick<Post, 'body' | 'status' | 'tags' | 'categories'> {
  return { body: post.body, status: post.status, tags: post.tags, categories: post.categories };
}

/**
 * Why `slug` cannot be the slug of post `id`, or `null` when it is free: posts and the trash (which
 * keeps its posts' slugs for their restore) hold one each.
 */
export function slugProblem(
  slug: string,
  id: string,
  state: Pick<PostsState, 'items' | 'trash'>,
): string | null {
  if (slug === '') return 'A slug cannot be empty.';
  if (slugify(slug, 'post') !== slug)
    return `Not a slug: use a-z, 0-9 and _ (e.g. ${slugify(slug, 'post')}).`;
  const holder = [...state.items, ...state.trash].find((post) => post.slug === slug && post.id !== id);
  if (!holder) return null;
  return state.trash.some((post) => post.id === holder.id)
    ? `Taken by “${holder.title}” in the trash.`
    : `Taken by “${holder.title}”.`;
}
