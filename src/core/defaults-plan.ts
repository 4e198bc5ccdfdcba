import type { Script } from './script';

/**
 * A script shipped in `defaults/`. Its `version` is the version of the default, bumped whenever a
 * release changes it; `contentHash` fingerprints what a user could edit (see `SeededDefault`).
 */
export interface BundledDefault {
  script: Script;
  contentHash: string;
}

/** Which version of a default was put into the project, and what it looked like then. */
export interface SeededDefault {
  id: string;
  version: number;
  /** While the script still hashes to this, the user never edited it. */
  contentHash: string;
  /** The newer version last offered beside an edited script, so it is offered once, not on every start. */
  offeredVersion?: number;
}

export interface InstalledScript {
  id: string;
  contentHash: string;
}

export type DefaultsAction =
  /** New to this project: add it. */
  | { type: 'seed'; bundled: BundledDefault }
  /** Already there exactly as bundled (from a synced folder, say): only record it. */
  | { type: 'record'; bundled: BundledDefault }
  /** A newer version of a default the user never edited: replace it in place. */
  | { type: 'upgrade'; bundled: BundledDefault }
  /** A newer (or different) version of a default the user edited: keep theirs, offer this beside it. */
  | { type: 'offer'; bundled: BundledDefault };

/**
 * What to do with the bundled defaults on start. A default the user deleted stays deleted; one they
 * edited is never overwritten.
 */
export function planDefaults(
  bundled: readonly BundledDefault[],
  seeded: readonly SeededDefault[],
  installed: readonly InstalledScript[],
): DefaultsAction[] {
  const records = new Map(seeded.map((record) => [record.id, record]));
  const scripts = new Map(installed.map((script) => [script.id, script]));
  const actions: DefaultsAction[] = [];
  for (const candidate of bundled) {
    const { id, version } = candidate.script;
    const record = records.get(id);
    const script = scripts.get(id);
    if (!record) {
      if (!script) actions.push({ type: 'seed', bundled: candidate });
      else if (script.contentHash === candidate.contentHash)
        actions.push({ type: 'record', bundled: candidate });
      else actions.push({ type: 'offer', bundled: candidate });
    } else if (script && version > record.version) {
      if (script.contentHash === record.contentHash) actions.push({ type: 'upgrade', bundled: candidate });
      else if (record.offeredVersion !== version) actions.push({ type: 'offer', bundled: candidate });
    }
  }
  return actions;
}
