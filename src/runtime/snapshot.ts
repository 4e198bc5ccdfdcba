import { z } from 'zod';
import { contentKey } from '../core/content-key';

/*
 * A Pyodide memory snapshot as it travels between the worker (which makes and loads it) and the
 * main thread (which stores it: the worker has no storage of its own).
 */

/**
 * `key` names what the snapshot was made from (Pyodide version + the bundled Python it preloaded);
 * `digest` is `snapshotDigest(bytes)`, so a damaged copy is refused before Pyodide reads it.
 */
export const pythonSnapshotSchema = z.object({
  key: z.string().min(1),
  digest: z.string().regex(/^[0-9a-f]{16}$/, 'expected a 64-bit hex snapshot digest'),
  bytes: z.instanceof(ArrayBuffer),
});
export type PythonSnapshot = z.infer<typeof pythonSnapshotSchema>;

/**
 * A 64-bit checksum of a snapshot's bytes: two multiply-xor lanes over 32-bit words, then the tail.
 * Not cryptographic, on purpose: it only has to notice damage to the app's own stored copy (whoever
 * can write that store can do worse), and a SHA-256 of 30 MiB would add to every snapshot boot (in
 * JavaScript it took ~390 ms of a ~1.1 s boot, against ~20 ms for this).
 */
export function snapshotDigest(bytes: ArrayBuffer): string {
  const words = new Uint32Array(bytes, 0, bytes.byteLength >>> 2);
  let low = 0x811c9dc5 ^ bytes.byteLength;
  let high = 0x9747b28c;
  for (let index = 0; index < words.length; index++) {
    const word = words[index] as number;
    low = Math.imul(low ^ word, 0x01000193);
    high = Math.imul(high ^ ((word >>> 16) | (word << 16)), 0x5bd1e995) ^ (high >>> 13);
  }
  for (const byte of new Uint8Array(bytes, words.length * 4)) {
    low = Math.imul(low ^ byte, 0x01000193);
    high = Math.imul(high ^ byte, 0x5bd1e995) ^ (high >>> 13);
  }
  return [high, low].map((lane) => (lane >>> 0).toString(16).padStart(8, '0')).join('');
}

/**
 * The key a snapshot is stored and checked under. Any change to the Pyodide build or to a preloaded
 * Python file gives a new key, so a snapshot of another build is never restored.
 */
export function snapshotKey(pyodideVersion: string, preload: readonly PreloadedSource[]): string {
  const hashed = [...preload]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    // NUL separators: no path or source text can make two different lists hash alike.
    .map(({ path, source }) => `${path}\0${source}\0`)
    .join('');
  return `pyodide-${pyodideVersion}+python-${contentKey(hashed)}`;
}

/** A bundled Python file that runs once at boot, before the snapshot is taken. */
export interface PreloadedSource {
  /** Where it comes from, e.g. `runner.py`; also its file name in tracebacks. */
  path: string;
  source: string;
}

/**
 * Where the main thread keeps the latest memory snapshot between page loads. The worker cannot
 * keep it: its storage partition is ephemeral and, after lockdown, out of reach.
 */
export interface SnapshotCache {
  /** The stored snapshot, if any. Each call returns a fresh copy: booting transfers it away. */
  load(): Promise<PythonSnapshot | undefined>;
  save(snapshot: PythonSnapshot): Promise<void>;
}
