import type { AbiPost } from '../core/abi';
import { type MacroBatchRunner, type MemoTerms, memoTerms, memoTermsHold } from '../render/post-renderer';
import type { SiteVersions } from '../render/site-versions';
import type { MacroScript, RenderFailure, RenderItem, RenderOutcome } from '../runtime/types';

/** A macro call that failed during a build, with the post it was called from. */
export interface RecordedFailure {
  item: RenderItem;
  failure: RenderFailure;
}

/**
 * A successful outcome, and what it was made from beyond the script and arguments of its key: the
 * renderer's own memo terms, so a result is reused on the same terms as in the preview.
 */
export interface MacroMemoEntry extends MemoTerms {
  outcome: RenderOutcome & { ok: true };
}

/** Successful macro outcomes of earlier builds, by `callKey`; what a build cache stores. */
export type MacroMemo = Map<string, MacroMemoEntry[]>;

export interface MacroBatcherOptions {
  /** Items per `renderMany` call: large enough to amortize a round trip, small enough to spread over a pool. */
  batchSize?: number;
  /** Outcomes remembered from an earlier build (e.g. read from the build cache). */
  memo?: MacroMemo;
  /**
   * While held, calls go out as soon as this many have gathered, not only at `release`: Python then
   * runs the first posts' calls while the main thread is still parsing the rest. Default: at
   * `release` only, in one set of batches.
   */
  sendWhenHeld?: number;
}

/** Results kept per call key: one per distinct value of what its calls read (e.g. per post). */
const maxEntriesPerCall = 64;

/**
 * Stands between the renderer and the Python runtime during a build. The engine renders every post at
 * once; each post asks for its own macros, and this gathers all those requests made in the same tick
 * into batches across posts, so 1,000 posts cost a few worker round trips, not 1,000.
 *
 * Calls alike but for their post (a `[[tag_cloud]]` in twenty posts) run once first: a result that
 * read nothing of its post serves them all; the others run after, in one more batch. Successful
 * outcomes are memoized by script version and arguments with what they read (and can be saved
 * between builds), so a rebuild runs only the macros whose inputs changed, and a post's edit re-runs
 * only the calls that read it. Failures are never memoized (a timeout may not repeat) but recorded,
 * so the build can report each at its post and line.
 */
