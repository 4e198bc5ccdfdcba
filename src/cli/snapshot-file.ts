import { readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { SnapshotCache } from '../runtime/snapshot';

/*
 * Pyodide's memory snapshot on disk, for `pymark build`: a normal boot of Python takes seconds (most
 * of a small build); restoring the snapshot the first boot made takes a fraction of one. The snapshot
 * belongs to the installed Pyodide and Pymark's own Python, not to a project, so it is kept once per
 * user: `$PYMARK_CACHE_DIR`, else `$XDG_CACHE_HOME/pymark`, else `~/.cache/pymark`. A cache, never a
 * source: the worker checks its key and digest and boots normally (and makes a new one) when it is
 * missing, stale or damaged.
 */

/** One file, so the header and the bytes it describes are replaced together. */
const snapshotFileName = 'python-snapshot.bin';

/** Before the bytes: the header's length (4 bytes, little-endian), then the header as JSON. */
const headerSchema = z.strictObject({ key: z.string().min(1), digest: z.string(), byteLength: z.number() });

export class SnapshotFile implements SnapshotCache {
  readonly path: string;
  /** Saves still being written: the command waits for them before it exits. */
  #saving: Promise<void> = Promise.resolve();

  constructor(directory: string) {
    this.path = join(directory, snapshotFileName);
  }

  async load() {
    let file: Uint8Array;
    try {
      // In one call: read in the background, 30 MB take dozens of event-loop turns, and a build
      // rendering its posts while Python boots gives one only every few milliseconds.
      file = readFileSync(this.path);
    } catch {
      return undefined;
    }
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    if (file.byteLength < 4) return undefined;
    const headerLength = view.getUint32(0, true);
    let header: z.infer<typeof headerSchema>;
    try {
      header = headerSchema.parse(JSON.parse(new TextDecoder().decode(file.subarray(4, 4 + headerLength))));
    } catch {
      return undefined;
    }
    const start = 4 + headerLength;
    if (file.byteLength - start !== header.byteLength) return undefined;
    // A buffer of its own: booting transfers it to the worker.
    const bytes = file.buffer.slice(
      file.byteOffset + start,
      file.byteOffset + file.byteLength,
    ) as ArrayBuffer;
    return { key: header.key, digest: header.digest, bytes };
  }

  save(snapshot: { key: string; digest: string; bytes: ArrayBuffer }): Promise<void> {
    const write = async () => {
      const header = new TextEncoder().encode(
        JSON.stringify({ key: snapshot.key, digest: snapshot.digest, byteLength: snapshot.bytes.byteLength }),
      );
      const length = new Uint8Array(4);
      new DataView(length.buffer).setUint32(0, header.byteLength, true);
      await fs.mkdir(dirname(this.path), { recursive: true });
      // Two workers (or two builds) may save at once: each writes its own file and renames it.
      const temporary = `${this.path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await fs.writeFile(temporary, [length, header, new Uint8Array(snapshot.bytes)]);
      await fs.rename(temporary, this.path);
    };
    const saved = write();
    this.#saving = Promise.all([this.#saving, saved.catch(() => {})]).then(() => {});
    return saved;
  }

  /** Resolves once every save started so far has ended (written or failed). */
  settled(): Promise<void> {
    return this.#saving;
  }
}
