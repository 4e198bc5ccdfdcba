import type { Remote } from 'comlink';
import { z } from 'zod';
import { type AbiPost, type MacroEnv, type MacroValue, siteSnapshotSchema } from '../core/abi';
import { scriptActionsSchema } from '../core/script-actions';
import { transformInputSchema } from '../core/transform-abi';
import { pythonSnapshotSchema } from './snapshot';
import type { BootInfo, OutputChunk, ScriptCheck } from './types';

/*
 * Everything that crosses the main-thread ↔ worker boundary. Both sides parse what they receive
 * because the two bundles can drift apart (a service worker may serve a cached worker next to a
 * newer page), and a clear "malformed message" error beats an undefined-property crash.
 */

const outputChunkSchema = z.object({
  stream: z.enum(['stdout', 'stderr']),
  text: z.string(),
});

/** One batch of streamed output, worker → main thread. */
export const outputBatchSchema = z.array(outputChunkSchema);

/** Worker → main thread, through a `Comlink.proxy` callback. */
export type OutputBatchCallback = (chunks: OutputChunk[]) => void;

/** How the worker sees the callback the client passed: every call is a message that resolves once handled. */
export const outputCallbackSchema = z.custom<Remote<OutputBatchCallback>>(
  (value) => typeof value === 'function',
  'expected an output callback (a Comlink proxy)',
);

// Not `z.instanceof(SharedArrayBuffer)`: that would throw at import time on a page that is not
// cross-origin isolated, where the global does not exist.
export const sharedArrayBufferSchema = z.custom<SharedArrayBuffer>(
  (value) => typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer,
  'expected a SharedArrayBuffer',
);

/**
 * Main thread → worker. `snapshot` is the stored memory snapshot, if any: the worker has no storage
 * of its own. `renderLane` is the shared buffer renders travel through (render-lane.ts). (The
 * interrupt buffer comes with the sandbox connection instead: see sandbox-worker.ts.)
 */
export const bootRequestSchema = z.object({
  snapshot: pythonSnapshotSchema.optional(),
  renderLane: sharedArrayBufferSchema,
});
export type BootRequest = z.infer<typeof bootRequestSchema>;

const bootInfoSchema = z.object({
  source: z.enum(['snapshot', 'normal']),
  ms: z.number().nonnegative(),
  fallbackReason: z.string().optional(),
}) satisfies z.ZodType<BootInfo>;

/**
 * Worker → main thread. Failure is a value (not a throw) so the reason survives intact. After a
 * normal boot `snapshot` is a fresh one for the main thread to store.
 */
export const bootResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), bootInfo: bootInfoSchema, snapshot: pythonSnapshotSchema.optional() }),
  z.object({ ok: z.literal(false), reason: z.string() }),
]);

/** Worker → main thread: the size of Pyodide's WASM memory, which grows but never shrinks. */
export const heapBytesSchema = z.number().int().nonnegative();
export type BootResult = z.infer<typeof bootResultSchema>;

/** Main thread → worker. The time limit stays on the main thread: the worker cannot time itself while Python runs. */
export const workerRunRequestSchema = z.object({
  fileName: z.string().min(1),
  code: z.string(),
  entrypoint: z.string().min(1),
  /** The site data, when this worker has not had it yet: a utility reads `from pymark import site` too. */
  site: z.string().optional(),
});
export type WorkerRunRequest = z.infer<typeof workerRunRequestSchema>;

const truncatedChars = z.number().int().nonnegative();

const line = z.number().int().positive();

const pythonExceptionFields = {
  traceback: z.string(),
  message: z.string(),
  line: line.optional(),
  truncatedChars,
};

/** Milliseconds spent in Python, measured in the worker. */
const pythonMs = z.number().nonnegative();

/**
 * Worker → main thread. `interrupted` means the run ended with KeyboardInterrupt; only the client
 * knows whether it asked for that (Stop, time limit) or the script raised it itself, so it carries
 * the exception details too. `pythonMs` is added by the worker around the whole run.
 */
export const workerRunResultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ok'),
    returnValue: z.string().optional(),
    truncatedChars,
    pythonMs: pythonMs.optional(),
    /** What the utility asked to change, for the app to apply through its stores (src/storage/script-actions.ts). */
    actions: scriptActionsSchema.optional(),
  }),
  z.object({ kind: z.literal('error'), ...pythonExceptionFields, pythonMs: pythonMs.optional() }),
  z.object({ kind: z.literal('interrupted'), ...pythonExceptionFields, pythonMs: pythonMs.optional() }),
]);
export type WorkerRunResult = z.infer<typeof workerRunResultSchema>;

/**
 * A batch of macro calls as it travels to the worker, as JSON text: each script, env and post once,
 * items pointing at them by index. A document's calls share one post and env, so this keeps the
 * text small and lets Python parse the whole batch with one `json.loads`.
 */
export interface RenderBatch {
  scripts: BatchScript[];
  envs: MacroEnv[];
  posts: AbiPost[];
  items: BatchItem[];
}

export interface BatchScript {
  id: string;
  version: number;
  fileName: string;
  /** Left out when the worker was sent this id's code at this version before (sent-scripts.ts). */
  code?: string;
  entrypoint: string;
}

/** A param or arg as JSON types it; ABI v1's tag is only needed for a whole float (below). */
export type BareValue = MacroValue['value'];

/**
 * One call: [script index, macro name, params, args, env index, post index, whole floats?]. JSON
 * reads a float with a whole value (2.0, written 2) back as int, so such values are listed in the
 * optional last element as [param names, arg indexes]; every other value's JSON type is its ABI type.
 */
export type BatchItem = [
  script: number,
  macro: string,
  params: Record<string, BareValue>,
  args: BareValue[],
  env: number,
  post: number,
  wholeFloats?: [params: string[], args: number[]],
];

