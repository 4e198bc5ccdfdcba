import type { FileProblem } from '../../core/front-matter';
import type { Post } from '../../core/post';
import type { Script } from '../../core/script';
import { type FolderEntry, planSync, type SyncAction, slugOfPath } from '../../core/sync-plan';
import type { ExternalChangeTarget, SlugItem } from '../item-store';
import { hashBytes, hashItem } from './content-hash';
import type { FolderAdapter, FolderFileInfo } from './folder-adapter';
import { type FolderFileParser, inPlaceParser } from './folder-file-parser';
import { type ItemFormat, postFormat, scriptFormat } from './item-formats';
import { MediaSync, type MediaSyncTarget } from './media-sync';
import type { SyncedRecord, SyncStateStore } from './sync-state-store';
import {
  applyUnlessChanged,
  attempt,
  describeProblem,
  readAsOf,
  reasonOf,
  writeConflictCopy,
} from './sync-steps';

/** Larger files are reported, not read: no script or post is that big, and a video might be. */
export const maxFileBytes = 1024 * 1024;

export interface SyncReport {
  /** Files written from the app, renames included. */
  written: string[];
  /** Files taken into the app. */
  imported: string[];
  /** Edited on both sides: the file kept its slot, the app's version was saved at `copyPath`. */
  conflicts: { path: string; copyPath: string }[];
  /** Files left untouched because they could not be read. */
  unreadable: ({ path: string } & FileProblem)[];
  /** Files moved to the folder's `.trash/` (`path` → `trashPath`) and items moved to the app's trash. */
  trashed: { path?: string; trashPath?: string; id: string }[];
  /** Operations that failed; they are retried by the next sync. */
  failed: { path: string; reason: string }[];
}

type Item = SlugItem & { body: string };

export interface FolderSyncOptions {
  folder: FolderAdapter;
  scripts: ExternalChangeTarget<Script>;
  posts: ExternalChangeTarget<Post>;
  /** Synced after scripts and posts as `media/<yyyy>/<mm>/` (media-sync.ts), when given. */
  media?: MediaSyncTarget;
  state: SyncStateStore;
  /** Names conflict copies and trash folders; tests fix it. */
  clock?: () => Date;
  /**
   * Runs a sync pass alone among every instance that shares the stores and folder: every tab of the
   * app (the browser passes a Web Lock). Without it, passes are only kept apart within this instance,
   * and two tabs would both import a new file and both write an edit.
   */
  exclusive?: <T>(pass: () => Promise<T>) => Promise<T>;
  /** Where files are parsed; the page passes a worker's (`OffThreadFolderParser`). In place by default. */
  parser?: FolderFileParser;
}

interface ReadFile<T> {
  entry: FolderEntry;
  parsed?: { item: T; header: string };
}

function emptyReport(): SyncReport {
  return { written: [], imported: [], conflicts: [], unreadable: [], trashed: [], failed: [] };
}

/** `2026-05-20T10:15:00.123Z` → `20260520T101500123Z`, safe in a file name everywhere. */
function fileTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:.]/g, '');
}

