import { mediaPath } from '../core/media';
import type { Post } from '../core/post';
import { type ImportReport, importReferenceProject } from '../core/reference-import';
import type { Script } from '../core/script';
import { readReferenceFolder, type WalkableFolder } from '../storage/folder/reference-folder';
import type { ExternalChangeTarget, SlugItem, Trashed } from '../storage/item-store';
import type { MediaStore } from '../storage/media-store';
import { StateHolder } from './state-holder';

/** A store the import adds items to: all at once, ids and slugs as the importer chose them. */
type ImportTarget<T extends SlugItem> = ExternalChangeTarget<T> & { listTrash(): Promise<Trashed<T>[]> };

export interface ReferenceImportDeps {
  /** Asks the user for the reference project's folder (read only); rejects with an AbortError on cancel. */
  pickFolder: () => Promise<{ name: string; folder: WalkableFolder }>;
  scripts: ImportTarget<Script>;
  posts: ImportTarget<Post>;
  media: Pick<MediaStore, 'list' | 'listTrash' | 'addImported'>;
  now?: () => string;
  newId?: () => string;
}

export interface ReferenceImportState {
  busy: boolean;
  /** The last import's folder and what became of each of its files. */
  last: { folderName: string; report: ImportReport } | null;
  problem: string | null;
}

/**
 * "Import a reference project" in the app: the same mapping as `pymark import`
 * (core/reference-import.ts, the folder read by storage/folder/reference-folder.ts), into the app's
 * stores instead of a folder. Imported items never replace one of the app's: a clashing slug or
 * image name gets a suffix, which the report says. Media go first and all or none, so a refused
 * image stops the import before anything is added. A connected project folder receives the items
 * through folder sync.
 */
export class ReferenceProjectImport extends StateHolder<ReferenceImportState> {
  constructor(private readonly deps: ReferenceImportDeps) {
    super({ busy: false, last: null, problem: null });
  }

  async importFolder(): Promise<void> {
    let picked: { name: string; folder: WalkableFolder };
    try {
      picked = await this.deps.pickFolder();
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return;
      this.set({ problem: `Could not open the folder: ${(error as Error).message}` });
      return;
    }
    this.set({ busy: true, problem: null });
    await this.attempt(`import ${picked.name}`, async () => {
      const files = await readReferenceFolder(picked.folder);
      const [scripts, scriptTrash, posts, postTrash, media, mediaTrash] = await Promise.all([
        this.deps.scripts.list(),
        this.deps.scripts.listTrash(),
        this.deps.posts.list(),
        this.deps.posts.listTrash(),
        this.deps.media.list(),
        this.deps.media.listTrash(),
      ]);
      const { items, report } = importReferenceProject(files, {
        taken: {
          scriptSlugs: new Set(scripts.map((script) => script.slug)),
          postSlugs: new Set(posts.map((post) => post.slug)),
          ids: new Set(
            [...scripts, ...scriptTrash, ...posts, ...postTrash, ...media, ...mediaTrash].map(
              (item) => item.id,
            ),
          ),
          mediaPaths: new Set([...media, ...mediaTrash].map(mediaPath)),
        },
        now: this.deps.now?.() ?? new Date().toISOString(),
        newId: this.deps.newId ?? (() => crypto.randomUUID()),
      });
      const newMedia = items.flatMap((item) => (item.kind === 'media' ? [item] : []));
      if (newMedia.length > 0) await this.deps.media.addImported(newMedia);
      const newScripts = items.flatMap((item) => (item.kind === 'script' ? [item.script] : []));
      const newPosts = items.flatMap((item) => (item.kind === 'post' ? [item.post] : []));
      if (newScripts.length > 0) await this.deps.scripts.applyExternal({ put: newScripts, trash: [] });
      if (newPosts.length > 0) await this.deps.posts.applyExternal({ put: newPosts, trash: [] });
      this.set({ last: { folderName: picked.name, report } });
    });
    this.set({ busy: false });
  }

  dismissReport(): void {
    this.set({ last: null });
  }
}
