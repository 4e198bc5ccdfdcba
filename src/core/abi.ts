import { z } from 'zod';

/*
 * ABI v1: what a macro's `render(context)` receives and what it may return. This one module is
 * used by the main thread (to build the context and to check results) and inside the worker, so
 * both sides agree on one definition. docs/abi-v1.md is the prose; docs/abi-v1.schema.json is
 * generated from the schemas registered in `abiV1` below.
 */

/** The named shapes of ABI v1, each with the description the JSON Schema carries. */
export const abiV1 = z.registry<{ id: string; description: string }>();

/** A JSON value as macros see it: no `undefined`, no NaN or Infinity, no class instances. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const jsonValueSchema: z.ZodType<JsonValue> = z
  .lazy(() =>
    z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValueSchema), jsonObjectSchema], {
      error: 'expected a JSON value (string, number, boolean, null, array or object)',
    }),
  )
  .register(abiV1, {
    id: 'JsonValue',
    description: 'Plain JSON data. Numbers must be finite.',
  });

const jsonObjectSchema = z.record(z.string(), jsonValueSchema);

/*
 * Typed macro values travel tagged because JSON cannot tell int 2 from float 2.0, and a macro
 * must get the Python type the author wrote. The worker turns each tagged value into a native
 * Python value (src/runtime/python/macro_context.py).
 */
export const macroValueSchema = z
  .discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('str'), value: z.string() }),
      z.strictObject({ type: z.literal('int'), value: z.int() }),
      z.strictObject({ type: z.literal('float'), value: z.number() }),
      z.strictObject({ type: z.literal('bool'), value: z.boolean() }),
    ],
    { error: 'expected a typed value {type: "str" | "int" | "float" | "bool", value}' },
  )
  .register(abiV1, {
    id: 'MacroValue',
    description:
      'A macro parameter or argument tagged with its Python type; the worker passes the bare value as that type.',
  });

export type MacroValue = z.infer<typeof macroValueSchema>;

const isoDateTime = z.iso.datetime({ offset: true });

export const abiMediaSchema = z
  .strictObject({
    id: z.string().min(1),
    file_name: z.string().min(1),
    mime_type: z.string().min(1),
    size: z.int().nonnegative(),
    width: z.int().positive(),
    height: z.int().positive(),
    created_at: isoDateTime,
    title: z.string(),
    alt: z.string(),
    caption: z.string(),
    linked_post_ids: z.array(z.string()),
    /** Root-relative link to the image where it is shown (the built site, or the preview). */
    url: z.string().min(1),
    /** Smaller copies, narrowest first, for `srcset`; none for an image already small. */
    thumbnails: z.array(z.strictObject({ width: z.int().positive(), url: z.string().min(1) })),
  })
  .register(abiV1, {
    id: 'Media',
    description:
      'An image of the project as plain data (never its bytes): its facts, editable text, linked posts, and ' +
      'the links to it and its thumbnails.',
  });

export type AbiMedia = z.infer<typeof abiMediaSchema>;

export const abiPostSchema = z
  .object({
    id: z.string().min(1),
    title: z.string(),
    slug: z.string(),
    /** An open set so a new status does not break ABI v1; "published" is the only live one. */
    status: z.string().min(1),
    tags: z.array(z.string()),
    categories: z.array(z.string()),
    created_at: isoDateTime.optional(),
    updated_at: isoDateTime.optional(),
    published_at: isoDateTime.nullable().optional(),
    front_matter: jsonObjectSchema.optional(),
    /** The images linked to the post (inserted into it), newest first; a gallery shows these. */
    media: z.array(abiMediaSchema).optional(),
  })
  .catchall(jsonValueSchema)
  .register(abiV1, {
    id: 'Post',
    description:
      'A post as plain data: a required core (id, title, slug, status, tags, categories), optional ISO dates, ' +
      'front matter and linked media, and any further JSON fields.',
  });

export type AbiPost = z.infer<typeof abiPostSchema>;

export const macroEnvSchema = z
  .strictObject({
    preview: z.boolean(),
    language: z.string().min(1),
    base_url: z.string(),
  })
  .register(abiV1, {
    id: 'MacroEnv',
    description: 'Where the macro renders: an editor preview or the built site, its language and base URL.',
  });

export type MacroEnv = z.infer<typeof macroEnvSchema>;

/**
 * The ABI's minor version: within v1, each minor version only adds optional fields (docs/abi-v1.md).
 * 1.1 added a call's `placement` and a paired call's `body` and `body_html`.
 */