export class MacroBatcher implements MacroBatchRunner {
  readonly memo: MacroMemo;
  /** Failures since the last `resetBuild`, by post id. */
  readonly failures = new Map<string, RecordedFailure[]>();
  /** Macro calls that ran in Python since the last `resetBuild`. */
  executed = 0;
  /** Entries used since the last `resetBuild`: what is worth keeping in the build cache. */
  readonly #used = new Map<string, Set<MacroMemoEntry>>();
  /** The call keys each post asked for since the last `resetBuild`, by post id. */
  readonly #callKeys = new Map<string, Set<string>>();
  #queue: {
    items: readonly RenderItem[];
    resolve: (outcomes: RenderOutcome[]) => void;
    reject: (error: unknown) => void;
  }[] = [];
  /** Calls in `#queue`. */
  #queued = 0;
  readonly #batchSize: number;
  readonly #sendWhenHeld: number;
  #held = false;
  /**
   * The first runs in flight, by call key: a later flush's calls alike wait for theirs, and run only
   * when its result read its post, as the calls alike in one flush do.
   */
  readonly #firstRuns = new Map<string, Promise<void>>();

  constructor(
    private readonly runner: MacroBatchRunner,
    options: MacroBatcherOptions = {},
  ) {
    this.memo = options.memo ?? new Map();
    this.#batchSize = options.batchSize ?? 500;
    this.#sendWhenHeld = options.sendWhenHeld ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Names the data behind `from pymark import site` for this build, and each part of it: a result of a
   * call that read some of it is reused only while those parts keep their names.
   */
  siteVersions: SiteVersions = { dataVersion: '' };

  /** Starts a new build: clears its failures and counters (the memo stays). */
  resetBuild(): void {
    this.failures.clear();
    this.#used.clear();
    this.#callKeys.clear();
    this.executed = 0;
  }

  /** The call keys `postId` asked for in this build, to keep with the post's record in the build manifest. */
  callKeysOf(postId: string): string[] {
    return [...(this.#callKeys.get(postId) ?? [])];
  }

  /**
   * Keeps the memo's entries under `keys` in the build cache though no post asked for them: the calls
   * of a post this build did not re-render, whose next edit should not have to run them again.
   */
  retain(keys: readonly string[]): void {
    for (const key of keys) {
      const entries = this.memo.get(key);
      if (!entries) continue;
      const used = this.#used.get(key) ?? new Set();
      for (const entry of entries) used.add(entry);
      this.#used.set(key, used);
    }
  }

  /** The memo entries this build used, to save for the next one. */
  usedMemo(): MacroMemo {
    const used: MacroMemo = new Map();
    for (const [key, entries] of this.#used) used.set(key, [...entries]);
    return used;
  }

  /**
   * Until `release`, requests gather across ticks instead of going out at the end of theirs: a build
   * that hands the event loop a turn now and then while its posts ask for their macros (so Python's
   * boot proceeds) still runs them in large batches (one set, unless `sendWhenHeld` says when), and
   * each call alike but for its post once.
   */
  hold(): void {
    this.#held = true;
  }

  /** Ends `hold`, and sends what gathered. */
  release(): void {
    this.#held = false;
    if (this.#queue.length > 0) void this.#flush();
  }

  renderMany(items: readonly RenderItem[]): Promise<RenderOutcome[]> {
    return new Promise((resolve, reject) => {
      // While held, what gathered goes first when these calls would take it past a worker round trip.
      if (this.#held && this.#queued > 0 && this.#queued + items.length > this.#sendWhenHeld)
        void this.#flush();
      if (this.#queue.length === 0 && !this.#held) queueMicrotask(() => void this.#flush());
      this.#queue.push({ items, resolve, reject });
      this.#queued += items.length;
    });
  }

  /** The call without its post: script version and body, and every argument. */
  callKey(item: RenderItem): string {
    const { script, context } = item;
    const { post: _post, ...call } = context;
    // The body counts too: a script edited by hand in its file may keep its version.
    return `${script.id}@${script.version}#${fingerprint(script)}|${JSON.stringify(call)}`;
  }

  async #flush(): Promise<void> {
    let requests = this.#queue.map((request) => ({
      ...request,
      keys: request.items.map((item) => this.callKey(item)),
    }));
    this.#queue = [];
    this.#queued = 0;
    // Calls not in the memo, alike but for their post, by call key; each distinct post once.
    const pending = new Map<string, Map<string, RenderItem>>();
    for (const { items, keys } of requests) {
      items.forEach((item, index) => {
        const key = keys[index]!;
        const postKeys = this.#callKeys.get(item.context.post.id) ?? new Set();
        postKeys.add(key);
        this.#callKeys.set(item.context.post.id, postKeys);
        if (this.#recall(key, item.context.post)) return;
        const alike = pending.get(key) ?? new Map<string, RenderItem>();
        alike.set(callOfPost(key, item), item);
        pending.set(key, alike);
      });
    }
    /**
     * What the calls run by this flush answered, by `callOfPost`: the memo keeps only the latest
     * results of a call (`maxEntriesPerCall`), fewer than the posts that may make it.
     */
    const ran = new Map<string, RenderOutcome>();
    // First one call of each kind, unless an earlier flush runs it now; then those whose first result
    // read the post (or failed).
    const firsts: [string, RenderItem][] = [];
    const earlier = new Set<Promise<void>>();
    for (const [key, alike] of pending) {
      const running = this.#firstRuns.get(key);
      if (running) earlier.add(running);
      else firsts.push([key, alike.values().next().value!]);
    }
    const ranHere = new Set(firsts.map(([key]) => key));
    const firstRun = this.#run(firsts, ran);
    // Never rejects: the flush that started the run reports its failure, the others only wait for it.
    const ended = firstRun
      .catch(() => {})
      .then(() => {
        for (const [key] of firsts) this.#firstRuns.delete(key);
      });
    for (const [key] of firsts) this.#firstRuns.set(key, ended);
    const outcomeOf = (key: string, item: RenderItem): RenderOutcome | undefined =>
      this.#recall(key, item.context.post)?.outcome ?? ran.get(callOfPost(key, item));
    /** A request's outcomes, once each of its calls has one (remembered, or failed here); else undefined. */
    const answer = ({ items, keys }: (typeof requests)[number]): RenderOutcome[] | undefined => {
      const outcomes = items.map((item, index) => outcomeOf(keys[index]!, item));
      return outcomes.every((outcome) => outcome !== undefined) ? outcomes : undefined;
    };
    try {
      await firstRun;
      // Posts whose calls all have their outcome go on now (their pages need not wait for the rest).
      requests = requests.filter((request) => {
        const outcomes = answer(request);
        if (outcomes) this.#settle(request, outcomes);
        return !outcomes;
      });
      await Promise.all(earlier);
      const rest: [string, RenderItem][] = [];
      for (const [key, alike] of pending) {
        const [first, ...others] = alike.values();
        for (const item of ranHere.has(key) ? others : [first!, ...others])
          if (!this.#recall(key, item.context.post)) rest.push([key, item]);
      }
      await this.#run(rest, ran);
    } catch (error) {
      for (const request of requests) request.reject(error);
      return;
    }
    for (const request of requests)
      this.#settle(
        request,
        request.items.map((item, index) => outcomeOf(request.keys[index]!, item) ?? lost(item)),
      );
  }

  /** Answers a request, recording its failures for the build's report. */
  #settle(
    { items, resolve }: { items: readonly RenderItem[]; resolve: (outcomes: RenderOutcome[]) => void },
    outcomes: readonly RenderOutcome[],
  ): void {
    resolve(
      items.map((item, index) => {
        const outcome = outcomes[index]!;
        if (!outcome.ok) this.#record(item, outcome);
        return outcome;
      }),
    );
  }

  /** Runs the calls in batches of `batchSize`, remembering successes; every outcome goes into `ran`. */
  async #run(calls: readonly [string, RenderItem][], ran: Map<string, RenderOutcome>): Promise<void> {
    const batches: Promise<void>[] = [];
    for (let start = 0; start < calls.length; start += this.#batchSize) {
      const slice = calls.slice(start, start + this.#batchSize);
      batches.push(
        this.runner.renderMany(slice.map(([, item]) => item)).then((outcomes) =>
          slice.forEach(([key, item], index) => {
            const outcome = outcomes[index] ?? lost(item);
            if (outcome.ok) this.#remember(key, item.context.post, outcome);
            ran.set(callOfPost(key, item), outcome);
          }),
        ),
      );
    }
    await Promise.all(batches);
    this.executed += calls.length;
  }

  #remember(key: string, post: AbiPost, outcome: RenderOutcome & { ok: true }): void {
    // A call that did not say what it read may have read anything.
    const reads = outcome.reads ?? { site: null, post: null };
    const entry: MacroMemoEntry = { outcome, ...memoTerms(reads, post, this.siteVersions) };
    const others = (this.memo.get(key) ?? []).filter(
      (kept) => kept.post !== entry.post || kept.siteVersion !== entry.siteVersion,
    );
    this.memo.set(key, [entry, ...others].slice(0, maxEntriesPerCall));
  }

  /** The remembered result of `key` that still holds for this post and the build's site data. */
  #recall(key: string, post: AbiPost): MacroMemoEntry | undefined {
    const entry = this.memo.get(key)?.find((kept) => memoTermsHold(kept, post, this.siteVersions));
    if (entry) {
      const used = this.#used.get(key) ?? new Set();
      used.add(entry);
      this.#used.set(key, used);
    }
    return entry;
  }

  #record(item: RenderItem, failure: RenderFailure): void {
    const postId = item.context.post.id;
    const list = this.failures.get(postId) ?? [];
    list.push({ item, failure });
    this.failures.set(postId, list);
  }
}

/** One call in one post: what runs once however often the post asks for it. */
function callOfPost(key: string, item: RenderItem): string {
  return `${key}\0${postJson(item.context.post)}`;
}

const postJsons = new WeakMap<AbiPost, string>();

/**
 * The post as JSON, made once per post: its body is most of the text, and each of its calls is named
 * by it two or three times over (gathered, answered, looked up). Every call of a render shares the
 * render's post, which nothing changes once made.
 */
function postJson(post: AbiPost): string {
  let json = postJsons.get(post);
  if (json === undefined) {
    json = JSON.stringify(post);
    postJsons.set(post, json);
  }
  return json;
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
