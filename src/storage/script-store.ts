import type { Draft, Script, ScriptKind } from '../core/script';

export interface NewScript {
  title: string;
  kind: ScriptKind;
  body?: string;
}

export type ScriptChange =
  | { type: 'put'; script: Script }
  | { type: 'delete'; id: string };

/**
 * The one way the app reads and writes scripts. IndexedDB implements it in the browser; a folder
 * mirror and the Electron build sit behind the same shape.
 */
export interface ScriptStore {
  list(): Promise<Script[]>;
  get(id: string): Promise<Script | undefined>;
  create(input: NewScript): Promise<Script>;
  /** Stores a new body (and optionally kind/entrypoint/enabled); bumps `version` and `updatedAt`. */
  save(id: string, changes: Partial<Pick<Script, 'body' | 'kind' | 'entrypoint' | 'enabled'>>): Promise<Script>;
  /** Changes the title and re-derives a unique slug from it. */
  rename(id: string, title: string): Promise<Script>;
  /** Moves the script to the trash; `restore` brings it back unchanged. */
  delete(id: string): Promise<void>;
  restore(id: string): Promise<Script>;
  listTrash(): Promise<Script[]>;

  getDraft(scriptId: string): Promise<Draft | undefined>;
  putDraft(draft: Draft): Promise<void>;
  clearDraft(scriptId: string): Promise<void>;

  /** Calls `listener` after every change made through any store instance on the same database. */
  subscribe(listener: (change: ScriptChange) => void): () => void;
}
