import type { Scheduler } from '../../src/runtime/client';

/** A scheduler and clock that only move when the test advances them. */
export function manualClock() {
  let now = 0;
  const timers = new Set<{ at: number; callback: () => void }>();
  const schedule: Scheduler = (ms, callback) => {
    const timer = { at: now + ms, callback };
    timers.add(timer);
    return () => timers.delete(timer);
  };
  const advance = (ms: number) => {
    now += ms;
    for (const timer of [...timers].sort((a, b) => a.at - b.at)) {
      if (timer.at <= now && timers.delete(timer)) timer.callback();
    }
  };
  return { schedule, advance, now: () => now };
}
