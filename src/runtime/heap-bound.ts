import type * as Comlink from 'comlink';
import { heapBytesSchema, type PythonWorkerApi, parseMessage } from './protocol';

/** Default bound on a worker's WASM heap before it is replaced by a fresh one. */
export const defaultMaxHeapBytes = 512 * 2 ** 20;

/**
 * Asked between two calls: has the worker's heap grown past `maxBytes`? WASM memory never shrinks,
 * so a worker that once needed a lot keeps holding it until it is replaced. A worker that cannot
 * answer is left alone: its crash, if that is what it is, is handled where calls are made.
 */
export async function heapOutgrown(api: Comlink.Remote<PythonWorkerApi>, maxBytes: number): Promise<boolean> {
  try {
    return parseMessage(heapBytesSchema, await api.heapBytes(), 'heap size from the worker') > maxBytes;
  } catch {
    return false;
  }
}
