import { isMap, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { FileProblem, Parsed } from './front-matter';

/** Where `site.yml` lives in a project folder. */
export const siteSettingsPath = 'site.yml';

/**
 * The players the built-in macros embed: the default of `embeds`. Each entry is a URL prefix; an
 * iframe's `src` must start with one of them (src/render/sanitize-html.ts).
 */
export const defaultEmbeds: readonly string[] = [
  'https://www.youtube.com/embed/',
  'https://www.youtube-nocookie.com/embed/',
  'https://player.vimeo.com/video/',
];

/** Stands in when `base_url` is not set: builds work, but feeds and the sitemap then name a placeholder. */
export const placeholderBaseUrl = 'https://example.com/';

const absoluteHttpUrl = z
  .string()
  .regex(
    /^https?:\/\/[^/?#\s]+(?:\/[^?#\s]*)?$/,
    'must be an absolute http(s) URL without query or fragment',
  );

/** `site.yml`: the site's own settings; docs/site.md documents each key. Keys are the reference app's style. */
export const siteSettingsSchema = z.strictObject({
  title: z.string().trim().min(1, 'must not be empty').default('My blog'),
  description: z.string().default(''),
  author: z.string().default(''),
  /** Where the site is served; always ends with `/`. Pages link relative to its path. */
  base_url: absoluteHttpUrl
    .transform((url) => (url.endsWith('/') ? url : `${url}/`))
    .default(placeholderBaseUrl),
  language: z
    .string()
    .regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/, 'must be a language tag such as en or pt-BR')
    .default('en'),
  posts_per_page: z.int('must be a whole number').min(1).max(1000).default(10),
  /** Iframe sources macros may embed, as URL prefixes (https only, ending with `/`). */
  embeds: z
    .array(
      z.string().regex(/^https:\/\/[^/?#\s]+\/(?:[^?#\s]*\/)?$/, 'must be an https URL prefix ending with /'),
    )
    .default([...defaultEmbeds]),
});

export type SiteSettings = z.infer<typeof siteSettingsSchema>;

/** The settings of a project without `site.yml`. */
export function defaultSiteSettings(): SiteSettings {
  return siteSettingsSchema.parse({});
}

/** Reads `site.yml`; a problem names the line and column of the key or value at fault. */
export function parseSiteSettings(text: string): Parsed<SiteSettings> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const [error] = doc.errors;
  if (error) {
    const { line, col } = error.linePos?.[0] ?? lines.linePos(error.pos[0]);
    return problem(`not valid YAML: ${error.message.split('\n')[0]}`, line, col);
  }
  if (doc.contents !== null && !isMap(doc.contents))
    return problem('must be a mapping of keys to values', 1, 1);
  const parsed = siteSettingsSchema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  const [issue] = parsed.error.issues;
  const path = issue?.path ?? [];
  // An unknown key is reported at the key itself; anything else at the value (or the nearest parent).
  const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const located = unknownKey === undefined ? path : [...path, unknownKey];
  let node: unknown;
  for (let depth = located.length; depth > 0 && !hasRange(node); depth--) {
    node = doc.getIn(located.slice(0, depth) as (string | number)[], true);
  }
  const offset = hasRange(node) ? node.range[0] : 0;
  const { line, col } = lines.linePos(offset);
  const field = path.length > 0 ? `${path.join('.')}: ` : '';
  const message = unknownKey === undefined ? (issue?.message ?? 'is invalid') : `unknown key "${unknownKey}"`;
  return problem(`${field}${message}`, line, col);
}

function hasRange(node: unknown): node is { range: [number, number, number] } {
  return typeof node === 'object' && node !== null && Array.isArray((node as { range?: unknown }).range);
}

function problem(reason: string, line: number, column: number): { ok: false; problem: FileProblem } {
  return { ok: false, problem: { reason, line, column } };
}
