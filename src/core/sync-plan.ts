import { uniqueSlug } from './slug';

/**
 * Where one kind of item lives in the folder: `<dir>/<slug><extension>`. Side files written beside
 * items (conflict copies, offered defaults) carry a `.` in the name, so they never parse as items.
 */
export interface FolderLayout {
  dir: string;
  extension: string;
}

export function itemPath(layout: FolderLayout, slug: string): string {
  return `${layout.dir}/${slug}${layout.extension}`;
}

export function conflictPath(layout: FolderLayout, slug: string, timestamp: string): string {
  return itemPath(layout, `${slug}.conflict-${timestamp}`);
}

/** Trashed files keep their name under a folder per sync, so moving one back restores it. */
export function trashPath(layout: FolderLayout, slug: string, timestamp: string): string {
  return `.trash/${timestamp}/${itemPath(layout, slug)}`;
}

/**
 * The slug a path names, or `undefined` when it names no item: side files (a `.` in the name),
 * other folders, other extensions.
 */
export function slugOfPath(layout: FolderLayout, path: string): string | undefined {
  const prefix = `${layout.dir}/`;
  if (!path.startsWith(prefix) || !path.endsWith(layout.extension)) return undefined;
  const name = path.slice(prefix.length, path.length - layout.extension.length);
  return /[/.]/.test(name) ? undefined : name;
}

/** What both sides looked like when an item was last in sync. */
export interface SyncedEntry {
  id: string;
  path: string;
  /** Hash of the file's bytes. */
  fileHash: string;
  /** Hash of the item as the app stores it. */
  appHash: string;
}

export interface AppEntry {
  id: string;
  slug: string;
  appHash: string;
}

export type FolderEntry =
  | {
      path: string;
      readable: true;
      id: string;
      fileHash: string;
      /** Hash of the item the file parses to, comparable with `AppEntry.appHash`. */
      appHash: string;
    }
  | { path: string; readable: false; reason: string };

export type SyncAction =
  /** Take the file into the app (its slug is its file name). */
  | { type: 'import'; id: string; path: string }
  /**
   * Write the app's item to `path`. `slug` differs from the app's when its path was taken by another
   * file; `replaces` is the item's old file, removed once the new one is written (a rename).
   */
  | { type: 'write'; id: string; path: string; slug: string; replaces?: string }
  /** Both sides already agree; only the sync state needs recording. */
  | { type: 'link'; id: string; path: string }
  /** Edited on both sides: the file takes the slot, the app's version is written to `copyPath`. */
  | { type: 'conflict'; id: string; path: string; copyPath: string }
  /** Deleted in the app: move the file to the folder's trash. */
  | { type: 'trashFile'; id: string; path: string; trashPath: string }
  /** Deleted in the folder: move the item to the app's trash. */
  | { type: 'trashApp'; id: string }
  /** Gone from both sides: drop the sync state. */
  | { type: 'forget'; id: string }
  /** Never written to, moved or deleted; only reported. */
  | { type: 'unreadable'; path: string; reason: string };

export interface SyncInput {
  layout: FolderLayout;
  synced: readonly SyncedEntry[];
  app: readonly AppEntry[];
  folder: readonly FolderEntry[];
  /** Names conflict copies and trash folders; file-name safe, e.g. `20260520T101500Z`. */
  timestamp: string;
}

export type ReadableEntry = Extract<FolderEntry, { readable: true }>;

export interface Sides {
  synced?: SyncedEntry;
  app?: AppEntry;
  file?: ReadableEntry;
}

export type Decision = Exclude<SyncAction['type'], 'unreadable'> | 'nothing';

/**
 * A side changed when it differs from what was last synced. Edited on both sides with different
 * results is a conflict; the folder wins the slot because that is where the user can see both.
 * Media sync (storage/folder/media-sync.ts) decides by the same rules.
 */
export function decide({ synced, app, file }: Sides, unreadablePaths: ReadonlySet<string>): Decision {
  if (!synced) {
    if (app && file) return app.appHash === file.appHash ? 'link' : 'conflict';
    return app ? 'write' : 'import';
  }
  const appChanged = app !== undefined && app.appHash !== synced.appHash;
  const fileChanged = file !== undefined && (file.path !== synced.path || file.fileHash !== synced.fileHash);
  if (app && file) {
    if (appChanged && fileChanged) return app.appHash === file.appHash ? 'link' : 'conflict';
    if (appChanged) return 'write';
    return fileChanged ? 'import' : 'nothing';
  }
  if (app) {
    // Its file is still there but unreadable: leave both alone until the user fixes the file.
    if (unreadablePaths.has(synced.path)) return 'nothing';
    // Deleted in the folder; an edit made in the app since then wins over the deletion.
    return appChanged ? 'write' : 'trashApp';
  }
  if (file) return fileChanged ? 'import' : 'trashFile';
  return 'forget';
}

/**
 * Of several files claiming one id, keeps the one the sync state or the app's slug points at (else
 * the first by path); the others are reported, never touched.
 */
