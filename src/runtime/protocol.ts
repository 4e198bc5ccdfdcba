import type { Remote } from 'comlink';
import { z } from 'zod';
import { pythonSnapshotSchema } from './snapshot';
import type { BootInfo, OutputChunk } from './types';

/*
 * Everything that crosses the main-thread ↔ worker boundary. Both sides parse what they receive
 * because the two bundles can drift apart (a service worker may serve a cached worker next to a
 * newer page), and a clear "malformed message" error beats an undefined-property crash.
 */

export const outputChunkSchema = z.object({
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
 * of its own. (The interrupt buffer comes from the sandbox frame instead: see sandbox-worker.ts.)
 */
export const bootRequestSchema = z.object({
  snapshot: pythonSnapshotSchema.optional(),
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
});
export type WorkerRunRequest = z.infer<typeof workerRunRequestSchema>;

const truncatedChars = z.number().int().nonnegative();

const pythonExceptionFields = {
  traceback: z.string(),
  message: z.string(),
  line: z.number().int().positive().optional(),
  truncatedChars,
};

/**
 * Worker → main thread. `interrupted` means the run ended with KeyboardInterrupt; only the client
 * knows whether it asked for that (Stop, time limit) or the script raised it itself, so it carries
 * the exception details too.
 */
export const workerRunResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ok'), returnValue: z.string().optional(), truncatedChars }),
  z.object({ kind: z.literal('error'), ...pythonExceptionFields }),
  z.object({ kind: z.literal('interrupted'), ...pythonExceptionFields }),
]);
export type WorkerRunResult = z.infer<typeof workerRunResultSchema>;

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
