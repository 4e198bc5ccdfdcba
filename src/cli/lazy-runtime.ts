import { availableParallelism } from 'node:os';
import type { SiteSnapshot } from '../core/abi';
import { createNodeRuntime, type NodeRuntime } from '../runtime/node/node-runtime';
import type { RenderItem, RenderOutcome } from '../runtime/types';
import type { SiteRuntime } from '../site/build-site';

/** Macro calls worth one more worker: below this, booting another Pyodide costs more than it saves. */
const callsPerWorker = 400;

/**
 * The Node runtime, started only when a build has macros to run (a rebuild served from the cache never
 * boots Python), with a pool sized to the work and to the machine's cores.
 */
export class LazyNodeRuntime implements SiteRuntime {
  #runtime: Promise<NodeRuntime> | undefined;
  #snapshot: SiteSnapshot | undefined;
  /** Worker threads started, for the report; 0 while Python was not needed. */
  workers = 0;

  setSiteData(snapshot: SiteSnapshot): void {
    this.#snapshot = snapshot;
    void this.#runtime?.then((runtime) => runtime.setSiteData(snapshot));
  }

  async renderMany(items: readonly RenderItem[]): Promise<RenderOutcome[]> {
    this.#runtime ??= this.#start(items.length);
    const runtime = await this.#runtime;
    return runtime.renderMany(items);
  }

  dispose(): void {
    void this.#runtime?.then((runtime) => runtime.dispose());
    this.#runtime = undefined;
  }

  async #start(calls: number): Promise<NodeRuntime> {
    this.workers = Math.max(1, Math.min(availableParallelism(), Math.ceil(calls / callsPerWorker)));
    const runtime = createNodeRuntime({ workers: this.workers, itemsPerCall: callsPerWorker });
    if (this.#snapshot) runtime.setSiteData(this.#snapshot);
    try {
      await runtime.ready();
    } catch (error) {
      runtime.dispose();
      this.#runtime = undefined;
      throw new Error(`Python could not start: ${error instanceof Error ? error.message : String(error)}`);
    }
    return runtime;
  }
}
