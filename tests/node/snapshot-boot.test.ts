import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { type PyodideAPI, version as pyodideVersion } from 'pyodide';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BootPythonOptions, bootPython } from '../../src/runtime/boot';
import { type PythonSnapshot, snapshotDigest, snapshotKey } from '../../src/runtime/snapshot';

/*
 * Real Pyodide under Node. Timings are printed for the record, never asserted: wall-clock
 * comparisons make flaky tests. `npm run bench` measures them properly.
 */

const indexURL = `${dirname(createRequire(import.meta.url).resolve('pyodide/package.json'))}/`;

/** A preload with a visible trace: a stdlib import and a module of our own, defined in the heap. */
const preloadSource = `
import colorsys, sys, types
warm = types.ModuleType("warm_module")
warm.answer = 42
sys.modules["warm_module"] = warm
`;

function options(overrides: Partial<BootPythonOptions> = {}): BootPythonOptions {
  return {
    indexURL,
    preload: (pyodide) => pyodide.runPython(preloadSource),
    preloadSources: [{ path: 'warm.py', source: preloadSource }],
    ...overrides,
  };
}

/** A copy, since booting from a snapshot does not keep its bytes intact for the next test. */
function copyOf(snapshot: PythonSnapshot, changes: Partial<PythonSnapshot> = {}): PythonSnapshot {
  return { ...snapshot, bytes: snapshot.bytes.slice(0), ...changes };
}

const randomOf = (pyodide: PyodideAPI) => pyodide.runPython('import random; random.random()') as number;

let snapshot: PythonSnapshot;
let normalBootMs: number;

beforeAll(async () => {
  const booted = await bootPython(options());
  expect(booted.info).toEqual({
    source: 'normal',
    ms: expect.any(Number),
    fallbackReason: 'no snapshot was provided',
  });
  expect(booted.snapshot).toBeDefined();
  snapshot = booted.snapshot!;
  normalBootMs = booted.info.ms;
}, 120_000);

describe('boot from a Pyodide memory snapshot (real Pyodide)', () => {
  it('restores the preloaded state without running the preload again', async () => {
    let preloads = 0;
    const booted = await bootPython(options({ snapshot: copyOf(snapshot), preload: () => void preloads++ }));
    console.info(
      `normal boot ${normalBootMs.toFixed(0)} ms, snapshot boot ${booted.info.ms.toFixed(0)} ms ` +
        `(${((booted.info.ms / normalBootMs) * 100).toFixed(0)} %), snapshot ${(snapshot.bytes.byteLength / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(booted.info).toEqual({ source: 'snapshot', ms: expect.any(Number) });
    expect(booted.snapshot).toBeUndefined();
    expect(preloads).toBe(0);
    expect(
      booted.pyodide.runPython('import sys; "colorsys" in sys.modules and "warm_module" in sys.modules'),
    ).toBe(true);
    expect(booted.pyodide.runPython('import warm_module; warm_module.answer')).toBe(42);
  });

  it('reseeds random, so two restores do not share one sequence', async () => {
    const [first, second] = await Promise.all([
      bootPython(options({ snapshot: copyOf(snapshot) })),
      bootPython(options({ snapshot: copyOf(snapshot) })),
    ]);
    expect(first!.info.source).toBe('snapshot');
    expect(second!.info.source).toBe('snapshot');
    expect(randomOf(first!.pyodide)).not.toBe(randomOf(second!.pyodide));
  });

  it('falls back to a normal boot, and makes a new snapshot, when the bytes are corrupt', async () => {
    const corrupt = copyOf(snapshot);
    new Uint8Array(corrupt.bytes).fill(
      0xff,
      corrupt.bytes.byteLength / 2,
      corrupt.bytes.byteLength / 2 + 4096,
    );
    const booted = await bootPython(options({ snapshot: corrupt }));
    expect(booted.info.source).toBe('normal');
    expect(booted.info.fallbackReason).toMatch(/refused: its bytes do not match its digest/);
    expect(booted.pyodide.runPython('import warm_module; warm_module.answer')).toBe(42);
    expect(booted.snapshot?.key).toBe(snapshot.key);
  });

  it('falls back when Pyodide itself cannot restore the bytes', async () => {
    const truncated = snapshot.bytes.slice(0, 4096);
    const booted = await bootPython(
      options({ snapshot: { ...snapshot, bytes: truncated, digest: snapshotDigest(truncated) } }),
    );
    expect(booted.info.source).toBe('normal');
    expect(booted.info.fallbackReason).toMatch(/refused/);
    expect(booted.pyodide.runPython('1 + 1')).toBe(2);
  });

  it('never restores a snapshot made for other preloaded Python', async () => {
    const otherSources = [{ path: 'warm.py', source: `${preloadSource}\n# changed\n` }];
    const booted = await bootPython(options({ snapshot: copyOf(snapshot), preloadSources: otherSources }));
    expect(booted.info.source).toBe('normal');
    expect(booted.info.fallbackReason).toMatch(/it was made for pyodide-.*\+python-[0-9a-f]{64}, not /);
  });

  it('sees through a snapshot relabelled with this build’s key', async () => {
    const otherSources = [{ path: 'other.py', source: 'pass' }];
    const relabelled = copyOf(snapshot, { key: snapshotKey(pyodideVersion, otherSources) });
    const booted = await bootPython(options({ snapshot: relabelled, preloadSources: otherSources }));
    expect(booted.info.source).toBe('normal');
    expect(booted.info.fallbackReason).toMatch(/the restored interpreter is not the one made for/);
  });
});
