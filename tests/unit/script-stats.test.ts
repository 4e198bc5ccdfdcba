import { describe, expect, it } from 'vitest';
import { type ScriptCall, ScriptStatsBook } from '../../src/runtime/script-stats';

describe('ScriptStatsBook', () => {
  it('counts calls by how they ended, per script, in order of first call', () => {
    const book = new ScriptStatsBook();
    book.record([call('a', 'a.py', 'ok'), call('b', 'b.py', 'error')]);
    book.record([call('a', 'a.py', 'timeout')]);
    book.record([call('a', 'renamed.py', 'interrupt')]);
    expect(book.stats()).toEqual([
      { scriptId: 'a', name: 'renamed.py', calls: 3, errors: 0, timeouts: 1, interrupts: 1 },
      { scriptId: 'b', name: 'b.py', calls: 1, errors: 1, timeouts: 0, interrupts: 0 },
    ]);
  });

  it('gives nearest-rank p50 and p95 of Python time and round trip, and the max', () => {
    const book = new ScriptStatsBook();
    book.record([call('a', 'a.py', 'ok', 1)], 7);
    for (let ms = 2; ms <= 100; ms++) book.record([call('a', 'a.py', 'ok', ms)]);
    expect(book.stats()[0]).toMatchObject({
      pythonMs: { p50: 50, p95: 95, max: 100 },
      roundTripMs: { p50: 7, p95: 7, max: 7 },
    });
  });

  it('takes percentiles from the latest calls only, and the max from all of them', () => {
    const book = new ScriptStatsBook(4);
    for (const ms of [100, 1, 2, 3, 4]) book.record([call('a', 'a.py', 'ok', ms)]);
    expect(book.stats()[0]?.pythonMs).toEqual({ p50: 2, p95: 4, max: 100 });
  });

  it('counts the round trip of a worker call once for each of its scripts', () => {
    const book = new ScriptStatsBook();
    book.record([call('a', 'a.py', 'ok'), call('a', 'a.py', 'ok'), call('b', 'b.py', 'ok')], 5);
    expect(book.stats().map((stats) => stats.roundTripMs?.max)).toEqual([5, 5]);
    book.record([call('a', 'a.py', 'ok')], 9);
    expect(book.stats()[0]?.roundTripMs).toEqual({ p50: 5, p95: 9, max: 9 });
  });

  it('forgets everything on reset', () => {
    const book = new ScriptStatsBook();
    book.record([call('a', 'a.py', 'ok', 3)]);
    book.reset();
    expect(book.stats()).toEqual([]);
  });
});

function call(scriptId: string, name: string, end: ScriptCall['end'], pythonMs?: number): ScriptCall {
  return { scriptId, name, end, pythonMs };
}
