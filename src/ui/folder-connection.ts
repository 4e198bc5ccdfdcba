import type { FolderAdapter } from '../storage/folder/folder-adapter';
import type { FolderHandleStore } from '../storage/folder/folder-handle-store';
import type { SyncReport } from '../storage/folder/folder-sync';
import { type FolderWatchOptions, watchFolder } from '../storage/folder/folder-watcher';
import { describeError, StateHolder } from './state-holder';

export type FolderStatus = 'not-connected' | 'needs-permission' | 'connected' | 'syncing' | 'error';

/** What the connection needs of a picked folder: a FileSystemDirectoryHandle in the browser. */
export interface FolderHandle {
  readonly name: string;
  queryPermission(descriptor: { mode: 'readwrite' }): Promise<PermissionState>;
  /** Shows the browser's prompt, so it must run inside a user gesture (a click). */
  requestPermission(descriptor: { mode: 'readwrite' }): Promise<PermissionState>;
}

/** An app version saved beside the folder's after both were edited; shown until dismissed. */
export interface ConflictNotice {
  path: string;
  copyPath: string;
}

export interface TimedReport {
  report: SyncReport;
  at: string;
}

export interface FolderConnectionState {
  status: FolderStatus;
  /** The remembered folder's name, also while it needs permission. */
  folderName: string | null;
  /** The last finished sync and when it finished (ISO): its unreadable files and failures are current. */
  lastSync: TimedReport | null;
  /** The last sync that wrote, imported or trashed anything, so the quiet syncs after it don't hide it. */
  lastChanges: TimedReport | null;
  conflicts: readonly ConflictNotice[];
  /** Why the last connect or sync failed, in words for the user. */
  problem: string | null;
}

/** The parts of `FolderSync` the connection drives. */
export interface SyncEngine {
  syncNow(): Promise<SyncReport>;
  rebuildFromFolder(): Promise<SyncReport>;
}

export interface FolderConnectionDeps<Handle extends FolderHandle> {
  handles: FolderHandleStore<Handle>;
  /** `showDirectoryPicker` in the browser; rejects with an AbortError when the user cancels. */
  pickDirectory: () => Promise<Handle>;
  openFolder: (handle: Handle) => FolderAdapter;
  createSync: (folder: FolderAdapter) => SyncEngine;
  /** A native change observer for the folder (FileSystemObserver), if the browser has one. */
  observe?: (handle: Handle) => FolderWatchOptions['observe'];
  /** How often the folder is checked when there is no native observer. */
  pollIntervalMs?: number;
  /** Hears `focus`: `window` in the app. */
  focusTarget?: EventTarget;
  /** The app's stores: every committed change is written out. */
  changeSources: FolderWatchOptions['changeSources'];
  debounceMs?: number;
}

/** What the folder panel uses: the same for every kind of handle. */
export type FolderControls = Pick<
  FolderConnection<FolderHandle>,
  | 'state'
  | 'subscribe'
  | 'folder'
  | 'connect'
  | 'reconnect'
  | 'disconnect'
  | 'syncNow'
  | 'rebuildFromFolder'
  | 'dismissConflict'
  | 'dismissProblem'
>;

const readwrite = { mode: 'readwrite' } as const;

/**
 * The project folder as the user sees it: which folder is connected, whether the browser still lets
 * the app use it, what the last sync did and which conflicts are waiting to be read. Owns the folder
 * watch while connected. Components render `state` and call these methods.
 */
export class FolderConnection<Handle extends FolderHandle> extends StateHolder<FolderConnectionState> {
  private handle: Handle | undefined;
  private adapter: FolderAdapter | undefined;
  private engine: SyncEngine | undefined;
  private stopWatching: (() => void) | undefined;
  private syncsInFlight = 0;

  constructor(private readonly deps: FolderConnectionDeps<Handle>) {
    super({
      status: 'not-connected',
      folderName: null,
      lastSync: null,
      lastChanges: null,
      conflicts: [],
      problem: null,
    });
  }

  /** The connected folder's files, for writers other than sync (offered defaults); none unless connected. */
  get folder(): FolderAdapter | undefined {
    return this.adapter;
  }

  /**
   * Finds the remembered folder and whether the browser still grants it, without syncing: `start`
   * does that, so the caller can seed defaults into the folder first.
   */
  async restore(): Promise<void> {
    const handle = await this.deps.handles.load();
    if (!handle) return;
    this.handle = handle;
    if ((await handle.queryPermission(readwrite)) === 'granted') this.open(handle);
    else this.set({ status: 'needs-permission', folderName: handle.name });
  }

  /** Syncs the connected folder now, then on every change until disconnected. */
  async start(): Promise<void> {
    const engine = this.engine;
    if (!engine || this.stopWatching) return;
    this.watch(engine);
    await this.runSync(() => engine.syncNow());
  }

