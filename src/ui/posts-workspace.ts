import { renameMacroCalls } from '../core/macro-rename';
import type { Post, PostStatus } from '../core/post';
import type { RenderedPost } from '../render/post-renderer';
import { type BlockedRequest, blockedRequestWarning } from '../render/preview-document';
import {
  editBaseOf,
  type PostEditBase,
  PostEditConflict,
  type PostStore,
  type TrashedPost,
} from '../storage/post-store';
import type { UnsavedEdit } from '../storage/unsaved-journal';
import { describeError, StateHolder } from './state-holder';

/** The fields of a post edited beside its Markdown. */
export interface PostFields {
  status: PostStatus;
  tags: string[];
  categories: string[];
}

export type SaveState = 'saved' | 'unsaved' | 'saving';

export interface PostsState {
  posts: readonly Post[];
  selectedId: string | null;
  /** The selected post as edited; written back after a pause in typing. */
  editing: Post | null;
  saveState: SaveState;
  preview: RenderedPost | null;
  /** Why the last preview could not be produced, e.g. Python failed to boot. */
  previewProblem: string | null;
  recentlyDeleted: Post | null;
  /** Deleted posts, most recent first: each can be restored or deleted for good. */
  trash: readonly TrashedPost[];
  /** A macro was renamed and these posts still call it by its old name: offered an update. */
  renameOffer: MacroRenameOffer | null;
  /** The open post changed elsewhere while it was edited here; these edits went to a copy. */
  editConflict: EditConflictNotice | null;
  problem: string | null;
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
  /** Renders a post (as currently edited) to preview HTML through the one PostRenderer. */
  render: (post: Post) => Promise<RenderedPost>;
  autosaveDelayMs?: number;
  previewDelayMs?: number;
}

/**
 * The posts view: list, the post being edited and its live preview. Edits autosave after a pause;
 * the preview re-renders after a shorter one, and only the newest render is shown.
 */
export class PostsWorkspace extends StateHolder<PostsState> {
  private readonly unsubscribers: Array<() => void> = [];
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private previewTimer: ReturnType<typeof setTimeout> | undefined;
  private previewRequest = 0;
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
    super({
      posts: [],
      selectedId: null,
      editing: null,
      saveState: 'saved',
      preview: null,
      previewProblem: null,
      recentlyDeleted: null,
      trash: [],
      renameOffer: null,
      editConflict: null,
      problem: null,
    });
  }

  /** Lists the posts, and opens `openId` if it is one of them (the one last open). */
  async init(openId?: string): Promise<void> {
    this.unsubscribers.push(
      this.deps.store.subscribe(
        (change) => void this.attempt('show the posts', () => this.onStoreChange(change)),
      ),
    );
    this.set({ posts: await this.deps.store.list() });
    await this.refreshTrash();
    if (this.state.posts.some((post) => post.id === openId)) await this.select(openId!);
  }

  dispose(): void {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    clearTimeout(this.saveTimer);
    clearTimeout(this.previewTimer);
  }

  async select(id: string): Promise<void> {
    await this.flushSave();
    const post = await this.deps.store.get(id);
    if (!post) return;
    this.basis = editBaseOf(post);
    this.set({ selectedId: id, editing: post, saveState: 'saved', preview: null, previewProblem: null });
    this.refreshPreview();
  }

  async create(): Promise<void> {
    await this.attempt('create the post', async () => {
      const post = await this.deps.store.create({ title: 'Untitled post', body: '# Untitled post\n\n' });
      this.set({ posts: await this.deps.store.list() });
      await this.select(post.id);
    });
  }

  edit(body: string): void {
    this.change({ body });
  }

  setFields(fields: Partial<PostFields>): void {
    this.change(fields);
  }

  async rename(id: string, title: string): Promise<void> {
    await this.attempt('rename the post', async () => {
      if (id === this.state.selectedId) await this.flushSave();
      const renamed = await this.deps.store.rename(id, title);
      this.replace(renamed);
    });
  }

  async delete(id: string): Promise<void> {
    const post = this.state.posts.find((candidate) => candidate.id === id);
    if (!post) return;
    await this.attempt(`delete “${post.title}”`, async () => {
      if (id === this.state.selectedId) await this.flushSave();
      await this.deps.store.delete(id);
      const posts = this.state.posts.filter((candidate) => candidate.id !== id);
      this.set({ posts, recentlyDeleted: post });
      await this.refreshTrash();
      if (id === this.state.selectedId) {
        this.set({ selectedId: null, editing: null, preview: null, previewProblem: null });
      }
    });
  }

  async undoDelete(): Promise<void> {
    const post = this.state.recentlyDeleted;
    if (post) await this.restoreFromTrash(post.id);
  }

  /** Brings a deleted post back and opens it. */
  async restoreFromTrash(id: string): Promise<void> {
    const title = this.state.trash.find((post) => post.id === id)?.title ?? 'the post';
    await this.attempt(`restore “${title}”`, async () => {
      const restored = await this.deps.store.restore(id);
      if (this.state.recentlyDeleted?.id === id) this.set({ recentlyDeleted: null });
      this.set({ posts: await this.deps.store.list() });
      await this.refreshTrash();
      await this.select(restored.id);
    });
  }

  /** Deletes a post in the trash for good; its slug is free again. */
  async purgeFromTrash(id: string): Promise<void> {
    const title = this.state.trash.find((post) => post.id === id)?.title ?? 'the post';
    await this.attempt(`delete “${title}” for good`, async () => {
      await this.deps.store.purge(id);
      if (this.state.recentlyDeleted?.id === id) this.set({ recentlyDeleted: null });
      await this.refreshTrash();
    });
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

  dismissUndo(): void {
    this.set({ recentlyDeleted: null });
  }

  /** The open post's edits if they are not saved yet, for a synchronous copy as the page goes away. */
  unsavedEdit(): UnsavedEdit | undefined {
    const editing = this.state.editing;
    const saved = this.state.posts.find((post) => post.id === editing?.id);
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
        this.replace(saved);
        const current = this.state.editing;
        // Typing may have continued while the save was in flight; that text is still unsaved.
        const stillUnsaved = current?.id === saved.id && !sameEdits(current, editing);
        this.set({
          saveState: stillUnsaved ? 'unsaved' : 'saved',
          editing: current?.id === saved.id ? { ...saved, ...pick(current) } : current,
        });
      })
      .catch((error: unknown) => {
        if (error instanceof PostEditConflict) return this.keepEditsAsCopy(error.current);
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
    this.replace(current);
    this.refreshPreview();
    try {
      const copy = await this.deps.store.create({
        title: `${mine.title} (conflicting edit)`,
        body: mine.body,
        tags: mine.tags,
        categories: mine.categories,
      });
      this.set({
        posts: await this.deps.store.list(),
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
    const request = ++this.previewRequest;
    this.deps
      .render(editing)
      .then((preview) => {
        if (request === this.previewRequest)
          this.set({ preview: this.withBlocked(preview), previewProblem: null });
      })
      .catch((error: unknown) => {
        if (request === this.previewRequest) this.set({ previewProblem: describeError(error) });
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

  private async refreshTrash(): Promise<void> {
    this.set({ trash: await this.deps.store.listTrash() });
  }

  private replace(post: Post): void {
    const posts = this.state.posts.map((candidate) => (candidate.id === post.id ? post : candidate));
    this.set({ posts });
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
    this.set({ posts: await this.deps.store.list() });
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
