import { z } from 'zod';

export const scriptKinds = ['macro', 'utility', 'transform'] as const;
export type ScriptKind = (typeof scriptKinds)[number];

/** The entrypoint a script of each kind is called through unless it names another. */
export const defaultEntrypoint: Record<ScriptKind, string> = {
  macro: 'render',
  transform: 'transform',
  utility: 'main',
};

const isoDate = z.iso.datetime({ offset: true });

export const scriptSchema = z.object({
  id: z.uuid(),
  title: z.string().trim().min(1, 'title must not be empty'),
  slug: z.string().regex(/^[a-z0-9_]+$/, 'slug must be lower-case a-z, 0-9 and _'),
  kind: z.enum(scriptKinds),
  entrypoint: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'entrypoint must be a Python identifier'),
  enabled: z.boolean(),
  body: z.string(),
  version: z.number().int().positive(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

export type Script = z.infer<typeof scriptSchema>;

/** An edit the user has typed but not saved yet; kept so a reload does not lose it. */
export const draftSchema = z.object({
  scriptId: z.uuid(),
  body: z.string(),
  baseVersion: z.number().int().positive(),
  updatedAt: isoDate,
});

export type Draft = z.infer<typeof draftSchema>;

/** A failure's message without the file name it may start with, for a place that names the file first. */
export function withoutFileName(message: string, fileName: string): string {
  if (!message.startsWith(fileName)) return message;
  const rest = message.slice(fileName.length);
  return rest.startsWith(': ') ? rest.slice(2) : rest.trimStart();
}
