import { z } from 'zod';

/**
 * Where the engine keeps its build manifest between runs: a file in the CLI's cache folder; the app
 * keeps it in memory (a builder lives as long as its worker). A cache, never a source: a missing or
 * unreadable manifest only costs one full build.
 */
export interface BuildManifestStore {
  read(): Promise<Uint8Array | undefined>;
  write(bytes: Uint8Array): Promise<void>;
}

const warningSchema = z.strictObject({
  message: z.string(),
  line: z.number(),
  column: z.number(),
  kind: z.enum(['error', 'print']).optional(),
});

/** A post's rendering, as the pages, lists and feeds use it, with what it was made from. */
const postRecordSchema = z.strictObject({
  /** SHA-256 of the post (front matter and body) and the render settings (language, base URL, embeds, media). */
  input: z.string(),
  /** The scripts behind the macros the post calls, as `scriptsKey` names them. */
  scripts: z.string(),
  /** The site data's version when a macro of the post read it; absent when none did. */
  siteVersion: z.string().optional(),
  /** The macro cache's keys of the post's calls: kept in the cache while the post is not re-rendered. */
  callKeys: z.array(z.string()),
  html: z.string(),
  css: z.array(z.string()),
  warnings: z.array(warningSchema),
  macroCount: z.number(),
  macroNames: z.array(z.string()),
  /** SHA-256 of the post as the templates see it (`PostView`): what the pages showing it are keyed by. */
  view: z.string(),
  /** What lists show of the post (`summaryOf` its HTML), kept so a rebuild need not find it in each post again. */
  summary: z.string().optional(),
});

/** A page as last rendered: the key of everything it was rendered from, and its bytes' SHA-256. */
const pageRecordSchema = z.strictObject({ key: z.string(), hash: z.string() });

const manifestSchema = z.strictObject({
  version: z.literal(1),
  /** By post id. */
  posts: z.record(z.string(), postRecordSchema),
  /** By output path. */
  pages: z.record(z.string(), pageRecordSchema),
});

export type PostRecord = z.infer<typeof postRecordSchema>;
export type PageRecord = z.infer<typeof pageRecordSchema>;

/**
 * What the last build rendered, so the next one re-renders only the posts and pages whose inputs
 * changed (docs/site.md, "Incremental builds").
 */
export interface BuildManifest {
  posts: Map<string, PostRecord>;
  pages: Map<string, PageRecord>;
}

export function emptyManifest(): BuildManifest {
  return { posts: new Map(), pages: new Map() };
}

/** The stored manifest, or undefined when there is none or it cannot be read. */
export async function loadManifest(store: BuildManifestStore): Promise<BuildManifest | undefined> {
  try {
    const bytes = await store.read();
    if (!bytes) return undefined;
    const parsed = manifestSchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    if (!parsed.success) return undefined;
    return {
      posts: new Map(Object.entries(parsed.data.posts)),
      pages: new Map(Object.entries(parsed.data.pages)),
    };
  } catch {
    return undefined;
  }
}

export async function saveManifest(store: BuildManifestStore, manifest: BuildManifest): Promise<void> {
  const text = JSON.stringify({
    version: 1,
    posts: Object.fromEntries(manifest.posts),
    pages: Object.fromEntries(manifest.pages),
  });
  await store.write(new TextEncoder().encode(text));
}
