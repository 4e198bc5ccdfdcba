import { randomUUID } from 'node:crypto';
import { watch } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { basename, sep } from 'node:path';
import { z } from 'zod';
import {
  type FolderIdentity,
  type FolderOperation,
  type FolderRequest,
  type FolderValue,
  folderOperations,
  type Reply,
} from '../src/storage/folder/desktop-bridge';
import { type NodeFs, NodeFsFolder } from '../src/storage/folder/node-fs-folder';
import { assertInsideFolder } from './confined-path';

/**
 * Runs `work` and turns its outcome, error included, into a reply for the renderer. `folder` names
 * the folder the request was about: errors from Node's fs quote absolute paths, and the page learns
 * only paths relative to the folder and its name, never where it is on the disk.
 */
export async function replyTo<T>(
  work: () => T | Promise<T>,
  folder?: { root: string; name: string },
): Promise<Reply<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: withoutAbsolutePaths(messageOf(error), folder) };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `message` with paths inside `folder` made relative to it, and any other absolute path (quoted,
 * as Node's fs errors quote them) replaced by a placeholder.
 */
export function withoutAbsolutePaths(message: string, folder?: { root: string; name: string }): string {
  const relative = folder
    ? message.split(`${folder.root}${sep}`).join('').split(folder.root).join(`“${folder.name}”`)
    : message;
  return relative.replace(/'(?:\/|[A-Za-z]:[\\/]|\\\\)[^']*'/g, "'(a path outside the folder)'");
}

interface OperationHandler<Op extends FolderOperation> {
  /** Every path the request names: each is checked before anything runs. */
  paths(request: FolderRequest<Op>): string[];
  run(folder: NodeFsFolder, request: FolderRequest<Op>): Promise<FolderValue<Op>>;
}

const handlers: { [Op in FolderOperation]: OperationHandler<Op> } = {
  list: { paths: ({ dir }) => [dir], run: (folder, { dir }) => folder.list(dir) },
  listFolders: { paths: ({ dir }) => [dir], run: (folder, { dir }) => folder.listFolders(dir) },
  read: { paths: ({ path }) => [path], run: (folder, { path }) => folder.read(path) },
  writeAtomic: {
    paths: ({ path }) => [path],
    run: (folder, { path, bytes }) => folder.writeAtomic(path, bytes).then(() => null),
  },
  move: {
    paths: ({ from, to }) => [from, to],
    run: (folder, { from, to }) => folder.move(from, to).then(() => null),
  },
  remove: { paths: ({ path }) => [path], run: (folder, { path }) => folder.remove(path).then(() => null) },
  removeEmptyFolder: { paths: ({ dir }) => [dir], run: (folder, { dir }) => folder.removeEmptyFolder(dir) },
};

interface HeldFolder extends FolderIdentity {
  /** Real path (symbolic links resolved), so confinement compares like with like. */
  root: string;
  /** Stops watching the folder for changes. */
  unwatch: () => void;
}

/** Starts watching `root`, calling `onChange` for every change below it; returns how to stop. */
export type WatchFolder = (root: string, onChange: () => void) => () => void;

/**
 * Node's recursive `fs.watch`. A watch that cannot start or fails later (a watch limit reached, the
 * folder gone) just ends: the app also polls the folder and syncs on focus, so changes still arrive.
 */
export const watchRecursively: WatchFolder = (root, onChange) => {
  try {
    const watcher = watch(root, { recursive: true }, () => onChange());
    watcher.on('error', () => watcher.close());
    return () => watcher.close();
  } catch {
    return () => {};
  }
};

export interface FolderHostOptions {
  /** `NodeFsFolder`'s `fs`; tests swap it to break a write half-way. */
  fs?: NodeFs;
  /** Hears that a window's folder changed on disk; main tells that window, which then syncs. */
  onFolderChanged?: (windowId: number) => void;
  watch?: WatchFolder;
}

/**
 * The Node side of the desktop build's folder access, free of Electron so it runs in tests: which
 * folder each window picked, and every folder request checked (schema, pick, confinement) before
 * it reaches `NodeFsFolder`. The renderer never names an absolute path.
 */
export class FolderHost {
  private readonly held = new Map<number, HeldFolder>();

  constructor(private readonly options: FolderHostOptions = {}) {}

  /** Lets the user choose a folder (`choose`: main's dialog, `undefined` on cancel) and holds it for the window. */
  pick(windowId: number, choose: () => Promise<string | undefined>): Promise<Reply<FolderIdentity | null>> {
    return replyTo(async () => {
      const path = await choose();
      if (path === undefined) return null;
      try {
        return await this.connect(windowId, path);
      } catch (error) {
        throw new Error(withoutAbsolutePaths(messageOf(error), { root: path, name: basename(path) }));
      }
    });
  }

  /** Makes `path` the window's folder, replacing its previous one. */
  async connect(windowId: number, path: string): Promise<FolderIdentity> {
    const root = await realpath(path);
    if (!(await stat(root)).isDirectory()) throw new Error(`Not a folder: “${basename(root)}”`);
    const identity = { id: randomUUID(), name: basename(root) || root };
    this.forget(windowId);
    const { onFolderChanged, watch: watchFolder = watchRecursively } = this.options;
    const unwatch = onFolderChanged ? watchFolder(root, () => onFolderChanged(windowId)) : () => {};
    this.held.set(windowId, { ...identity, root, unwatch });
    return identity;
  }

  connected(windowId: number): FolderIdentity | null {
    const held = this.held.get(windowId);
    return held ? { id: held.id, name: held.name } : null;
  }

  forget(windowId: number): void {
    this.held.get(windowId)?.unwatch();
    this.held.delete(windowId);
  }

  /** Validates and runs one folder request from a window; every outcome is a reply. */
  handle<Op extends FolderOperation>(
    windowId: number,
    operation: Op,
    request: unknown,
  ): Promise<Reply<FolderValue<Op>>> {
    const held = this.held.get(windowId);
    return replyTo(async () => {
      const { channel, request: schema } = folderOperations[operation];
      const parsed = schema.safeParse(request);
      if (!parsed.success)
        throw new Error(`Malformed request on ${channel}: ${z.prettifyError(parsed.error)}`);
      const checked = parsed.data as FolderRequest<Op>;
      const handler: OperationHandler<Op> = handlers[operation];
      const root = await this.rootOf(windowId, checked.folderId);
      for (const path of handler.paths(checked)) await assertInsideFolder(root, path);
      return handler.run(new NodeFsFolder(root, this.options.fs), checked);
    }, held);
  }

  private async rootOf(windowId: number, folderId: string): Promise<string> {
    const held = this.held.get(windowId);
    if (held?.id !== folderId) throw new Error('This folder is no longer connected; connect it again.');
    // A vanished folder must fail loudly: listed as empty, it would read as every file deleted.
    const stats = await stat(held.root).catch(() => undefined);
    if (!stats?.isDirectory()) {
      throw new Error(`The folder “${held.name}” is no longer where it was picked; connect it again.`);
    }
    return held.root;
  }
}
