import * as Comlink from 'comlink';
import { type BootResult, bootResultSchema, type PythonWorkerApi, parseMessage } from './protocol';
import type { PythonSnapshot } from './snapshot';

/**
 * Where the main thread keeps the latest memory snapshot between page loads. The worker cannot
 * keep it: its storage partition is ephemeral and, after lockdown, out of reach.
 */
export interface SnapshotCache {
  /** The stored snapshot, if any. Each call returns a fresh copy: booting transfers it away. */
  load(): Promise<PythonSnapshot | undefined>;
  /** Replaces the stored snapshot. */
  save(snapshot: PythonSnapshot): Promise<void>;
}

/**
 * Boots a worker from the cached snapshot (the worker checks it and falls back to a normal boot on
 * its own), and caches the fresh snapshot a normal boot hands back. The cache is an optimisation:
 * when it fails, Python still boots.
 */
export async function bootWithSnapshotCache(
  api: Comlink.Remote<PythonWorkerApi>,
  cache: SnapshotCache | undefined,
): Promise<BootResult> {
  const snapshot = await cache?.load().catch((error: unknown) => {
    console.warn('Pymark could not read the stored Python snapshot; booting normally', error);
    return undefined;
  });
  const request = { snapshot };
  const result = parseMessage(
    bootResultSchema,
    await api.boot(snapshot ? Comlink.transfer(request, [snapshot.bytes]) : request),
    'boot result from the worker',
  );
  if (result.ok && result.snapshot && cache) {
    // In the background: the runtime is ready now, storing 30 MB can finish later.
    cache.save(result.snapshot).catch((error: unknown) => {
      console.warn('Pymark could not store the Python snapshot; the next boot will be a normal one', error);
    });
  }
  return result;
}
