import { describe, expect, test } from 'vitest';
import type { BootInfo, RuntimeStatus, ScriptStats } from '../../src/runtime/types';
import { Diagnostics } from '../../src/ui/diagnostics';

/** Just the counters part of a runtime, driven by the test. */
class CountingRuntime {
  bootInfo: BootInfo | undefined = undefined;
  rows: ScriptStats[] = [];
  private readonly statsListeners = new Set<() => void>();
  private readonly statusListeners = new Set<(status: RuntimeStatus) => void>();

  stats = () => this.rows;
  resetStats = () => {
    this.rows = [];
  };
  subscribeStats = (listener: () => void) => {
    this.statsListeners.add(listener);
    return () => this.statsListeners.delete(listener);
  };
  subscribe = (listener: (status: RuntimeStatus) => void) => {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  };

  record(row: ScriptStats): void {
    this.rows = [...this.rows, row];
    for (const listener of this.statsListeners) listener();
  }

  booted(info: BootInfo): void {
    this.bootInfo = info;
    for (const listener of this.statusListeners) listener({ state: 'ready' });
  }
}

const row: ScriptStats = {
  scriptId: 's1',
  name: 'youtube.py',
  calls: 3,
  errors: 1,
  timeouts: 0,
  interrupts: 0,
  roundTripMs: { p50: 0.2, p95: 0.4, max: 0.9 },
};

describe('Diagnostics', () => {
  test('follows the runtime counters and boot info, and resets them', () => {
    const runtime = new CountingRuntime();
    const diagnostics = new Diagnostics(runtime);
    expect(diagnostics.state.stats).toEqual([]);
    runtime.record(row);
    expect(diagnostics.state.stats).toEqual([row]);
    runtime.booted({ source: 'snapshot', ms: 120 });
    expect(diagnostics.state.bootInfo).toEqual({ source: 'snapshot', ms: 120 });
    diagnostics.reset();
    expect(diagnostics.state.stats).toEqual([]);
    diagnostics.dispose();
    runtime.record(row);
    expect(diagnostics.state.stats).toEqual([]);
  });
});
