import { z } from 'zod';
import type { SyncedEntry } from '../../core/sync-plan';
import {
  checkRecord,
  defaultDbName,
  type InvalidRecordListener,
  inWriteTransaction,
  openPymarkDb,
  type PymarkDb,
  warnAboutInvalidRecord,
} from '../pymark-db';
import type { Collection } from './item-formats';

const syncedRecordSchema = z.object({
  id: z.string().min(1),
  collection: z.enum(['scripts', 'posts', 'media']),
  path: z.string().min(1),
  fileHash: z.string(),
  appHash: z.string(),
  /** The file's metadata block as last read or written: keeps unknown keys through app-side edits. */
  header: z.string(),
});

export type SyncedRecord = z.infer<typeof syncedRecordSchema> & SyncedEntry;

/** What each item and its file looked like at the last sync with the connected folder. */
export class SyncStateStore {
  constructor(
    private readonly db: PymarkDb,
    private readonly onInvalidRecord: InvalidRecordListener,
  ) {}

  /** Invalid records are reported and left out, so their items sync as if seen for the first time. */
  async list(collection: Collection): Promise<SyncedRecord[]> {
    const records: SyncedRecord[] = [];
    for (const value of await this.db.getAll('syncState')) {
      const checked = checkRecord(
        syncedRecordSchema,
        'syncState',
        String((value as { id?: unknown }).id),
        value,
      );
      if (!checked.ok) this.onInvalidRecord(checked.invalid);
      else if (checked.record.collection === collection) records.push(checked.record);
    }
    return records;
  }

  async update(put: SyncedRecord[], remove: string[]): Promise<void> {
    await inWriteTransaction(this.db, ['syncState'], async (tx) => {
      for (const id of remove) await tx.store.delete(id);
      for (const record of put) await tx.store.put(record);
    });
  }

  /** Forgets everything, so the next sync treats both sides as met for the first time. */
  async clear(): Promise<void> {
    await this.db.clear('syncState');
  }

  close(): void {
    this.db.close();
  }
}

export async function openSyncStateStore(
  options: { dbName?: string; onInvalidRecord?: InvalidRecordListener } = {},
): Promise<SyncStateStore> {
  const db = await openPymarkDb(options.dbName ?? defaultDbName);
  return new SyncStateStore(db, options.onInvalidRecord ?? warnAboutInvalidRecord);
}
