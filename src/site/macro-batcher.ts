import type { MacroBatchRunner } from '../render/post-renderer';
import type { MacroScript, RenderFailure, RenderItem, RenderOutcome } from '../runtime/types';

/** A macro call that failed during a build, with the post it was called from. */
export interface RecordedFailure {
  item: RenderItem;
  failure: RenderFailure;
}

/** Successful macro outcomes of earlier builds, by `memoKey`; what a build cache stores. */
export type MacroMemo = Map<string, RenderOutcome & { ok: true }>;

export interface MacroBatcherOptions {
  /** Items per `renderMany` call: large enough to amortize a round trip, small enough to spread over a pool. */
  batchSize?: number;
  /** Outcomes remembered from an earlier build (e.g. read from the build cache). */
  memo?: MacroMemo;
}

/**
 * Stands between the renderer and the Python runtime during a build. The engine renders every post at
 * once; each post asks for its own macros, and this gathers all those requests made in the same tick
 * into batches across posts, so 1,000 posts cost a few worker round trips, not 1,000. Identical calls
 * run once. Successful outcomes are memoized by script version and inputs (and can be saved between
 * builds), so a rebuild runs only the macros whose inputs changed. Failures are never memoized (a
 * timeout may not repeat) but recorded, so the build can report each at its post and line.
 */
export class MacroBatcher implements MacroBatchRunner {
  readonly memo: MacroMemo;
  /** Failures since the last `resetBuild`, by post id. */
  readonly failures = new Map<string, RecordedFailure[]>();
  /** Macro calls that ran in Python since the last `resetBuild`. */
  executed = 0;
  /** Keys used since the last `resetBuild`: what is worth keeping in the build cache. */
  readonly #used = new Set<string>();
  #queue: {
    items: readonly RenderItem[];
    resolve: (outcomes: RenderOutcome[]) => void;
    reject: (error: unknown) => void;
  }[] = [];
  readonly #batchSize: number;

  constructor(
    private readonly runner: MacroBatchRunner,
    options: MacroBatcherOptions = {},
  ) {
    this.memo = options.memo ?? new Map();
    this.#batchSize = options.batchSize ?? 500;
  }

  /** Starts a new build: clears its failures and counters (the memo stays). */
  resetBuild(): void {
    this.failures.clear();
    this.#used.clear();
    this.executed = 0;
  }

  /** The memo entries this build used, to save for the next one. */
  usedMemo(): MacroMemo {
    const used: MacroMemo = new Map();
    for (const key of this.#used) {
      const outcome = this.memo.get(key);
      if (outcome) used.set(key, outcome);
    }
    return used;
  }

  renderMany(items: readonly RenderItem[]): Promise<RenderOutcome[]> {
    return new Promise((resolve, reject) => {
      if (this.#queue.length === 0) queueMicrotask(() => void this.#flush());
      this.#queue.push({ items, resolve, reject });
    });
  }

  memoKey(item: RenderItem): string {
    const { script, context } = item;
    // The body counts too: a script edited by hand in its file may keep its version.
    return `${script.id}@${script.version}#${fingerprint(script)}|${JSON.stringify(context)}`;
  }

  async #flush(): Promise<void> {
    const requests = this.#queue;
    this.#queue = [];
    const pending = new Map<string, RenderItem>();
    for (const { items } of requests) {
      for (const item of items) {
        const key = this.memoKey(item);
        this.#used.add(key);
        if (!this.memo.has(key)) pending.set(key, item);
      }
    }
    const fresh = new Map<string, RenderOutcome>();
    try {
      const keys = [...pending.keys()];
      const items = [...pending.values()];
      const batches: Promise<void>[] = [];
      for (let start = 0; start < items.length; start += this.#batchSize) {
        const slice = items.slice(start, start + this.#batchSize);
        const sliceKeys = keys.slice(start, start + this.#batchSize);
        batches.push(
          this.runner.renderMany(slice).then((outcomes) => {
            sliceKeys.forEach((key, index) => {
              const outcome = outcomes[index];
              if (outcome) fresh.set(key, outcome);
            });
          }),
        );
      }
      await Promise.all(batches);
      this.executed += items.length;
    } catch (error) {
      for (const request of requests) request.reject(error);
      return;
    }
    for (const [key, outcome] of fresh) if (outcome.ok) this.memo.set(key, outcome);
    for (const { items, resolve } of requests) {
      resolve(
        items.map((item) => {
          const key = this.memoKey(item);
          const outcome = this.memo.get(key) ?? fresh.get(key) ?? lost(item);
          if (!outcome.ok) this.#record(item, outcome);
          return outcome;
        }),
      );
    }
  }

  #record(item: RenderItem, failure: RenderFailure): void {
    const postId = item.context.post.id;
    const list = this.failures.get(postId) ?? [];
    list.push({ item, failure });
    this.failures.set(postId, list);
  }
}

const fingerprints = new WeakMap<MacroScript, string>();

/** FNV-1a (32-bit) of the script's body and its length: cheap, and only ever compared for one script id. */
function fingerprint(script: MacroScript): string {
  let known = fingerprints.get(script);
  if (known === undefined) {
    let hash = 0x811c9dc5;
    for (let index = 0; index < script.body.length; index++) {
      hash ^= script.body.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
    known = `${(hash >>> 0).toString(16)}.${script.body.length}`;
    fingerprints.set(script, known);
  }
  return known;
}

function lost(item: RenderItem): RenderFailure {
  return {
    ok: false,
    kind: 'worker-failed',
    script: `${item.script.slug}.py`,
    message: 'the runtime returned no result for this macro',
  };
}
