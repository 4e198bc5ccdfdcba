import type { Remote } from 'comlink';
import { z } from 'zod';
import { abiPostSchema, siteSnapshotSchema } from '../core/abi';
import { scriptActionsSchema } from '../core/script-actions';
import { shortenLines, shortenText, sizeLimits } from '../core/size-limits';
import { transformInputSchema } from '../core/transform-abi';
import { pythonSnapshotSchema } from './snapshot';

/*
 * Everything that crosses the main-thread ↔ worker boundary. Both sides parse what they receive
 * because the two bundles can drift apart (a service worker may serve a cached worker next to a
 * newer page), and a clear "malformed message" error beats an undefined-property crash.
 */

const outputStreamSchema = z.enum(['stdout', 'stderr']);
export type OutputStream = z.infer<typeof outputStreamSchema>;

const outputChunkSchema = z.object({
  stream: outputStreamSchema,
  text: z.string(),
  /** Output left out just before this chunk: the middle of a flood, between its head and its tail. */
  skipped: z
    .object({ chars: z.number().int().nonnegative(), lines: z.number().int().nonnegative() })
    .optional(),
});
export type OutputChunk = z.infer<typeof outputChunkSchema>;

/** One batch of streamed output, worker → main thread, through a `Comlink.proxy` callback. */
export const outputBatchSchema = z.array(outputChunkSchema);
export type OutputBatchCallback = (chunks: OutputChunk[]) => void;

/** How the worker sees that callback: every call is a message that resolves once handled. */
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

/** Main thread → worker: the stored memory snapshot, if any (the worker has no storage of its own). */
export const bootRequestSchema = z.object({ snapshot: pythonSnapshotSchema.optional() });
export type BootRequest = z.infer<typeof bootRequestSchema>;

/** How the current Python worker booted, for Diagnostics and the status tooltip; `ms` measured in the worker. */
const bootInfoSchema = z.object({
  source: z.enum(['snapshot', 'normal']),
  ms: z.number().nonnegative(),
  /** Why a normal boot was needed: no stored snapshot, or why the stored one was refused. */
  fallbackReason: z.string().optional(),
});
export type BootInfo = z.infer<typeof bootInfoSchema>;

/**
 * Worker → main thread. Failure is a value (not a throw) so the reason survives intact. After a
 * normal boot `snapshot` is a fresh one for the main thread to store.
 */
export const bootResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), bootInfo: bootInfoSchema, snapshot: pythonSnapshotSchema.optional() }),
  z.object({ ok: z.literal(false), reason: z.string() }),
]);
export type BootResult = z.infer<typeof bootResultSchema>;

/** What changed in the site data since the worker last had it; `order`: every post id, when it changed. */
const siteChangesSchema = z.object({
  upsert: z.array(abiPostSchema),
  remove: z.array(z.string()),
  order: z.array(z.string()).nullable(),
});
export type SiteChanges = z.infer<typeof siteChangesSchema>;

/** The site data for a worker: all of it for one that has none, else only what changed. */
const siteUpdateSchema = z.union([
  z.object({ snapshot: siteSnapshotSchema }),
  z.object({ changes: siteChangesSchema }),
]);
export type SiteUpdate = z.infer<typeof siteUpdateSchema>;

/** Main thread → worker. The time limit stays on the main thread: the worker cannot time itself while Python runs. */
export const workerRunRequestSchema = z.object({
  fileName: z.string().min(1),
  code: z.string(),
  entrypoint: z.string().min(1),
  /** The site data or its changes, when this worker lacks them: a utility reads `from pymark import site` too. */
  site: siteUpdateSchema.optional(),
});
export type WorkerRunRequest = z.infer<typeof workerRunRequestSchema>;

const truncatedChars = z.number().int().nonnegative();
const line = z.number().int().positive();

/*
 * What a script says is cut to a length a page can show (core/size-limits.ts). An exception's message
 * and traceback are cut in Python where they are described (python/errors.py), a utility's return
 * value in the worker (python-runner.ts), so none of them crosses to the page at 30 MB; cut again
 * where the page parses them, out of the reach of a script that changed that Python.
 */
const shownTraceback = z
  .string()
  .transform((text) => shortenLines(text, sizeLimits.shownMessage, sizeLimits.shownTraceback));
const shownMessage = z.string().transform((text) => shortenText(text, sizeLimits.shownMessage));

const pythonExceptionFields = {
  traceback: shownTraceback,
  message: shownMessage,
  line: line.optional(),
  truncatedChars,
};

const pythonMs = z.number().nonnegative();

/**
 * Worker → main thread, with every answer: the size of Pyodide's WASM memory, which grows but never
 * shrinks, so the client can replace a worker that outgrew its bound before the next call.
 */
