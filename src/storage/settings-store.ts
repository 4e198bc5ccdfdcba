import { z } from 'zod';
import {
  checkRecord,
  defaultDbName,
  type InvalidRecordListener,
  inWriteTransaction,
  openPymarkDb,
  type PymarkDb,
  readRecord,
  warnAboutInvalidRecord,
} from './pymark-db';

export const settingsSchema = z.object({
  /** How long a run may take before it is interrupted. */
  runTimeoutMs: z.number().int().min(1_000).max(600_000),
});

export type Settings = z.infer<typeof settingsSchema>;

export const defaultSettings: Readonly<Settings> = Object.freeze({ runTimeoutMs: 30_000 });

/**
 * Only what the user changed is stored, so a setting left alone follows the defaults of whichever
 * build is running.
 */
const storedSettingsSchema = settingsSchema.partial();
const settingsChangesSchema = settingsSchema.partial().strict();
const settingsKey = 'app';

export interface SettingsStore {
  /** The user's settings over the defaults; an invalid stored record is reported and ignored. */
  getSettings(): Promise<Settings>;
  /**
   * Validates `changes`, stores them over the current settings and returns the result. Rejects with
   * a message naming the field when a value is out of range or the key is unknown.
   */
  updateSettings(changes: Partial<Settings>): Promise<Settings>;
  close(): void;
}

export interface SettingsStoreOptions {
  /** Defaults to the app's database; tests pass a fresh name each. */
  dbName?: string;
  /** Hears about an invalid stored settings record; defaults to a console warning. */
  onInvalidRecord?: InvalidRecordListener;
}

export async function openSettingsStore(options: SettingsStoreOptions = {}): Promise<SettingsStore> {
  const db = await openPymarkDb(options.dbName ?? defaultDbName);
  return new IndexedDbSettingsStore(db, options.onInvalidRecord ?? warnAboutInvalidRecord);
}

class IndexedDbSettingsStore implements SettingsStore {
  constructor(
    private readonly db: PymarkDb,
    private readonly onInvalidRecord: InvalidRecordListener,
  ) {}

  async getSettings(): Promise<Settings> {
    return { ...defaultSettings, ...this.validStored(await readRecord(this.db, 'settings', settingsKey)) };
  }

  async updateSettings(changes: Partial<Settings>): Promise<Settings> {
    const checked = settingsChangesSchema.safeParse(changes);
    if (!checked.success) throw new Error(`Invalid settings:\n${z.prettifyError(checked.error)}`);
    const stored = await inWriteTransaction(this.db, ['settings'], async (tx) => {
      const settings = tx.objectStore('settings');
      // An invalid stored record is reported, then replaced: the user has just said what they want.
      const next = { ...this.validStored(await settings.get(settingsKey)), ...checked.data };
      await settings.put(next, settingsKey);
      return next;
    });
    return { ...defaultSettings, ...stored };
  }

  close(): void {
    this.db.close();
  }

  private validStored(value: unknown): Partial<Settings> {
    if (value === undefined) return {};
    const checked = checkRecord(storedSettingsSchema, 'settings', settingsKey, value);
    if (checked.ok) return checked.record;
    this.onInvalidRecord(checked.invalid);
    return {};
  }
}
