import { z } from 'zod';
import { checkRecord, type InvalidRecordListener, type PymarkDb, readRecord } from '../pymark-db';

/**
 * Chromium's permission methods on a picked folder; not in TypeScript's DOM library yet. OPFS
 * handles have them too and always answer 'granted'.
 */
export interface PermissionedDirectoryHandle extends FileSystemDirectoryHandle {
  queryPermission(descriptor: { mode: 'readwrite' }): Promise<PermissionState>;
  requestPermission(descriptor: { mode: 'readwrite' }): Promise<PermissionState>;
}

/** Where the connected folder's handle is kept between visits. */
export interface FolderHandleStore<Handle> {
  load(): Promise<Handle | undefined>;
  save(handle: Handle): Promise<void>;
  clear(): Promise<void>;
}

// The handle is one more record of the out-of-line `settings` store: no schema upgrade (which would
// wait on every other open tab) for a single value.
const handleKey = 'connectedFolder';

/** Structured clone keeps the handle's identity but not a prototype we could check in every realm. */
const storedHandleSchema = z.object({
  handle: z.custom<PermissionedDirectoryHandle>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      (value as { kind?: unknown }).kind === 'directory' &&
      typeof (value as { name?: unknown }).name === 'string',
    'not a directory handle',
  ),
});

/** Keeps the picked folder's handle in IndexedDB, which can store handles (structured clone). */
export class IdbFolderHandleStore implements FolderHandleStore<PermissionedDirectoryHandle> {
  constructor(
    private readonly db: PymarkDb,
    private readonly onInvalidRecord: InvalidRecordListener,
  ) {}

  /** An invalid record is reported and treated as no folder: the user connects again. */
  async load(): Promise<PermissionedDirectoryHandle | undefined> {
    const value = await readRecord(this.db, 'settings', handleKey);
    if (value === undefined) return undefined;
    const checked = checkRecord(storedHandleSchema, 'settings', handleKey, value);
    if (checked.ok) return checked.record.handle;
    this.onInvalidRecord(checked.invalid);
    return undefined;
  }

  async save(handle: PermissionedDirectoryHandle): Promise<void> {
    await this.db.put('settings', { handle }, handleKey);
  }

  async clear(): Promise<void> {
    await this.db.delete('settings', handleKey);
  }
}
