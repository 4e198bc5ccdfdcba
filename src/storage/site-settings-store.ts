import { z } from 'zod';
import { siteSettingsPath } from '../core/site-settings';
import type { FolderAdapter } from './folder/folder-adapter';
import { openPymarkDb, type PymarkDb, readRecord } from './pymark-db';

/**
 * Where the project's `site.yml` text lives. With a connected folder, in the folder (the file the CLI
 * reads, and the one a hand edit changes); without one, one more record of IndexedDB's `settings`
 * store (no schema upgrade for a single value). One place at a time, so the app never has two
 * copies to reconcile. The text is kept as written; src/core/site-settings.ts checks it.
 */
export interface SiteSettingsText {
  /** The text, or undefined when the project has no `site.yml` yet (the defaults apply). */
  read(): Promise<string | undefined>;
  write(text: string): Promise<void>;
}

const siteYmlKey = 'site.yml';
const storedSchema = z.strictObject({ text: z.string() });

export class IdbSiteSettingsText implements SiteSettingsText {
  constructor(private readonly db: PymarkDb) {}

  static async open(dbName: string): Promise<IdbSiteSettingsText> {
    return new IdbSiteSettingsText(await openPymarkDb(dbName));
  }

  async read(): Promise<string | undefined> {
    const stored = storedSchema.safeParse(await readRecord(this.db, 'settings', siteYmlKey));
    // A record that does not fit is left alone and the defaults apply; the next save replaces it.
    return stored.success ? stored.data.text : undefined;
  }

  async write(text: string): Promise<void> {
    await this.db.put('settings', { text }, siteYmlKey);
  }
}

export class FolderSiteSettingsText implements SiteSettingsText {
  constructor(private readonly folder: FolderAdapter) {}

  async read(): Promise<string | undefined> {
    const present = (await this.folder.list('')).some((file) => file.path.endsWith(`/${siteSettingsPath}`));
    if (!present) return undefined;
    return new TextDecoder().decode(await this.folder.read(siteSettingsPath));
  }

  write(text: string): Promise<void> {
    return this.folder.writeAtomic(siteSettingsPath, new TextEncoder().encode(text));
  }
}
