import { type FolderAdapter, splitPath } from '../../storage/folder/folder-adapter';
import type { SiteTarget } from '../site-writer';

/**
 * The built site in a folder of the project (`site/`), through the same folder interface folder
 * sync uses: a directory handle in the browser, the main process's Node fs over IPC in the desktop
 * build. Whether a file exists is answered from one listing per folder, kept for this target's life
 * (one build): a rebuild asks it of every unchanged file, and over IPC a listing is one call.
 */
export class FolderSiteTarget implements SiteTarget {
  readonly #listings = new Map<string, Promise<Set<string>>>();

  constructor(
    private readonly folder: FolderAdapter,
    /** The site's folder in the project, e.g. `site`. */
    private readonly dir: string,
  ) {}

  async read(path: string): Promise<Uint8Array | undefined> {
    return (await this.exists(path)) ? this.folder.read(this.#inFolder(path)) : undefined;
  }

  async exists(path: string): Promise<boolean> {
    const { dirs, name } = splitPath(this.#inFolder(path));
    return (await this.#listing(dirs.join('/'))).has(name);
  }

  async writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
    const full = this.#inFolder(path);
    await this.folder.writeAtomic(full, bytes);
    const { dirs, name } = splitPath(full);
    (await this.#listing(dirs.join('/'))).add(name);
  }

  async remove(path: string): Promise<void> {
    if (!(await this.exists(path))) return;
    const full = this.#inFolder(path);
    await this.folder.remove(full);
    const { dirs, name } = splitPath(full);
    (await this.#listing(dirs.join('/'))).delete(name);
    // Folders the site no longer uses go too (a tag's pages, a month's archive), up to the site's.
    const siteDepth = this.dir.split('/').length;
    for (let depth = dirs.length; depth > siteDepth; depth--) {
      const emptied = dirs.slice(0, depth).join('/');
      if (!(await this.folder.removeEmptyFolder?.(emptied))) break;
      this.#listings.delete(emptied);
    }
  }

  #inFolder(path: string): string {
    return `${this.dir}/${path}`;
  }

  #listing(dir: string): Promise<Set<string>> {
    let listing = this.#listings.get(dir);
    if (!listing) {
      listing = this.folder
        .list(dir)
        .then((files) => new Set(files.map((file) => splitPath(file.path).name)));
      this.#listings.set(dir, listing);
    }
    return listing;
  }
}