/** Lets the page handle input and paint before the next piece of work. */
function yieldToPage(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * Keeps the app's items and a folder in step. Each `syncNow` reads both sides, plans with
 * `planSync` against the state of the last sync and applies the plan; overlapping calls are run
 * one after the other.
 */
export class FolderSync {
  private running: Promise<SyncReport> | undefined;
  private queued: Promise<SyncReport> | undefined;

  private readonly folder: FolderAdapter;
  private readonly state: SyncStateStore;

  constructor(private readonly options: FolderSyncOptions) {
    this.folder = options.folder;
    this.state = options.state;
  }

  /** Brings both sides in step; resolves with what happened. A call during a sync runs once after it. */
  syncNow(): Promise<SyncReport> {
    if (!this.running) {
      this.running = this.runOnce().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.syncNow();
    });
    return this.queued;
  }

  /**
   * Forgets the last sync and syncs again, as on a first connect: every file is imported, an item the
   * folder has in another version becomes a conflict, and app-only items are written out.
   */
  async rebuildFromFolder(): Promise<SyncReport> {
    await this.running;
    await this.state.clear();
    return this.syncNow();
  }

  private runOnce(): Promise<SyncReport> {
    const { exclusive } = this.options;
    return exclusive ? exclusive(() => this.pass()) : this.pass();
  }

  private async pass(): Promise<SyncReport> {
    const report = emptyReport();
    const timestamp = fileTimestamp((this.options.clock ?? (() => new Date()))());
    await this.syncCollection(scriptFormat, this.options.scripts, timestamp, report);
    await this.syncCollection(postFormat, this.options.posts, timestamp, report);
    if (this.options.media)
      await new MediaSync(this.folder, this.options.media, this.state).sync(timestamp, report);
    return report;
  }

  private async syncCollection<T extends Item>(
    format: ItemFormat<T>,
    store: ExternalChangeTarget<T>,
    timestamp: string,
    report: SyncReport,
  ): Promise<void> {
    const files = await this.readFiles(format);
    const appItems = new Map((await store.list()).map((item) => [item.id, item]));
    const synced = new Map((await this.state.list(format.collection)).map((record) => [record.id, record]));
    const app = await Promise.all(
      [...appItems.values()].map(async (item) => ({
        id: item.id,
        slug: item.slug,
        appHash: hashItem(item),
      })),
    );
    const actions = planSync({
      layout: format.layout,
      timestamp,
      synced: [...synced.values()],
      app,
      folder: [...files.values()].map((file) => file.entry),
    });
    const apply = new PlanRun(this.folder, format, files, appItems, synced, report);
    await apply.run(actions, store);
    await this.state.update(apply.recorded, apply.forgotten);
  }

  private async readFiles<T extends Item>(format: ItemFormat<T>): Promise<Map<string, ReadFile<T>>> {
    const files = new Map<string, ReadFile<T>>();
    const listed = (await this.folder.list(format.layout.dir)).filter(
      (info) => slugOfPath(format.layout, info.path) !== undefined,
    );
    for (const info of listed) {
      // One file's parse is bounded (`frontMatterLimits`), and on the page it runs in a worker;
      // yielding between files keeps a folder of hundreds of them from holding the page for the
      // whole pass (reading, decoding and hashing them stay on it).
      await yieldToPage();
      files.set(info.path, await this.readFileOrReport(format, info));
    }
    return files;
  }

  /** A file that fails to read is reported like one that fails to parse; the pass goes on. */
  private async readFileOrReport<T extends Item>(
    format: ItemFormat<T>,
    info: FolderFileInfo,
  ): Promise<ReadFile<T>> {
    try {
      return await this.readFile(format, info);
    } catch (error) {
      return { entry: { path: info.path, readable: false, reason: `cannot be read: ${reasonOf(error)}` } };
    }
  }

  private async readFile<T extends Item>(format: ItemFormat<T>, info: FolderFileInfo): Promise<ReadFile<T>> {
    const { path } = info;
    const unreadable = (problem: FileProblem): ReadFile<T> => ({
      entry: { path, readable: false, reason: describeProblem(problem) },
    });
    if (info.size > maxFileBytes) return unreadable({ reason: `larger than 1 MiB (${info.size} bytes)` });
    const bytes = await this.folder.read(path);
    if (bytes.includes(0)) return unreadable({ reason: 'binary: contains NUL bytes' });
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return unreadable({ reason: 'not valid UTF-8 text' });
    }
    const slug = slugOfPath(format.layout, path)!;
    const parser = this.options.parser ?? inPlaceParser;
    const parsed = await parser.parse(format, text, { slug, fallbackTime: info.modifiedAt });
    if (!parsed.ok) return unreadable(parsed.problem);
    const entry: FolderEntry = {
      path,
      readable: true,
      id: parsed.value.item.id,
      fileHash: await hashBytes(bytes),
      appHash: hashItem(parsed.value.item),
    };
    return { entry, parsed: parsed.value };
  }
}

/** Applies one collection's plan and collects the sync state to record for it. */
class PlanRun<T extends Item> {
  readonly recorded: SyncedRecord[] = [];
  readonly forgotten: string[] = [];

  constructor(
    private readonly folder: FolderAdapter,
    private readonly format: ItemFormat<T>,
    private readonly files: ReadonlyMap<string, ReadFile<T>>,
    private readonly appItems: ReadonlyMap<string, T>,
    private readonly synced: ReadonlyMap<string, SyncedRecord>,
    private readonly report: SyncReport,
  ) {}

