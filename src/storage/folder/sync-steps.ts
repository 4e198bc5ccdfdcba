import type { FileProblem } from '../../core/front-matter';
import { ChangedMeanwhile } from '../item-store';
import type { FolderAdapter } from './folder-adapter';
import type { SyncReport } from './folder-sync';

/*
 * The steps every kind of synced item takes alike (scripts and posts in folder-sync.ts, media in
 * media-sync.ts): each file operation is attempted on its own, and a conflict keeps the app's version
 * beside the file before the folder's version replaces it in the app.
 */

const encoder = new TextEncoder();

export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `line 3, column 7: reason`, or the reason alone when the problem has no place. */
export function describeProblem({ reason, line, column }: FileProblem): string {
  if (line === undefined) return reason;
  return `line ${line}${column === undefined ? '' : `, column ${column}`}: ${reason}`;
}

/**
 * Runs one operation; a failure is added to `report.failed` at `path` and leaves the sync state as it
 * was, so the next sync retries it. True when it succeeded.
 */
export async function attempt(
  report: SyncReport,
  path: string,
  operation: () => Promise<void>,
): Promise<boolean> {
  try {
    await operation();
    return true;
  } catch (error) {
    report.failed.push({ path, reason: reasonOf(error) });
    return false;
  }
}

/** The app's items with these ids as the pass read them, `null` for none: `ExternalChanges.readAs`. */
export function readAsOf<T>(appItems: ReadonlyMap<string, T>, ids: readonly string[]): Map<string, T | null> {
  return new Map(ids.map((id) => [id, appItems.get(id) ?? null]));
}

/**
 * Applies a pass's changes to the app's store, as `attempt` does, except that a refusal because an
 * item was saved in the app since the pass read it is no failure: that save's news has asked for
 * another pass, which plans with it (a conflict, if the file changed too). The conflict copies
 * this pass wrote hold app versions as it read them, so they go, and the next pass writes its own.
 * False when not applied: this pass then records and reports nothing more of the collection.
 */
export async function applyUnlessChanged(
  pass: { folder: FolderAdapter; report: SyncReport; copiesWritten: readonly string[] },
  path: string,
  apply: () => Promise<void>,
): Promise<boolean> {
  try {
    await apply();
    return true;
  } catch (error) {
    if (!(error instanceof ChangedMeanwhile)) {
      pass.report.failed.push({ path, reason: reasonOf(error) });
      return false;
    }
    // A copy that will not go is a stale side file, which sync never reads: no reason to fail.
    for (const copy of pass.copiesWritten) await pass.folder.remove(copy).catch(() => undefined);
    return false;
  }
}

/**
 * Writes the app's version of an item edited on both sides to `copyPath`; true once it is safe on
 * disk, and only then may the folder's version replace the app's.
 */
export function writeConflictCopy(
  folder: FolderAdapter,
  report: SyncReport,
  copyPath: string,
  text: string,
): Promise<boolean> {
  return attempt(report, copyPath, () => folder.writeAtomic(copyPath, encoder.encode(text)));
}
