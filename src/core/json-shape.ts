/*
 * Shape checks for JSON the app wrote itself (caches, manifests), where a zod schema's walk over
 * megabytes would cost more than the work the file saves.
 */

/** A plain object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
