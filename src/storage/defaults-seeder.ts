import { z } from 'zod';
import { type BundledDefault, planDefaults, type SeededDefault } from '../core/defaults-plan';
import type { Script } from '../core/script';
import { parseScriptFile } from '../core/script-file';
import { uniqueSlug } from '../core/slug';
import { itemPath } from '../core/sync-plan';
import { hashItem } from './folder/content-hash';
import type { FolderAdapter } from './folder/folder-adapter';
import { scriptFormat } from './folder/item-formats';
import { now } from './idb-collection';
import type { ExternalChangeTarget } from './item-store';
import { checkRecord, type InvalidRecordListener, inWriteTransaction, type PymarkDb } from './pymark-db';
import type { ScriptStore } from './script-store';

/** A file of `defaults/`, as bundled into the build. */
export interface BundledFile {
  fileName: string;
  text: string;
}

/** A newer default kept beside a script the user edited, for a "compare and update" action. */
export interface DefaultOffer {
  scriptId: string;
  version: number;
  /** The new default, as it would replace the user's script. */
  script: Script;
  /** The user's script body when the offer was made, to compare the new one with. */
  yours: string;
  /** The side file written beside the script, when a folder is connected. */
  path?: string;
}

export interface DefaultsReport {
  seeded: string[];
  upgraded: string[];
  offered: DefaultOffer[];
}

const seededDefaultSchema = z.object({
  id: z.uuid(),
  version: z.number().int().positive(),
  contentHash: z.string(),
  offeredVersion: z.number().int().positive().optional(),
});

export interface DefaultsSeederOptions {
  db: PymarkDb;
  scripts: ExternalChangeTarget<Script>;
  bundled: readonly BundledFile[];
  /** The connected folder, if any: offers are also written there as `<slug>.default-v<N>.py`. */
  folder?: FolderAdapter;
  onInvalidRecord: InvalidRecordListener;
}

/** What a user edits in a script; `enabled` and timestamps do not count as editing it. */
function contentHash(script: Script): string {
  const { title, kind, entrypoint, body } = script;
  return hashItem({ title, kind, entrypoint, body });
}

/** Parses the bundled defaults; a broken one is a build bug, so it throws naming the file. */
export async function readBundledDefaults(files: readonly BundledFile[]): Promise<BundledDefault[]> {
  return Promise.all(
    files.map(async ({ fileName, text }) => {
      const parsed = parseScriptFile(text, { slug: fileName.replace(/\.py$/, ''), fallbackTime: now() });
      if (!parsed.ok) throw new Error(`Bundled default ${fileName} is invalid: ${parsed.problem.reason}`);
      return { script: parsed.value.script, contentHash: contentHash(parsed.value.script) };
    }),
  );
}

/**
 * Seeds the bundled defaults into the project and upgrades them on an app update: in place while
 * the user never edited one, beside it (as an offer) once they did. Run on every start.
 */
export async function applyDefaults(options: DefaultsSeederOptions): Promise<DefaultsReport> {
  const { db, scripts } = options;
  const bundled = await readBundledDefaults(options.bundled);
  const seeded: SeededDefault[] = [];
  for (const value of await db.getAll('seededDefaults')) {
    const checked = checkRecord(
      seededDefaultSchema,
      'seededDefaults',
      String((value as { id?: unknown }).id),
      value,
    );
    if (checked.ok) seeded.push(checked.record);
    else options.onInvalidRecord(checked.invalid);
  }
  const installed = new Map((await scripts.list()).map((script) => [script.id, script]));
  const hashes = await Promise.all(
    [...installed.values()].map(async (script) => ({
      id: script.id,
      contentHash: contentHash(script),
    })),
  );
  const actions = planDefaults(bundled, seeded, hashes);

  const report: DefaultsReport = { seeded: [], upgraded: [], offered: [] };
  const put: Script[] = [];
  const records: SeededDefault[] = [];
  const taken = new Set([...installed.values()].map((script) => script.slug));
  const previous = new Map(seeded.map((record) => [record.id, record]));
  for (const { type, bundled: candidate } of actions) {
    const { script, contentHash: hash } = candidate;
    const current = installed.get(script.id);
    const record: SeededDefault = { id: script.id, version: script.version, contentHash: hash };
    if (type === 'seed') {
      const slug = uniqueSlug(script.slug, taken);
      taken.add(slug);
      put.push({ ...script, slug });
      report.seeded.push(script.id);
    } else if (type === 'upgrade' && current) {
      const { title, kind, entrypoint, body } = script;
      put.push({ ...current, title, kind, entrypoint, body, version: current.version + 1, updatedAt: now() });
      report.upgraded.push(script.id);
    } else if (type === 'offer' && current) {
      records.push({ ...(previous.get(script.id) ?? record), offeredVersion: script.version });
      report.offered.push(await offer(candidate, current, options));
      continue;
    }
    records.push(record);
  }
  await scripts.applyExternal({ put, trash: [] });
  await inWriteTransaction(db, ['seededDefaults'], async (tx) => {
    for (const record of records) await tx.store.put(record);
  });
  return report;
}

async function offer(
  candidate: BundledDefault,
  current: Script,
  options: DefaultsSeederOptions,
): Promise<DefaultOffer> {
  const { script } = candidate;
  const offered: DefaultOffer = {
    scriptId: current.id,
    version: script.version,
    script: { ...script, slug: current.slug },
    yours: current.body,
  };
  if (!options.folder) return offered;
  // A `.` in the name makes it a side file: sync never imports it as a script of its own.
  const path = itemPath(scriptFormat.layout, `${current.slug}.default-v${script.version}`);
  const file = options.bundled.find(({ fileName }) => fileName === `${script.slug}.py`)!;
  await options.folder.writeAtomic(path, new TextEncoder().encode(file.text));
  return { ...offered, path };
}

/**
 * Takes an offered default in place of the user's edited script (a save, so a connected folder gets
 * it too) and records it as seeded, so later versions upgrade it in place while it stays unedited.
 */
export async function adoptDefault(
  db: PymarkDb,
  scripts: Pick<ScriptStore, 'save'>,
  offered: DefaultOffer,
): Promise<void> {
  const { body, kind, entrypoint } = offered.script;
  const saved = await scripts.save(offered.scriptId, { body, kind, entrypoint });
  const record: SeededDefault = {
    id: saved.id,
    version: offered.version,
    contentHash: contentHash(saved),
  };
  await db.put('seededDefaults', record);
}
