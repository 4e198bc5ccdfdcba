import type { DurationSummary, RenderOutcome, RunOutcome, ScriptStats, TransformOutcome } from './types';

/** One call of a script, as the counters see it: how it ended, and its time in Python when known. */
export interface ScriptCall {
  scriptId: string;
  name: string;
  end: 'ok' | 'error' | 'timeout' | 'interrupt';
  pythonMs: number | undefined;
}

/** How a render, transform or run ended, as the counters see it. */
export function callEnd(outcome: RenderOutcome | TransformOutcome | RunOutcome): ScriptCall['end'] {
  if (!('ok' in outcome)) {
    if (outcome.kind !== 'stopped') return outcome.kind;
    return outcome.cause === 'stop' ? 'interrupt' : 'timeout';
  }
  if (outcome.ok) return 'ok';
  return outcome.kind === 'timeout' ? 'timeout' : outcome.kind === 'cancelled' ? 'interrupt' : 'error';
}

/**
 * Per-script counters and durations. Percentiles come from a ring of each script's latest
 * durations, so memory stays bounded however long the app runs and the numbers follow recent
 * behaviour; max covers every call since the last reset.
 */
export class ScriptStatsBook {
  readonly #entries = new Map<string, StatsEntry>();
  readonly #window: number;

  /** `window`: how many recent durations per script the percentiles are taken from. */
  constructor(window = 256) {
    this.#window = window;
  }

  /** The script calls of one worker call; its round trip, when known, counts once for each of their scripts. */
  record(calls: readonly ScriptCall[], roundTripMs?: number): void {
    const roundTripCounted = new Set<string>();
    for (const { scriptId, name, end, pythonMs } of calls) {
      const entry = this.#entry(scriptId, name);
      const { counts } = entry;
      counts.calls += 1;
      if (end === 'error') counts.errors += 1;
      else if (end === 'timeout') counts.timeouts += 1;
      else if (end === 'interrupt') counts.interrupts += 1;
      if (pythonMs !== undefined) entry.pythonMs.add(pythonMs);
      if (roundTripMs !== undefined && !roundTripCounted.has(scriptId)) entry.roundTripMs.add(roundTripMs);
      roundTripCounted.add(scriptId);
    }
  }

  /** Every script called since the last reset, in order of first call. */
  stats(): ScriptStats[] {
    return [...this.#entries].map(([scriptId, entry]) => {
      const stats: ScriptStats = { scriptId, ...entry.counts };
      const pythonMs = entry.pythonMs.summary();
      const roundTripMs = entry.roundTripMs.summary();
      if (pythonMs) stats.pythonMs = pythonMs;
      if (roundTripMs) stats.roundTripMs = roundTripMs;
      return stats;
    });
  }

  reset(): void {
    this.#entries.clear();
  }

  #entry(scriptId: string, name: string): StatsEntry {
    let entry = this.#entries.get(scriptId);
    if (!entry) {
      entry = {
        counts: { name, calls: 0, errors: 0, timeouts: 0, interrupts: 0 },
        pythonMs: new DurationRing(this.#window),
        roundTripMs: new DurationRing(this.#window),
      };
      this.#entries.set(scriptId, entry);
    }
    entry.counts.name = name;
    return entry;
  }
}

interface StatsEntry {
  counts: Omit<ScriptStats, 'scriptId' | 'pythonMs' | 'roundTripMs'>;
  pythonMs: DurationRing;
  roundTripMs: DurationRing;
}

/** The latest `capacity` durations, overwriting the oldest, and the max of all ever added. */
class DurationRing {
  readonly #samples: number[] = [];
  #next = 0;
  #max = 0;
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  add(ms: number): void {
    if (this.#samples.length < this.#capacity) this.#samples.push(ms);
    else this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#capacity;
    this.#max = Math.max(this.#max, ms);
  }

  summary(): DurationSummary | undefined {
    if (this.#samples.length === 0) return undefined;
    const sorted = this.#samples.toSorted((a, b) => a - b);
    return { p50: nearestRank(sorted, 0.5), p95: nearestRank(sorted, 0.95), max: this.#max };
  }
}

/** The nearest-rank percentile of ascending `sorted`: a duration that was actually measured. */
function nearestRank(sorted: readonly number[], fraction: number): number {
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
}