const heapBytes = z.number().int().nonnegative();

/**
 * What runner.py returns. `interrupted` means the run ended with KeyboardInterrupt; only the client
 * knows whether it asked for that (Stop, time limit) or the script raised it itself, so it carries
 * the exception details too.
 */
export const workerRunResultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ok'),
    returnValue: z
      .string()
      .transform((text) => shortenText(text, sizeLimits.shownValue))
      .optional(),
    truncatedChars,
    /** What the utility asked to change, for the app to apply through its stores (src/storage/script-actions.ts). */
    actions: scriptActionsSchema.optional(),
  }),
  z.object({ kind: z.literal('error'), ...pythonExceptionFields }),
  z.object({ kind: z.literal('interrupted'), ...pythonExceptionFields }),
]);
export type WorkerRunResult = z.infer<typeof workerRunResultSchema>;

/** Worker → main thread, for a call of one script: its result, its time in Python and the heap size after it. */
function oneCallAnswer<Result extends z.ZodType>(result: Result) {
  return z.object({ result, pythonMs, heapBytes });
}

export const workerRunAnswerSchema = oneCallAnswer(workerRunResultSchema);
export type WorkerRunAnswer = z.infer<typeof workerRunAnswerSchema>;

/** A script as the worker needs it to call it; `fileName` names it in errors and tracebacks. */
const workerScriptSchema = z.object({
  id: z.string().min(1),
  version: z.number().int().positive(),
  fileName: z.string().min(1),
  code: z.string(),
  entrypoint: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
});
export type WorkerScript = z.infer<typeof workerScriptSchema>;

/**
 * Main thread → worker: macro calls, one script's at a time, each script's calls as one JSON text of
 * python/wire.py's `Batch` (each env and post once, however many calls share it), written on the page
 * (render-call.ts) from contexts it checked against the ABI there. One string per script crosses
 * where 10,000 contexts were structured-cloned one by one, and the worker hands it to Python as it is.
 */
const scriptBatchSchema = z.object({ script: workerScriptSchema, calls: z.string() });
export type ScriptBatch = z.infer<typeof scriptBatchSchema>;

/** `batch`: each script's calls, in the order they run. `site` comes with the first call after the site data changed. */
export const workerRenderRequestSchema = z.object({
  batch: z.array(scriptBatchSchema),
  site: siteUpdateSchema.optional(),
});
export type WorkerRenderRequest = z.infer<typeof workerRenderRequestSchema>;

/** A Python exception as the user needs it; `line` is 1-based in their script. */
export const pythonExceptionSchema = z.object({
  message: shownMessage,
  line: line.nullable(),
  traceback: shownTraceback,
});
export type PythonException = z.infer<typeof pythonExceptionSchema>;

/**
 * What of its inputs a call read: the parts of the site data behind `pymark.site` (`posts`, which posts
 * with which keys; `posts.<key>`, that key of every post; `media`; `settings`: docs/abi-v1.md), and
 * which keys of its post (null: all of it).
 */
export const callReadsSchema = z.object({
  site: z.array(z.string()),
  post: z.array(z.string()).nullable(),
});
export type CallReads = z.infer<typeof callReadsSchema>;

/** Nanoseconds in Python, and which of its batch's `reads` the call's are. */
const finishedCallFields = {
  pythonNs: z.number().int().nonnegative(),
  reads: z.number().int().nonnegative(),
  printed: z.string().optional(),
};

/**
 * One finished macro call: what render() returned (as JSON data; the ABI's schema then decides
 * whether it is a result) or raised, its time in Python, what it read, and what it printed, if anything.
 */
const renderedItemSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('returned'), result: z.unknown(), ...finishedCallFields }),
  z.object({ kind: z.literal('raised'), ...pythonExceptionSchema.shape, ...finishedCallFields }),
  /**
   * The call returned more HTML, CSS and warnings than one call may (`sizeLimits.macroHtmlPerCall`):
   * refused in Python before its results were written, so the text never crosses; `size` is how much it was.
   */
  z.object({ kind: z.literal('oversized'), size: z.number().int().nonnegative(), ...finishedCallFields }),
]);
export type RenderedItem = z.infer<typeof renderedItemSchema>;

/**
 * Worker → main thread, one script's: one entry per finished call, in order, each naming its reads
 * in `reads` (each distinct one once). `interrupted` is set when KeyboardInterrupt ended the batch
 * early: the call at `items.length` was the one interrupted, and the rest never ran.
 */
const batchResultsSchema = z
  .object({
    items: z.array(renderedItemSchema),
    reads: z.array(callReadsSchema),
    interrupted: pythonExceptionSchema.nullable(),
  })
  .refine(({ items, reads }) => items.every((item) => item.reads < reads.length), 'reads out of range');
