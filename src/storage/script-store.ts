import type { Draft, Script, ScriptKind } from '../core/script';
import type { ExternalChangeTarget, Trashed } from './item-store';

export interface NewScript {
  title: string;
  kind: ScriptKind;
  /** Defaults to a small working example for `kind`. */
  body?: string;
}

export type ScriptChanges = Partial<Pick<Script, 'body' | 'kind' | 'entrypoint' | 'enabled'>>;

/** A script in the trash: exactly as it was when deleted, plus when that happened. */
export type TrashedScript = Trashed<Script>;

export type ScriptChange = { type: 'put'; script: Script } | { type: 'delete'; id: string };

/**
 * The one way the app reads and writes scripts. IndexedDB implements it in the browser; a folder
 * mirror and the Electron build sit behind the same shape.
 *
 * `save`, `rename`, `delete` and `restore` reject when there is no such script. Any method that
 * needs one stored record rejects when that record fails validation; the record is left alone.
 * Invalid input rejects with a message naming the field.
 */
export interface ScriptStore extends ExternalChangeTarget<Script> {
  /** All valid scripts by title; records that fail validation are skipped and reported, never deleted. */
  list(): Promise<Script[]>;
  /** `undefined` when there is no such script (a trashed one included). */
  get(id: string): Promise<Script | undefined>;
  /** Gives it a fresh id and a slug unique among scripts and trash. */
  create(input: NewScript): Promise<Script>;
  /**
   * Stores a new body (and optionally kind/entrypoint/enabled); bumps `version` and `updatedAt` and
   * clears the draft. Changing `kind` without naming an entrypoint moves a default entrypoint along
   * to the new kind's default; a custom one is kept. With `baseBody`, the body the edit began from,
   * rejects with `EditConflict` (and writes nothing) when the stored body is no longer that.
   */
  save(id: string, changes: ScriptChanges, baseBody?: string): Promise<Script>;
  /**
   * Changes the title and re-derives a unique slug from it. Bumps `updatedAt` but not `version`, which
   * counts saves of the code, so a draft based on it does not turn stale.
   */
  rename(id: string, title: string): Promise<Script>;
  /** Moves the script to the trash; its draft stays so `restore` brings everything back. */
  delete(id: string): Promise<void>;
  /** Brings a trashed script back unchanged, except for a new slug if its old one was taken meanwhile. */
  restore(id: string): Promise<Script>;
  /** Valid trashed scripts, most recently deleted first; invalid ones are skipped and reported. */
  listTrash(): Promise<TrashedScript[]>;
  /** Deletes a trashed script (and its draft) for good; rejects when it is not in the trash. */
  purge(id: string): Promise<void>;

  /** `undefined` when there is none; an invalid stored draft is reported and treated as none. */
  getDraft(scriptId: string): Promise<Draft | undefined>;
  /** Rejects when the script does not exist (or is in the trash). */
  putDraft(draft: Draft): Promise<void>;
  clearDraft(scriptId: string): Promise<void>;

  /**
   * Calls `listener` after every committed script change made through any store instance on the
   * same database, other tabs included. Drafts do not produce changes. Returns an unsubscribe.
   */
  subscribe(listener: (change: ScriptChange) => void): () => void;
}
