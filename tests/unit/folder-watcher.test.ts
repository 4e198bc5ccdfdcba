import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchFolder } from '../../src/storage/folder/folder-watcher';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('watchFolder', () => {
  it('polls when there is no observer, and stops when told', async () => {
    const sync = vi.fn(async () => {});
    const stop = watchFolder({ sync, pollIntervalMs: 1000, debounceMs: 10 });
    await vi.advanceTimersByTimeAsync(3050);
    expect(sync).toHaveBeenCalledTimes(3);
    stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(sync).toHaveBeenCalledTimes(3);
  });

  it('uses the observer instead of polling, and collapses bursts into one sync', async () => {
    const sync = vi.fn(async () => {});
    let notify = () => {};
    const disconnect = vi.fn();
    const stop = watchFolder({
      sync,
      pollIntervalMs: 1000,
      debounceMs: 50,
      observe: (onChange) => {
        notify = onChange;
        return disconnect;
      },
    });
    await vi.advanceTimersByTimeAsync(5000);
    expect(sync).not.toHaveBeenCalled();
    notify();
    notify();
    notify();
    await vi.advanceTimersByTimeAsync(60);
    expect(sync).toHaveBeenCalledTimes(1);
    stop();
    expect(disconnect).toHaveBeenCalled();
  });

  it('syncs when the window regains focus and when the app saves', async () => {
    const sync = vi.fn(async () => {});
    const focusTarget = new EventTarget();
    let saved = () => {};
    const unsubscribe = vi.fn();
    const stop = watchFolder({
      sync,
      pollIntervalMs: 60_000,
      debounceMs: 10,
      focusTarget,
      changeSources: [
        {
          subscribe: (listener) => {
            saved = listener;
            return unsubscribe;
          },
        },
      ],
    });
    focusTarget.dispatchEvent(new Event('focus'));
    await vi.advanceTimersByTimeAsync(20);
    saved();
    await vi.advanceTimersByTimeAsync(20);
    expect(sync).toHaveBeenCalledTimes(2);
    stop();
    expect(unsubscribe).toHaveBeenCalled();
    focusTarget.dispatchEvent(new Event('focus'));
    await vi.advanceTimersByTimeAsync(20);
    expect(sync).toHaveBeenCalledTimes(2);
  });

  it('reports a failed sync and keeps watching', async () => {
    const onError = vi.fn();
    const sync = vi.fn().mockRejectedValueOnce(new Error('permission revoked')).mockResolvedValue(undefined);
    const stop = watchFolder({ sync, pollIntervalMs: 100, debounceMs: 1, onError });
    await vi.advanceTimersByTimeAsync(250);
    expect(onError).toHaveBeenCalledWith(new Error('permission revoked'));
    expect(sync).toHaveBeenCalledTimes(2);
    stop();
  });
});