export type BatchResults = z.infer<typeof batchResultsSchema>;

const batchResultsText = jsonText(batchResultsSchema);

/**
 * Worker → main thread: the JSON text of python/wire.py's `BatchResults` of each script the worker
 * got to, in order, as Python wrote it, and the heap size. The texts are untrusted (user Python wrote
 * into them): this schema parses them and checks every item, once, where the answer arrives
 * (call-executor.ts). A text that holds no `BatchResults` becomes what is wrong with it: its script
 * broke how its own engine writes, and its calls fail, not the other scripts'. One string per script
 * crosses instead of an object per call.
 */
export const workerRenderAnswerSchema = z.object({
  results: z.array(
    z.string().transform((text): BatchResults | { unreadable: string } => {
      const results = batchResultsText.safeParse(text);
      return results.success ? results.data : { unreadable: z.prettifyError(results.error) };
    }),
  ),
  heapBytes,
});
/** The answer as the page reads it, checked. */
export type WorkerRenderAnswer = z.output<typeof workerRenderAnswerSchema>;
/** The answer as the worker sends it. */
type WorkerRenderReply = z.input<typeof workerRenderAnswerSchema>;

/** A JSON text that holds what `schema` accepts. */
function jsonText<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, context): unknown => {
      try {
        return JSON.parse(text);
      } catch (error) {
        context.addIssue({ code: 'custom', message: `not JSON: ${(error as Error).message}` });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

export const workerCheckRequestSchema = z.object({ code: z.string(), fileName: z.string().min(1) });
type WorkerCheckRequest = z.infer<typeof workerCheckRequestSchema>;

/** A problem Python's compiler found. Lines and columns are 1-based, in characters; `endColumn` is exclusive. */
const scriptDiagnosticSchema = z.object({
  severity: z.enum(['error', 'warning']),
  line,
  column: z.number().int().positive(),
  endLine: line.optional(),
  endColumn: z.number().int().positive().optional(),
  message: z.string(),
});
export type ScriptDiagnostic = z.infer<typeof scriptDiagnosticSchema>;

const scriptCheckSchema = z.object({
  diagnostics: z.array(scriptDiagnosticSchema),
  /** The script's top-level functions, in order: the candidates for its entrypoint. */
  entrypoints: z.array(z.string()),
});
export type ScriptCheck = z.infer<typeof scriptCheckSchema>;

export const workerCheckAnswerSchema = z.object({ check: scriptCheckSchema, heapBytes });
/** The answer as the worker sends it: what script_syntax.py returned, checked only where it arrives. */
type WorkerCheckReply = { check: unknown; heapBytes: number };

/** Main thread → worker: one transform call (transform_engine.py). */
export const workerTransformRequestSchema = z.object({
  script: workerScriptSchema,
  post: transformInputSchema,
  /** The site data or its changes, when this worker lacks them: a transform may read it as a macro does. */
  site: siteUpdateSchema.optional(),
});
export type WorkerTransformRequest = z.infer<typeof workerTransformRequestSchema>;

/**
 * Worker → main thread: what the transform returned (as JSON data, with its Python type's name) or
 * raised; what it printed either way. `interrupted`: it ended with KeyboardInterrupt, which only the
 * client knows whether it asked for (Stop, time limit), so it carries the exception too, as a run's does.
 */
const transformResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('returned'), result: z.unknown(), type: z.string(), printed: z.string() }),
  z.object({ kind: z.literal('error'), ...pythonExceptionSchema.shape, printed: z.string() }),
  // Printed is missing when the interrupt landed outside the transform's own call.
  z.object({
    kind: z.literal('interrupted'),
    ...pythonExceptionSchema.shape,
    printed: z.string().optional(),
  }),
]);
export type TransformResult = z.infer<typeof transformResultSchema>;

export const workerTransformAnswerSchema = oneCallAnswer(transformResultSchema);
export type WorkerTransformAnswer = z.infer<typeof workerTransformAnswerSchema>;

/**
 * The API a Python worker exposes with Comlink (worker-api.ts), as the client calls it, the same in
 * the browser and in Node. The worker takes `unknown` and parses it with the schemas above; the
 * client parses every answer (call-executor.ts). Every answer but boot's carries the heap size.
 */
export interface PythonWorkerApi {
  boot(request: BootRequest): Promise<BootResult>;
  /** Resolves after every output batch of the run has been handled by `onOutput`. */
  run(request: WorkerRunRequest, onOutput: OutputBatchCallback): Promise<WorkerRunAnswer>;
  render(request: WorkerRenderRequest): Promise<WorkerRenderReply>;
  check(request: WorkerCheckRequest): Promise<WorkerCheckReply>;
  transform(request: WorkerTransformRequest): Promise<WorkerTransformAnswer>;
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
