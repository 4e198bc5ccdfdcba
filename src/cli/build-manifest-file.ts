import * as fs from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { contentKey } from '../core/content-key';
import type { BuildManifestStore } from '../site/build-manifest';

/**
 * The build manifest of one output folder, in the cache folder (`~/.cache/pymark/builds/`), named by
 * the output folder's absolute path: it holds every post's rendered HTML, which has no place in the
 * published site. Losing it costs one full build.
 */
export class BuildManifestFile implements BuildManifestStore {
  readonly path: string;

  constructor(cacheDirectory: string, outputFolder: string) {
    const name = contentKey(resolve(outputFolder)).slice(0, 24);
    this.path = join(cacheDirectory, 'builds', `${name}.json`);
  }

  async read(): Promise<Uint8Array | undefined> {
    try {
      return await fs.readFile(this.path);
    } catch {
      return undefined;
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    await fs.mkdir(dirname(this.path), { recursive: true });
    // Two builds of one folder may end at once: each writes its own file and renames it.
    const temporary = `${this.path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await fs.writeFile(temporary, bytes);
    await fs.rename(temporary, this.path);
  }

  /**
   * Lines added at the end of the file, in one write: another build of the folder that renamed a
   * new manifest into place meanwhile only costs renderings (each record says what it was made from).
   */
  async append(bytes: Uint8Array): Promise<void> {
    await fs.appendFile(this.path, bytes);
  }
}