function pickOneFilePerId(
  folder: readonly FolderEntry[],
  synced: ReadonlyMap<string, SyncedEntry>,
  app: ReadonlyMap<string, AppEntry>,
  layout: FolderLayout,
): { files: Map<string, ReadableEntry>; unreadable: Extract<FolderEntry, { readable: false }>[] } {
  const unreadable = folder.filter((entry) => !entry.readable);
  const claims = new Map<string, ReadableEntry[]>();
  for (const entry of folder) {
    if (entry.readable) claims.set(entry.id, [...(claims.get(entry.id) ?? []), entry]);
  }
  const files = new Map<string, ReadableEntry>();
  for (const [id, entries] of claims) {
    const appSlug = app.get(id)?.slug;
    const keeper =
      entries.find((entry) => entry.path === synced.get(id)?.path) ??
      entries.find((entry) => appSlug !== undefined && entry.path === itemPath(layout, appSlug)) ??
      [...entries].sort((a, b) => a.path.localeCompare(b.path))[0]!;
    files.set(id, keeper);
    for (const entry of entries) {
      if (entry !== keeper) {
        unreadable.push({
          path: entry.path,
          readable: false,
          reason: `duplicate id ${id}, also in ${keeper.path}`,
        });
      }
    }
  }
  return { files, unreadable };
}

/**
 * Decides how to bring the app and the folder back in step with each other and with what they last
 * agreed on. Pure: the caller reads both sides and applies the actions.
 */
export function planSync(input: SyncInput): SyncAction[] {
  const { layout, timestamp } = input;
  const synced = new Map(input.synced.map((entry) => [entry.id, entry]));
  const app = new Map(input.app.map((entry) => [entry.id, entry]));
  const { files, unreadable } = pickOneFilePerId(input.folder, synced, app, layout);
  const actions: SyncAction[] = unreadable.map(({ path, reason }) => ({ type: 'unreadable', path, reason }));
  const unreadablePaths = new Set(unreadable.map((entry) => entry.path));

  const writes: { id: string; slug: string; current?: string }[] = [];
  const ids = [...new Set([...synced.keys(), ...app.keys(), ...files.keys()])].sort();
  for (const id of ids) {
    const sides: Sides = { synced: synced.get(id), app: app.get(id), file: files.get(id) };
    const decision = decide(sides, unreadablePaths);
    const path = sides.file?.path ?? '';
    const fileSlug = slugOfPath(layout, path) ?? '';
    switch (decision) {
      case 'nothing':
        break;
      case 'write':
        writes.push({ id, slug: sides.app!.slug, current: sides.file?.path });
        break;
      case 'trashFile':
        actions.push({ type: decision, id, path, trashPath: trashPath(layout, fileSlug, timestamp) });
        break;
      case 'conflict':
        actions.push({ type: decision, id, path, copyPath: conflictPath(layout, fileSlug, timestamp) });
        break;
      case 'trashApp':
      case 'forget':
        actions.push({ type: decision, id });
        break;
      default:
        actions.push({ type: decision, id, path });
    }
  }
  return [...actions, ...placeWrites(writes, input, actions)];
}

/**
 * Gives each write its path: the one its slug names unless another file stays there, in which case
 * the item gets the next free slug, so neither file is overwritten and no two items share a slug.
 */
function placeWrites(
  writes: readonly { id: string; slug: string; current?: string }[],
  input: SyncInput,
  decided: readonly SyncAction[],
): SyncAction[] {
  const { layout } = input;
  const moving = new Set(writes.map((write) => write.current));
  for (const action of decided) if (action.type === 'trashFile') moving.add(action.path);
  const staying = input.folder.map((entry) => entry.path).filter((path) => !moving.has(path));

  const finalSlugs = new Map(input.app.map((entry) => [entry.id, entry.slug]));
  for (const action of decided) {
    if (action.type === 'import' || action.type === 'conflict') {
      finalSlugs.set(action.id, slugOfPath(layout, action.path)!);
    } else if (action.type === 'trashApp') {
      finalSlugs.delete(action.id);
    }
  }
  for (const write of writes) finalSlugs.delete(write.id);
  const taken = new Set([...finalSlugs.values(), ...staying.map((path) => slugOfPath(layout, path) ?? path)]);

  // Writes that can keep their slug go first, so a displaced one never pushes another aside.
  const keeping = new Set(writes.filter((write) => !taken.has(write.slug)).map((write) => write.id));
  for (const write of writes) if (keeping.has(write.id)) taken.add(write.slug);
  return writes.map((write) => {
    const slug = keeping.has(write.id) ? write.slug : uniqueSlug(write.slug, taken);
    taken.add(slug);
    const path = itemPath(layout, slug);
    const replaces = write.current !== undefined && write.current !== path ? { replaces: write.current } : {};
    return { type: 'write', id: write.id, path, slug, ...replaces };
  });
}