  async run(actions: SyncAction[], store: ExternalChangeTarget<T>): Promise<void> {
    // Conflict copies first: once they are on disk, the app's version is safe to replace.
    const copied = new Map<string, string>();
    for (const action of actions) {
      if (action.type === 'conflict' && (await this.writeCopy(action)))
        copied.set(action.id, action.copyPath);
    }
    const fromFolder = actions.filter(
      (action): action is Extract<SyncAction, { type: 'import' | 'conflict' | 'link' }> =>
        action.type === 'import' ||
        action.type === 'link' ||
        (action.type === 'conflict' && copied.has(action.id)),
    );
    const writes = actions.filter((action) => action.type === 'write');
    const put = [
      ...fromFolder.filter((action) => action.type !== 'link').map((action) => this.fileItem(action.path)),
      // A write whose path was taken elsewhere gives the item a new slug; the app must hear of it too.
      ...writes.flatMap((action) => {
        const item = this.appItems.get(action.id)!;
        return item.slug === action.slug ? [] : [{ ...item, slug: action.slug }];
      }),
    ];
    const trashInApp = actions.filter((action) => action.type === 'trashApp').map((action) => action.id);
    const appPath = `${this.format.layout.dir}/ (the app's ${this.format.collection})`;
    const readAs = readAsOf(this.appItems, [...put.map((item) => item.id), ...trashInApp]);
    if (
      !(await applyUnlessChanged(
        { folder: this.folder, report: this.report, copiesWritten: [...copied.values()] },
        appPath,
        () => store.applyExternal({ put, trash: trashInApp, readAs }),
      ))
    )
      return;

    for (const action of fromFolder) await this.recordFile(action.id, action.path);
    for (const action of fromFolder) if (action.type !== 'link') this.report.imported.push(action.path);
    for (const id of trashInApp) {
      this.report.trashed.push({ id });
      this.forgotten.push(id);
    }
    for (const action of actions) await this.applyToFolder(action);
  }

  private async applyToFolder(action: SyncAction): Promise<void> {
    switch (action.type) {
      case 'write':
        await this.attempt(action.path, () => this.write(action));
        break;
      case 'trashFile':
        if (await this.attempt(action.path, () => this.folder.move(action.path, action.trashPath))) {
          this.report.trashed.push({ id: action.id, path: action.path, trashPath: action.trashPath });
          this.forgotten.push(action.id);
        }
        break;
      case 'forget':
        this.forgotten.push(action.id);
        break;
      case 'unreadable':
        this.report.unreadable.push({ path: action.path, reason: action.reason });
        break;
      case 'conflict':
        this.report.conflicts.push({ path: action.path, copyPath: action.copyPath });
        break;
      default:
      // import, link and trashApp were applied to the app in one transaction before.
    }
  }

  private async write(action: Extract<SyncAction, { type: 'write' }>): Promise<void> {
    const item = { ...this.appItems.get(action.id)!, slug: action.slug };
    const text = this.format.serialize(item, this.previousHeader(action.id));
    const bytes = encoder.encode(text);
    await this.folder.writeAtomic(action.path, bytes);
    if (action.replaces) await this.folder.remove(action.replaces);
    this.report.written.push(action.path);
    this.recorded.push({
      id: item.id,
      collection: this.format.collection,
      path: action.path,
      fileHash: await hashBytes(bytes),
      appHash: hashItem(item),
      header: text.slice(0, text.length - item.body.length),
    });
  }

  private writeCopy(action: Extract<SyncAction, { type: 'conflict' }>): Promise<boolean> {
    const item = this.appItems.get(action.id)!;
    const text = this.format.serialize(item, this.previousHeader(action.id));
    return writeConflictCopy(this.folder, this.report, action.copyPath, text);
  }

  /** The header of the item's file as last seen, so a rewrite keeps keys this app does not know. */
  private previousHeader(id: string): string | undefined {
    const synced = this.synced.get(id);
    const current = [...this.files.values()].find((file) => file.parsed?.item.id === id);
    return current?.parsed?.header ?? synced?.header;
  }

  private fileItem(path: string): T {
    return this.files.get(path)!.parsed!.item;
  }

  private async recordFile(id: string, path: string): Promise<void> {
    const file = this.files.get(path)!;
    if (!file.entry.readable) return;
    this.recorded.push({
      id,
      collection: this.format.collection,
      path,
      fileHash: file.entry.fileHash,
      appHash: file.entry.appHash,
      header: file.parsed!.header,
    });
  }

  private attempt(path: string, operation: () => Promise<void>): Promise<boolean> {
    return attempt(this.report, path, operation);
  }
}