/** Main thread → worker: a `RenderBatch` as JSON text, and the JSON text of a `SiteSnapshot` to install first if the worker lacks it. */
export const workerRenderRequestSchema = z.object({
  batch: z.string(),
  site: z.string().optional(),
});
export type WorkerRenderRequest = z.infer<typeof workerRenderRequestSchema>;

/**
 * The site data's JSON text, checked against the ABI once more on the side where Python reads it,
 * and handed back unchanged. It comes only with the first call after the data changed, which alone
 * pays for the check.
 */
export function checkedSiteJson(text: string): string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ProtocolError('Malformed site data: not JSON');
  }
  parseMessage(siteSnapshotSchema, data, 'site data');
  return text;
}

/**
 * Worker → main thread: `results` is the JSON text render_batch (macro_engine.py) returned, passed
 * through unread so one string crosses each way; the main thread decodes it (render-result.ts).
 * `heapBytes` is the worker's heap size after the batch, so no second call is needed to ask it.
 *
 * The text is `{"outcomes": [...], "micros": [...], "interrupted": null | {message, line, traceback}}`:
 * one outcome and one time in Python (whole microseconds) per finished item, in order. An outcome is
 * the html itself (a str: a result without warnings, the common case), `["ok", html, warnings]`,
 * `["invalid", file name, the result as JSON data]` (for the ABI's schema to word what is wrong), or
 * `["error", message, line | null, traceback]`. `interrupted` is set when KeyboardInterrupt ended the
 * batch early: the item at `outcomes.length` was the one interrupted, and the rest never ran.
 * `printed`, present when an item printed anything, maps an item's index to what it printed (stdout
 * and stderr together, cut to 2,000 characters).
 */
export const workerRenderAnswerSchema = z.object({
  results: z.string(),
  heapBytes: heapBytesSchema,
});
export type WorkerRenderAnswer = z.infer<typeof workerRenderAnswerSchema>;

/** One finished item of a batch, decoded; `printed` is what the call printed, if anything. */
export type RenderedItem = (
  | { kind: 'ok'; html: string; warnings: string[] }
  | { kind: 'exception' | 'invalid-result'; message: string; line?: number; traceback?: string }
) & { pythonMs: number; printed?: string };

/** A Python exception as the user needs it; `line` is 1-based in their script. */
export interface PythonException {
  message: string;
  line?: number;
  traceback: string;
}

/** A batch's results, decoded: one entry per finished item, in order, and why it ended early if it did. */
export interface WorkerRenderResult {
  items: RenderedItem[];
  interrupted?: PythonException;
}

export const workerCheckRequestSchema = z.object({
  code: z.string(),
  fileName: z.string().min(1),
});
export type WorkerCheckRequest = z.infer<typeof workerCheckRequestSchema>;

export const scriptCheckSchema = z.object({
  diagnostics: z.array(
    z.object({
      severity: z.enum(['error', 'warning']),
      line,
      column: z.number().int().positive(),
      endLine: line.optional(),
      endColumn: z.number().int().positive().optional(),
      message: z.string(),
    }),
  ),
  entrypoints: z.array(z.string()),
}) satisfies z.ZodType<ScriptCheck>;

/** Main thread → worker: one transform call (transform_engine.py). */
export const workerTransformRequestSchema = z.object({
  script: z.object({
    id: z.string().min(1),
    version: z.number().int().positive(),
    fileName: z.string().min(1),
    code: z.string(),
    entrypoint: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  }),
  post: transformInputSchema,
  /** The site data, when this worker has not had it yet: a transform may read it as a macro does. */
  site: z.string().optional(),
});
export type WorkerTransformRequest = z.infer<typeof workerTransformRequestSchema>;

/**
 * Worker → main thread: what the transform returned (as JSON data, with its Python type's name) or
 * raised, or `interrupted` by the time limit; what it printed either way.
 */
export const workerTransformAnswerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('returned'), result: z.unknown(), type: z.string(), printed: z.string() }),
  z.object({
    kind: z.literal('error'),
    message: z.string(),
    line: line.nullable(),
    traceback: z.string(),
    printed: z.string(),
  }),
  // Printed is missing when the interrupt landed outside the transform's own call.
  z.object({ kind: z.literal('interrupted'), printed: z.string().optional() }),
]);
export type WorkerTransformAnswer = z.infer<typeof workerTransformAnswerSchema>;

/**
 * The API `worker.ts` exposes with Comlink, as the client calls it. The worker's implementation
 * takes `unknown` parameters and parses them with the schemas above.
 */
export interface PythonWorkerApi {
  boot(request: BootRequest): Promise<BootResult>;
  /** The worker's WASM heap size in bytes; asked between calls to decide whether to recycle the worker. */
  heapBytes(): Promise<number>;
  /** Resolves after every output batch of the run has been handled by `onOutput`. */
  run(request: WorkerRunRequest, onOutput: OutputBatchCallback): Promise<WorkerRunResult>;
  render(request: WorkerRenderRequest): Promise<WorkerRenderAnswer>;
  /** The answer to the last render through the lane when it was too large for the lane (render-lane.ts). */
  takeHeldRender(): Promise<WorkerRenderAnswer>;
  check(request: WorkerCheckRequest): Promise<ScriptCheck>;
  /** `answer`: JSON text of a `WorkerTransformAnswer`; `pythonMs`: the call's time in Python. */
  transform(request: WorkerTransformRequest): Promise<{ answer: string; pythonMs: number }>;
}

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** Parses a message from the other side of the boundary, or throws a `ProtocolError` that names it. */
export function parseMessage<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ProtocolError(`Malformed ${what}: ${z.prettifyError(parsed.error)}`);
}
