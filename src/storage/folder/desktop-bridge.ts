import { z } from 'zod';
import type { FolderFileInfo } from './folder-adapter';

/**
 * The contract between the Electron main process and the app: channel names, the zod schemas of
 * every request and reply, and the `window.pymarkDesktop` bridge the preload exposes. Main parses
 * every request, the app parses every reply: neither side trusts the other's process.
 */

/**
 * Names Windows reads as something else than a file in the folder: a drive (`D:..`), an alternate
 * data stream (`a.py:secret`), a device (`CON`, `NUL.txt`, `COM1`), or a name it silently changes
 * (a trailing `.` or space is dropped, so `a.py.` would be `a.py`). Refused on every platform, so a
 * folder behaves the same wherever it is synced.
 */
const windowsDevice = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])\s*(\..*)?$/i;

/** Why Windows would not read `name` (one path segment) as a plain file name, or `undefined`. */
export function windowsNameProblem(name: string): string | undefined {
  if (name.includes(':')) return 'a ":" (a drive or an alternate data stream on Windows)';
  if (windowsDevice.test(name)) return `${JSON.stringify(name)} (a device name on Windows)`;
  if (/[<>"|?*]/.test(name) || [...name].some((char) => char.charCodeAt(0) < 0x20))
    return `${JSON.stringify(name)} (a character Windows forbids)`;
  if (/[. ]$/.test(name)) return `${JSON.stringify(name)} (ends in "." or a space, which Windows drops)`;
  return undefined;
}

/** Why `path` is not a folder path the app may name, or `undefined` when it is one. */
export function folderPathProblem(path: string): string | undefined {
  const names = path.split('/');
  if (!names.every((name) => name !== '' && name !== '.' && name !== '..' && !/[\\\0]/.test(name))) {
    return 'must be a path inside the folder: names joined by "/", none empty, "." or "..", without "\\" or NUL';
  }
  for (const name of names) {
    const problem = windowsNameProblem(name);
    if (problem) return `must be a path inside the folder, not a Windows path form: ${problem}`;
  }
  return undefined;
}

/** A path the app may name: `""` too when `root` (the folder itself), else a path inside it. */
function pathInFolderSchema(root: 'root allowed' | 'inside only') {
  return z
    .string()
    .min(root === 'root allowed' ? 0 : 1)
    .max(1024)
    .superRefine((path, context) => {
      if (path === '' && root === 'root allowed') return;
      const problem = folderPathProblem(path);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    });
}

/** Names as the sync engine writes them (`scripts/hello.py`): main resolves them inside the picked folder. */
export const folderPathSchema = pathInFolderSchema('inside only');

/** A folder to list: a path inside the folder, or `""` for the folder itself (where `site.yml` is). */
export const folderDirSchema = pathInFolderSchema('root allowed');

/** Structured clone and contextBridge copy typed arrays into the receiving realm: test the tag, not the class. */
const bytesSchema = z.custom<Uint8Array>(
  (value) => Object.prototype.toString.call(value) === '[object Uint8Array]',
  'expected a Uint8Array',
);

const fileInfoSchema = z.strictObject({
  // Only shape here: main lists what is on disk, and the sync engine ignores names it would not write.
  path: z.string().min(1),
  size: z.number().int().nonnegative(),
  modifiedAt: z.iso.datetime(),
}) satisfies z.ZodType<FolderFileInfo>;

/** A pick: each gets a fresh id, and folder requests name it, so none can land in a folder picked since. */
export const folderIdentitySchema = z.strictObject({ id: z.uuid(), name: z.string().min(1) });
export type FolderIdentity = z.infer<typeof folderIdentitySchema>;

const folderId = z.uuid();

/** The `FolderAdapter` operations, each on its own channel. */
export const folderOperations = {
  list: {
    channel: 'pymark:folder:list',
    request: z.strictObject({ folderId, dir: folderDirSchema }),
    value: z.array(fileInfoSchema),
  },
  listFolders: {
    channel: 'pymark:folder:list-folders',
    request: z.strictObject({ folderId, dir: folderDirSchema }),
    value: z.array(z.string().min(1)),
  },
  read: {
    channel: 'pymark:folder:read',
    request: z.strictObject({ folderId, path: folderPathSchema }),
    value: bytesSchema,
  },
  writeAtomic: {
    channel: 'pymark:folder:write-atomic',
    request: z.strictObject({ folderId, path: folderPathSchema, bytes: bytesSchema }),
    value: z.null(),
  },
  move: {
    channel: 'pymark:folder:move',
    request: z.strictObject({ folderId, from: folderPathSchema, to: folderPathSchema }),
    value: z.null(),
  },
  remove: {
    channel: 'pymark:folder:remove',
    request: z.strictObject({ folderId, path: folderPathSchema }),
    value: z.null(),
  },
  removeEmptyFolder: {
    channel: 'pymark:folder:remove-empty-folder',
    request: z.strictObject({ folderId, dir: folderPathSchema }),
    value: z.boolean(),
  },
} as const;

export type FolderOperation = keyof typeof folderOperations;
export type FolderRequest<Op extends FolderOperation> = z.infer<(typeof folderOperations)[Op]['request']>;
export type FolderValue<Op extends FolderOperation> = z.infer<(typeof folderOperations)[Op]['value']>;

/** Which folder this window holds; none of them take a request. */
export const windowOperations = {
  /** Shows the OS folder picker; `null` when the user cancels. */
  pickFolder: { channel: 'pymark:pick-folder', value: folderIdentitySchema.nullable() },
  /** The folder main holds for this window (it outlives a reload, not a restart). */
  connectedFolder: { channel: 'pymark:connected-folder', value: folderIdentitySchema.nullable() },
  /** Main forgets the folder: later requests naming it fail. */
  forgetFolder: { channel: 'pymark:forget-folder', value: z.null() },
} as const;

export type WindowOperation = keyof typeof windowOperations;

/** Main → window: the window's folder changed on disk (no payload: the app syncs and sees what). */
export const folderChangedChannel = 'pymark:folder-changed';

/**
 * Every reply is data, never a rejected invoke: Electron rewrites a handler's error message
 * ("Error invoking remote method …") and drops everything else about it.
 */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: string };

const replySchema = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), value: z.unknown() }),
  z.strictObject({ ok: z.literal(false), error: z.string() }),
]);

