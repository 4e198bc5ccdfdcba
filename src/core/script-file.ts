import { z } from 'zod';
import { checkItem, hasMetadataBlock, type Parsed, readFrontMatter, writeFrontMatter } from './front-matter';
import { adoptedId, fileNameProblem, kindOfPlainScript, titleFromSlug } from './plain-file';
import { defaultEntrypoint, type Script, scriptSchema } from './script';

/** `"""` keeps the whole metadata block inside a module docstring, so the file stays valid Python. */
export const scriptFence = { open: ['"""', '---'], close: ['---', '"""'] } as const;

/**
 * What the front matter of a script file must hold. Files written by other tools may lack the
 * timestamps, `entrypoint`, `enabled` or `version`; those fall back rather than refuse the file.
 * Unknown keys pass through untouched.
 */
const scriptFrontMatterSchema = z.looseObject({
  id: scriptSchema.shape.id,
  title: scriptSchema.shape.title,
  kind: scriptSchema.shape.kind,
  entrypoint: scriptSchema.shape.entrypoint.optional(),
  enabled: scriptSchema.shape.enabled.default(true),
  version: scriptSchema.shape.version.default(1),
  createdAt: scriptSchema.shape.createdAt.optional(),
  updatedAt: scriptSchema.shape.updatedAt.optional(),
});

export interface ScriptFileContext {
  /** The file name without `.py`: the file name is the slug, whatever the front matter says. */
  slug: string;
  /** Stands in for missing timestamps, typically the file's modification time. */
  fallbackTime: string;
}

export interface ScriptFileContent {
  script: Script;
  /** The metadata block exactly as in the file; pass it back to `serializeScriptFile` to keep it. */
  header: string;
}

export function parseScriptFile(text: string, context: ScriptFileContext): Parsed<ScriptFileContent> {
  const badName = fileNameProblem(context.slug, 'script');
  if (badName) return { ok: false, problem: badName };
  if (!hasMetadataBlock(text, scriptFence)) return adoptPlainScript(text, context);
  const read = readFrontMatter(text, scriptFence, scriptFrontMatterSchema);
  if (!read.ok) return read;
  const { fields, header, body } = read.value;
  const script = checkItem(scriptSchema, {
    id: fields.id,
    title: fields.title,
    slug: context.slug,
    kind: fields.kind,
    entrypoint: fields.entrypoint ?? defaultEntrypoint[fields.kind],
    enabled: fields.enabled,
    body,
    version: fields.version,
    createdAt: fields.createdAt ?? context.fallbackTime,
    updatedAt: fields.updatedAt ?? fields.createdAt ?? context.fallbackTime,
  });
  return script.ok ? { ok: true, value: { script: script.value, header } } : script;
}

/**
 * A Python file without a metadata block, as another editor writes it: its id comes from the file
 * name, its title too, its kind from the entry point it defines (`render`: a macro, `transform`: a
 * transform, else a utility), its times from the file. The header is empty, so the first save from
 * the app writes a full block above the code.
 */
function adoptPlainScript(text: string, context: ScriptFileContext): Parsed<ScriptFileContent> {
  const kind = kindOfPlainScript(text);
  const script = checkItem(scriptSchema, {
    id: adoptedId('script', context.slug),
    title: titleFromSlug(context.slug),
    slug: context.slug,
    kind,
    entrypoint: defaultEntrypoint[kind],
    enabled: true,
    body: text,
    version: 1,
    createdAt: context.fallbackTime,
    updatedAt: context.fallbackTime,
  });
  return script.ok ? { ok: true, value: { script: script.value, header: '' } } : script;
}

/**
 * The file for `script`. With the header the file had (from `parseScriptFile`), keys this app does
 * not know, their order, comments and line endings are kept; a header whose fields did not change is
 * reused byte for byte.
 */
export function serializeScriptFile(script: Script, previousHeader?: string): string {
  const fields: Record<string, unknown> = {
    id: script.id,
    title: script.title,
    kind: script.kind,
    entrypoint: script.entrypoint,
    enabled: script.enabled,
    version: script.version,
    createdAt: script.createdAt,
    updatedAt: script.updatedAt,
  };
  // Files from the reference desktop app repeat the slug; keep it true after a rename.
  if (previousHeader !== undefined && /^slug:/m.test(previousHeader)) fields.slug = script.slug;
  return writeFrontMatter(scriptFence, fields, previousHeader) + script.body;
}