export const abiMinorVersion = 1;

/** Where the call stands: "block" on its own (its HTML replaces a paragraph), or "inline" inside one. */
export const macroPlacementSchema = z.enum(['block', 'inline']);

export const macroContextSchema = z
  .strictObject({
    macro: z.string().min(1),
    params: z.record(z.string().min(1), macroValueSchema),
    args: z.array(macroValueSchema),
    env: macroEnvSchema,
    post: abiPostSchema,
    // Since 1.1: optional, so a context without them is still v1.
    placement: macroPlacementSchema.optional(),
    body: z.string().optional(),
    body_html: z.string().optional(),
  })
  .register(abiV1, {
    id: 'MacroContext',
    description:
      'The single argument of a macro\u2019s render(context), as it crosses to the worker. A paired call ' +
      '([[name]]\u2026[[/name]]) also carries its body, as Markdown (body) and as sanitized HTML with the ' +
      'macros inside it already rendered (body_html).',
  });

export type MacroContext = z.infer<typeof macroContextSchema>;

/** Messages use Python's names: they are shown to the author of the macro. */
const macroResultObjectSchema = z.strictObject(
  {
    html: z.string({ error: 'must be a str' }),
    warnings: z.array(z.string({ error: 'must be a str' }), { error: 'must be a list of str' }).optional(),
    /** Since v1.1: styles for what the macro draws, sanitized and included once per page. */
    css: z.string({ error: 'must be a str' }).optional(),
  },
  {
    // Only for a value that is not a dict at all; an unexpected key keeps zod's own message.
    error: (issue) =>
      issue.code === 'invalid_type' ? 'render() must return a str or a dict with "html"' : undefined,
  },
);

export const macroResultSchema = z.union([z.string(), macroResultObjectSchema]).register(abiV1, {
  id: 'MacroResult',
  description:
    'What render(context) returns: a dict with "html", optional "warnings" and (since v1.1) optional "css", ' +
    'or a bare str as shorthand for {"html": str}.',
});

/** A result after the shorthand is expanded. */
export interface MacroOutput {
  html: string;
  warnings: string[];
  /** Since ABI v1.1: the macro's styles, as it returned them (the renderer sanitizes them). */
  css?: string;
}

export const siteSnapshotSchema = z
  .strictObject({
    /** Each post as in a macro context, plus `body`, its saved Markdown. */
    posts: z.array(abiPostSchema),
    /** Every image of the project, newest first; absent when the caller has none to give. */
    media: z.array(abiMediaSchema).optional(),
    /** The site's settings, as the app knows them (title, language, base URL…). */
    settings: jsonObjectSchema.optional(),
  })
  .register(abiV1, {
    id: 'SiteSnapshot',
    description:
      'The project data behind `from pymark import site`, handed to the worker in one piece: posts (with ' +
      'their bodies), media metadata and site settings.',
  });

export type SiteSnapshot = z.infer<typeof siteSnapshotSchema>;

export type AbiParse<T> = { ok: true; value: T } | { ok: false; error: string };

/** Zod issues as one line: `path: message; path: message`, paths written the way JS and Python index. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = formatPath(issue.path);
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      const name = String(key);
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) return `[${JSON.stringify(name)}]`;
      return index === 0 ? name : `.${name}`;
    })
    .join('');
}

/** Checks a context before it leaves the caller: a malformed one is a bug on this side, never the macro's. */
export function parseMacroContext(input: unknown): AbiParse<MacroContext> {
  const parsed = macroContextSchema.safeParse(input);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, error: `Invalid macro context: ${formatIssues(parsed.error.issues)}` };
}

/**
 * Checks what a macro's render() returned, already converted to JS (dicts as plain objects).
 * A bare string is the shorthand for `{html}`. The error names `scriptName` so the author knows
 * which script to fix.
 */
export function parseMacroResult(input: unknown, scriptName: string): AbiParse<MacroOutput> {
  if (typeof input === 'string') return { ok: true, value: { html: input, warnings: [] } };
  const parsed = macroResultObjectSchema.safeParse(input);
  if (parsed.success) {
    const { html, warnings = [], css } = parsed.data;
    return { ok: true, value: css === undefined ? { html, warnings } : { html, warnings, css } };
  }
  return {
    ok: false,
    error: `${scriptName}: invalid result from render(): ${formatIssues(parsed.error.issues)}`,
  };
}