/** The value of a reply from main, or the error it carried; a malformed reply throws, naming the channel. */
export function unwrapReply<T extends z.ZodType>(channel: string, value: T, reply: unknown): z.output<T> {
  const parsed = replySchema.safeParse(reply);
  if (!parsed.success) throw new Error(`Malformed reply on ${channel}: ${z.prettifyError(parsed.error)}`);
  if (!parsed.data.ok) throw new Error(parsed.data.error);
  const checked = value.safeParse(parsed.data.value);
  if (!checked.success) throw new Error(`Malformed value on ${channel}: ${z.prettifyError(checked.error)}`);
  return checked.data;
}

/**
 * `window.pymarkDesktop`, set by `electron/preload.ts`. Replies are `unknown` on purpose: they come
 * from another process and are read through `unwrapReply`.
 */
export interface DesktopBridge {
  pickFolder(): Promise<unknown>;
  connectedFolder(): Promise<unknown>;
  forgetFolder(): Promise<unknown>;
  /** Calls `listener` whenever main sees the connected folder change on disk; returns how to stop. */
  onFolderChanged(listener: () => void): () => void;
  folder: { readonly [Op in FolderOperation]: (request: FolderRequest<Op>) => Promise<unknown> };
}

declare global {
  interface Window {
    /** Present only in the Electron build. */
    pymarkDesktop?: DesktopBridge;
  }
}
