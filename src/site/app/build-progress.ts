import type { BuildPhase } from './build-protocol';

/*
 * Progress costs the page a message to check and a render to paint, and a build into a folder writes
 * a file at a time: 1,456 files were 1,456 messages and as many renders while the user typed. Both
 * ends bound it: the worker sends a phase's progress in at most `progressSteps` steps, and the page
 * shows at most one progress a frame (the latest).
 */

/** How many steps of a phase the worker reports at most (each a 20th of it), besides its start. */
export const progressSteps = 20;

/**
 * The worker's side: whether a progress report is worth a message, given the last one sent. A new
 * phase always is, and so is its end; within a phase, only when another 1/`progressSteps` is done.
 */
export class ProgressStepper {
  #phase: BuildPhase | undefined;
  #step = -1;

  shouldSend(phase: BuildPhase, done: number, total: number): boolean {
    const step = total > 0 ? Math.floor((Math.min(done, total) * progressSteps) / total) : 0;
    if (phase === this.#phase && step === this.#step) return false;
    this.#phase = phase;
    this.#step = step;
    return true;
  }
}

/** Runs a callback before the next paint; returns how to call it off. */
export type FrameScheduler = (callback: () => void) => () => void;

export const animationFrames: FrameScheduler = (callback) => {
  const handle = requestAnimationFrame(() => callback());
  return () => cancelAnimationFrame(handle);
};

/**
 * The page's side: of the values offered between two frames, only the latest is delivered, once,
 * before the next paint. `drop` forgets one not yet delivered (the build it belongs to has ended).
 */
export class LatestPerFrame<T> {
  #latest: { value: T } | undefined;
  #cancel: (() => void) | undefined;

  constructor(
    private readonly deliver: (value: T) => void,
    private readonly schedule: FrameScheduler = animationFrames,
  ) {}

  offer(value: T): void {
    this.#latest = { value };
    this.#cancel ??= this.schedule(() => {
      this.#cancel = undefined;
      const latest = this.#latest;
      this.#latest = undefined;
      if (latest) this.deliver(latest.value);
    });
  }

  drop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#latest = undefined;
  }
}