  /**
   * Lets the user pick a folder and syncs it as on a first connect: app-only items are written,
   * folder-only files imported, and an item both hold in different versions becomes a conflict.
   */
  async connect(): Promise<void> {
    let handle: Handle;
    try {
      handle = await this.deps.pickDirectory();
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return;
      this.set({ problem: `Could not open the folder picker: ${describeError(error)}` });
      return;
    }
    if ((await handle.queryPermission(readwrite)) !== 'granted') {
      if ((await handle.requestPermission(readwrite)) !== 'granted') {
        this.set({ problem: `Pymark needs permission to edit “${handle.name}” to keep it in sync.` });
        return;
      }
    }
    this.close();
    await this.deps.handles.save(handle);
    this.handle = handle;
    const engine = this.open(handle);
    this.watch(engine);
    // The sync state belongs to whichever folder was connected before; start as if meeting this one.
    await this.runSync(() => engine.rebuildFromFolder());
  }

  /** Asks the browser again for the remembered folder; call it from a click (the prompt needs one). */
  async reconnect(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    if ((await handle.requestPermission(readwrite)) !== 'granted') {
      this.set({ problem: `Permission to edit “${handle.name}” was not granted.` });
      return;
    }
    this.open(handle);
    await this.start();
  }

  /** Stops syncing and forgets the folder; its files and the app's items stay as they are. */
  async disconnect(): Promise<void> {
    this.close();
    this.handle = undefined;
    await this.deps.handles.clear();
    this.set({ status: 'not-connected', folderName: null, lastSync: null, lastChanges: null, problem: null });
  }

  async syncNow(): Promise<void> {
    const engine = this.engine;
    if (engine) await this.runSync(() => engine.syncNow());
  }

  /** Forgets the last sync and re-imports every file, as on a first connect. */
  async rebuildFromFolder(): Promise<void> {
    const engine = this.engine;
    if (engine) await this.runSync(() => engine.rebuildFromFolder());
  }

  dismissConflict(copyPath: string): void {
    this.set({ conflicts: this.state.conflicts.filter((notice) => notice.copyPath !== copyPath) });
  }

  dispose(): void {
    this.close();
  }

  private open(handle: Handle): SyncEngine {
    this.adapter = this.deps.openFolder(handle);
    this.engine = this.deps.createSync(this.adapter);
    this.set({ status: 'connected', folderName: handle.name, problem: null });
    return this.engine;
  }

  private watch(engine: SyncEngine): void {
    this.stopWatching = watchFolder({
      sync: () => this.runSync(() => engine.syncNow()),
      observe: this.deps.observe?.(this.handle!),
      pollIntervalMs: this.deps.pollIntervalMs ?? 5_000,
      focusTarget: this.deps.focusTarget,
      changeSources: this.deps.changeSources,
      debounceMs: this.deps.debounceMs,
    });
  }

  private close(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
    this.engine = undefined;
    this.adapter = undefined;
  }

  private async runSync(sync: () => Promise<SyncReport>): Promise<void> {
    const engine = this.engine;
    this.syncsInFlight++;
    this.set({ status: 'syncing' });
    try {
      const report = await sync();
      // A sync that finishes after a disconnect or another connect speaks of a folder no longer shown.
      if (engine !== this.engine) return;
      const lastSync = { report, at: new Date().toISOString() };
      this.set({
        status: this.syncsInFlight > 1 ? 'syncing' : 'connected',
        lastSync,
        lastChanges: changedAnything(report) ? lastSync : this.state.lastChanges,
        conflicts: this.withNew(report.conflicts),
        problem: null,
      });
    } catch (error) {
      if (engine === this.engine) await this.failed(error);
    } finally {
      this.syncsInFlight--;
    }
  }

  /** A revoked permission asks for a reconnect; anything else is shown and retried by the watch. */
  private async failed(error: unknown): Promise<void> {
    const handle = this.handle;
    const permission = await handle?.queryPermission(readwrite).catch(() => 'denied' as const);
    if (handle && permission !== 'granted') {
      this.close();
      this.set({ status: 'needs-permission', problem: null });
      return;
    }
    this.set({ status: 'error', problem: `Could not sync the folder: ${describeError(error)}` });
  }

  private withNew(conflicts: readonly ConflictNotice[]): readonly ConflictNotice[] {
    const shown = new Set(this.state.conflicts.map((notice) => notice.copyPath));
    const added = conflicts.filter((notice) => !shown.has(notice.copyPath));
    return added.length === 0 ? this.state.conflicts : [...this.state.conflicts, ...added];
  }
}

function changedAnything(report: SyncReport): boolean {
  return [report.written, report.imported, report.conflicts, report.trashed].some((list) => list.length > 0);
}
