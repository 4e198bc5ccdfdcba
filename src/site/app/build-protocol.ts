import { z } from 'zod';
import type { SiteSnapshot } from '../../core/abi';
import { isObject, relayedRenderItemSchema, relayedRenderOutcomeSchema } from '../../render/relayed-render';
import { folderDirSchema, folderPathSchema } from '../../storage/folder/desktop-bridge';

/*
 * The messages between the page and the site build worker (site-build-worker.ts). Both sides check
 * what they receive: the worker is ours, but a message that does not fit must fail loudly, with the
 * field named, rather than build a wrong site.
 */

/*
 * Site data is relayed to the page's Python runtime, which checks the snapshot against the ABI
 * itself (`setSiteData`); this side checks only its shape as far as it routes it, as for macro
 * batches (relayed-render.ts).
 */
const relayedSiteSnapshotSchema = z.custom<SiteSnapshot>(
  (value) => isObject(value) && Array.isArray((value as { posts?: unknown }).posts),
  'must be site data with a list of posts',
);

/** Where a problem can be opened in the app: the post at a line of its body, or the script at its line. */
export const problemLinkSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('post'), slug: z.string(), line: z.number().int().positive() }),
  z.strictObject({ kind: z.literal('script'), slug: z.string(), line: z.number().int().positive() }),
]);
export type ProblemLink = z.infer<typeof problemLinkSchema>;

export const reportedProblemSchema = z.strictObject({
  file: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  message: z.string(),
  script: z.string().optional(),
  scriptLine: z.number().int().optional(),
  /** Where clicking it goes: the post when the problem has a line in one, else the script. */
  links: z.array(problemLinkSchema),
});
export type ReportedProblem = z.infer<typeof reportedProblemSchema>;

export const buildPhaseSchema = z.enum(['read', 'render', 'pages', 'write', 'preview']);
export type BuildPhase = z.infer<typeof buildPhaseSchema>;

/** What a finished build says, like the CLI's summary. */
export const buildReportSchema = z.strictObject({
  outcome: z.enum(['built', 'failed', 'cancelled']),
  /** `folder`: written to the connected folder's `site/`; `none`: only the preview and the zip have it. */
  destination: z.enum(['folder', 'none']),
  written: z.number().int(),
  unchanged: z.number().int(),
  removed: z.number().int(),
  posts: z.number().int(),
  drafts: z.number().int(),
  macroCalls: z.number().int(),
  macrosRun: z.number().int(),
  files: z.number().int(),
  milliseconds: z.number(),
  problems: z.array(reportedProblemSchema),
  warnings: z.array(reportedProblemSchema),
  /** A failure outside the project's content (storage, the folder's permission, the runtime). */
  error: z.string().optional(),
});
export type BuildReport = z.infer<typeof buildReportSchema>;

/**
 * How the worker reaches the project folder: `handle`, the browser's directory handle it loads
 * itself; `page`, the page's folder through `folder` requests (the desktop build's folder lives in
 * Electron's main process, which only the page can call); `none`, no folder connected.
 */
export const folderAccessSchema = z.enum(['handle', 'page', 'none']);
export type FolderAccess = z.infer<typeof folderAccessSchema>;

/** A folder operation the worker asks the page to run on the connected folder (FolderAdapter's). */
export const folderRequestSchema = z.discriminatedUnion('operation', [
  z.strictObject({ operation: z.literal('list'), dir: folderDirSchema }),
  z.strictObject({ operation: z.literal('listFolders'), dir: folderDirSchema }),
  z.strictObject({ operation: z.literal('read'), path: folderPathSchema }),
  z.strictObject({
    operation: z.literal('writeAtomic'),
    path: folderPathSchema,
    bytes: z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'must be a Uint8Array'),
  }),
  z.strictObject({ operation: z.literal('remove'), path: folderPathSchema }),
  z.strictObject({ operation: z.literal('removeEmptyFolder'), dir: folderPathSchema }),
]);
export type FolderRequest = z.infer<typeof folderRequestSchema>;

export const pageToWorkerSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('build'),
    id: z.number().int(),
    /** Also answer with the site as a zip (Download site). */
    zip: z.boolean(),
    /** The project folder: templates and assets are read from it, and the site written to its `site/`. */
    folder: folderAccessSchema,
    /** Absent: the engine's default (`BuildOptions.allowUnknownMacros`). */
    allowUnknownMacros: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal('cancel'), id: z.number().int() }),
  z.strictObject({ type: z.literal('export'), id: z.number().int(), folder: folderAccessSchema }),
  /** The answer to a `folder` request; the worker checks `value` against what it asked. */
  z.strictObject({ type: z.literal('folder-done'), requestId: z.number().int(), value: z.unknown() }),
  z.strictObject({ type: z.literal('folder-failed'), requestId: z.number().int(), message: z.string() }),
  z.strictObject({
    type: z.literal('rendered'),
    requestId: z.number().int(),
    value: z.array(relayedRenderOutcomeSchema),
  }),
  z.strictObject({ type: z.literal('render-failed'), requestId: z.number().int(), message: z.string() }),
]);
export type PageToWorker = z.infer<typeof pageToWorkerSchema>;

const blobSchema = z.custom<Blob>((value) => value instanceof Blob, 'must be a Blob');

export const workerToPageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('render'),
    requestId: z.number().int(),
    items: z.array(relayedRenderItemSchema),
  }),
  z.strictObject({ type: z.literal('site-data'), snapshot: relayedSiteSnapshotSchema }),
  z.strictObject({ type: z.literal('folder'), requestId: z.number().int(), request: folderRequestSchema }),
  z.strictObject({
    type: z.literal('progress'),
    id: z.number().int(),
    phase: buildPhaseSchema,
    done: z.number().int(),
    total: z.number().int(),
  }),
  z.strictObject({ type: z.literal('finished'), id: z.number().int(), report: buildReportSchema }),
  z.strictObject({ type: z.literal('zip'), id: z.number().int(), name: z.string(), blob: blobSchema }),
  z.strictObject({ type: z.literal('failed'), id: z.number().int(), message: z.string() }),
]);
export type WorkerToPage = z.infer<typeof workerToPageSchema>;

/** Checks a received message; the error names the field that does not fit. */
export function checkMessage<T>(schema: z.ZodType<T>, data: unknown, from: string): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  throw new Error(`Unexpected message from ${from}: ${z.prettifyError(parsed.error)}`);
}
