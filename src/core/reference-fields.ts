import { z } from 'zod';

/*
 * Reading one field of a reference desktop app file (a script's docstring, a post's front matter, a
 * media sidecar) the lenient way its own rebuild does: take the value when it is valid, else a
 * fallback, and say which. Shared by the script, post (reference-import.ts) and media
 * (reference-media.ts) halves of the import.
 */

const isoDate = z.iso.datetime({ offset: true });

export const isNonEmptyString = (value: unknown): value is string =>
  typeof value === 'string' && value.trim() !== '';
export const isIsoDate = (value: unknown): value is string => isoDate.safeParse(value).success;
export const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** `value` if `accept` takes it; otherwise `fallback`, noted unless `value` is absent and `quietWhenAbsent`. */
export function pick<T>(
  fields: Record<string, unknown>,
  key: string,
  accept: (value: unknown) => value is T,
  fallback: T,
  notes: string[],
  quietWhenAbsent = false,
): T {
  const value = fields[key];
  if (accept(value)) return value;
  if (value === undefined && quietWhenAbsent) return fallback;
  notes.push(
    value === undefined
      ? `no ${key}, so ${JSON.stringify(fallback)}`
      : `${key} ${JSON.stringify(value)} is not valid, so ${JSON.stringify(fallback)}`,
  );
  return fallback;
}

/** `wanted` when it is a UUID nobody holds, else a new id (noted); either way it is held from now on. */
export function claimId(wanted: unknown, ids: Set<string>, newId: () => string, notes: string[]): string {
  if (typeof wanted === 'string' && z.uuid().safeParse(wanted).success && !ids.has(wanted)) {
    ids.add(wanted);
    return wanted;
  }
  const id = newId();
  notes.push(
    wanted === undefined
      ? 'no id, so it has a new one'
      : `id ${JSON.stringify(wanted)} is ${typeof wanted === 'string' && ids.has(wanted) ? 'taken' : 'not a UUID'}, so it has a new one`,
  );
  ids.add(id);
  return id;
}
