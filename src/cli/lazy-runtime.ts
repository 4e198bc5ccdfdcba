import { availableParallelism } from 'node:os';
import type { SiteSnapshot } from '../core/abi';
import type { NodeRuntime } from '../runtime/node/node-runtime';
import type { RenderItem, RenderOutcome } from '../runtime/types';
import type { SiteRuntime } from '../site/build-site';
import type { SnapshotFile } from './snapshot-file';

/**
 * Macro calls worth one more worker: below this, booting another Pyodide costs more than it saves.
 * The pool leaves one core to the main thread, which renders the posts while Python boots and every
 * page after: each worker's restore costs CPU on its own thread and more compiling Python's
 * WebAssembly on V8's, so on 2 cores a second worker only fought the main thread for them (the
 * bench's 1,000 posts at load 18: 20-26 s wall with one worker, 27-32 s with two, alternated).
 */
const callsPerWorker = 400;
/**
 * Macro calls per worker round trip. Each round trip resets Python's modules between scripts (a few
 * milliseconds each, more under load): the bench's 1,800 calls took 1.2 s less CPU in 300 a round
 * trip than in 50 (three builds each, load 4-7).
 */
export const callsPerRoundTrip = 200;
/**
 * Time limit of one round trip: 0.6 s a call, so a loaded machine cannot push a round trip of
 * correct calls past it. Generous: a build is not interactive, the limit is there to stop a macro
 * that never ends, and the first calls after a snapshot boot compile Python's WebAssembly as they
 * go, which on a busy machine took seconds.
 */
const roundTripLimitMs = 120_000;

/**
 * The Node runtime, started only when a build has macros to run (a rebuild served from the cache never
 * boots Python), with a pool sized to the work and to the machine's cores.
 */
export class LazyNodeRuntime implements SiteRuntime {
  /** Resolves once every worker started so far is up. */
  #runtime: Promise<NodeRuntime> | undefined;
  /** The pool, from the moment it exists (before it is up): `prepare` may grow it. */
  #pool: NodeRuntime | undefined;
  /** Settles once `#start` made the pool (or failed to). */
  #created: Promise<unknown> = Promise.resolve();
  /**
   * Site data the pool has not taken: set before the pool existed, or refused when it was handed
   * over (a post file that changed during the build, whose body no longer matches its listing).
   * Handed over before the next calls, so a refusal fails the build that set it, not the pool.
   */
  #unsent: SiteSnapshot | undefined;
  #disposed = false;
  /** Macro calls asked for and not yet answered. */
  #waitingCalls = 0;
  /** Worker threads started, for the report; 0 while Python was not needed. */
  workers = 0;

  /** `snapshots`: Pyodide's memory snapshot on disk, restored instead of a normal boot when it fits. */
  constructor(private readonly snapshots?: SnapshotFile) {}

  setSiteData(snapshot: SiteSnapshot): void {
    this.#unsent = snapshot;
    this.#handOver();
  }

  #handOver(): void {
    if (!this.#pool || !this.#unsent) return;
    this.#pool.setSiteData(this.#unsent);
    this.#unsent = undefined;
  }

  /**
   * Boots one worker now, before the project is read, for a build that will run macros whatever its
   * posts say (no results remembered, no pages): Python's restore then runs beside reading the posts
   * and their Markdown instead of after. `prepare` adds workers once the calls are counted.
   * Resolves once the worker is started (not yet up).
   */
  async startEarly(): Promise<void> {
    this.prepare(1);
    await this.#created;
  }

  /** Boots Python now, for about `calls` macro calls; a failed boot is tried again by `renderMany`. */
  prepare(calls: number): void {
    // After dispose, nothing starts a pool again: it would keep the process alive.
    if (calls === 0 || this.#disposed) return;
    this.workers = Math.max(
      this.workers,
      Math.min(availableParallelism() - 1, Math.ceil(calls / callsPerWorker)),
      1,
    );
    this.#pool?.grow(this.workers);
    if (this.#runtime) return;
    this.#runtime = this.#start();
    this.#runtime.catch(() => {});
  }

  async renderMany(items: readonly RenderItem[]): Promise<RenderOutcome[]> {
    // Nothing to run starts no Python (prepare ignores 0 calls).
    if (items.length === 0) return [];
    // Sized by the calls waiting, not by this one alone: a build streams its calls a round trip at a
    // time, so the pool grows as they pile up (a rebuild after a script edit in a large project).
    this.#waitingCalls += items.length;
    try {
      this.prepare(this.#waitingCalls);
      if (!this.#runtime) throw new Error('Python was stopped: the build is over');
      const runtime = await this.#runtime;
      this.#handOver();
      return await runtime.renderMany(items);
    } finally {
      this.#waitingCalls -= items.length;
    }
  }

  /**
   * Ends the workers, booted or not: a worker started early for a build whose posts turned out to
   * call no macro is not waited for. Resolves once a snapshot a first boot made is on disk.
   */
  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#runtime = undefined;
    await this.#created;
    this.#pool?.dispose();
    this.#pool = undefined;
    await this.snapshots?.settled();
  }

  #start(): Promise<NodeRuntime> {
    // Loaded here: a rebuild that runs no macro does not even load the runtime's modules.
    const created = import('../runtime/node/node-runtime').then(({ createNodeRuntime }) => {
      const runtime = createNodeRuntime({
        workers: this.workers,
        itemsPerCall: callsPerRoundTrip,
        timeLimitMs: roundTripLimitMs,
        snapshots: this.snapshots,
      });
      // Kept at once, so `dispose` ends its workers whatever happens next; the site data goes with
      // the first calls (`#handOver`).
      this.#pool = runtime;
      return runtime;
    });
    this.#created = created.catch(() => {});
    return created.then(async (runtime) => {
      try {
        await runtime.ready();
      } catch (error) {
        runtime.dispose();
        this.#runtime = undefined;
        this.#pool = undefined;
        throw new Error(`Python could not start: ${error instanceof Error ? error.message : String(error)}`);
      }
      return runtime;
    });
  }
}
