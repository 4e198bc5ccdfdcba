import type { PyodideAPI } from 'pyodide';
import type { PyCallable, PyProxy } from 'pyodide/ffi';
import { freezeIntrinsics } from './frozen-intrinsics';

/*
 * The worker's half of the isolation model (docs/security.md, "One script, one call"); the Python
 * half is python/isolation.py. What lives here has to be JavaScript: it must stay out of the reach of
 * Python, which can read and change anything in its own interpreter.
 */

/**
 * The most Pyodide's heap may grow to during a call in the browser: twice the bound past which the
 * page replaces the worker between calls (client.ts, 512 MiB by default).
 */
export const heapCapBytes = 2 ** 30;

/** The most a script may raise the recursion limit to; isolation.py's MAX_RECURSION_LIMIT, measured there. */
export const maxRecursionLimit = 3000;

/**
 * After boot, before any script: takes Pyodide's own API (`pyodide_js`, which holds the interrupt
 * buffer, the heap and the file system) away from Python, and caps the recursion limit so that deep
 * recursion raises RecursionError instead of overflowing the JavaScript stack. `globals`, in a real
 * worker, is put back by every reset, between two scripts of one batch too.
 */
export function guardInterpreter(pyodide: PyodideAPI, globals?: GlobalsGuard): void {
  // isolation.py dropped it from sys.modules before the state scripts start from was recorded; this
  // makes `import pyodide_js` fail instead of finding it again.
  pyodide.unregisterJsModule('pyodide_js');
  const setRecursionLimit = pyodide.runPython('import sys\nsys.setrecursionlimit') as PyCallable;
  const capped = (limit: unknown) => {
    if (typeof limit !== 'number' || !Number.isInteger(limit))
      throw new TypeError('sys.setrecursionlimit() takes an int');
    setRecursionLimit(Math.min(limit, maxRecursionLimit));
  };
  const isolation = interpreterIsolation(pyodide);
  isolation.capRecursionLimit(capped);
  if (globals) isolation.hostReset = () => globals.endCall();
}

/** One interpreter's reset, held here, where no script can reach it. */
export interface InterpreterIsolation {
  /**
   * Ends the asyncio work the last call left, puts back the worker's globals (`hostReset`), then the
   * interpreter as it was sealed (isolation.py). The engines get it as an argument of each call.
   */
  readonly reset: () => void;
  /** Makes `capped` sys.setrecursionlimit, for good (isolation.py's `cap_recursion_limit`). */
  capRecursionLimit(capped: (limit: unknown) => void): void;
  /** The worker's own reset of its JavaScript globals and timers, in a real worker. */
  hostReset?: () => void;
}

const isolations = new WeakMap<PyodideAPI, InterpreterIsolation>();

/**
 * The isolation of `pyodide`'s interpreter, taken over on first use: from then on, the record of the
 * state every call starts from, and the reset that restores it, are held only here. No Python module
 * or object refers to them, so a script cannot change what the reset restores, nor turn it off by
 * rebinding a name (docs/security.md). Pymark's modules must be installed (python-modules.ts).
 */
export function interpreterIsolation(pyodide: PyodideAPI): InterpreterIsolation {
  const known = isolations.get(pyodide);
  if (known) return known;
  const module = pyodide.pyimport('_pymark_isolation');
  const pendingWork = pyodide.pyimport('_pymark_pending_work');
  try {
    const baseline = module.hand_over() as PyProxy;
    const resetInterpreter = (module.reset as PyCallable).copy() as PyCallable;
    const capRecursionLimit = (module.cap_recursion_limit as PyCallable).copy() as PyCallable;
    const cancelPendingWork = (pendingWork.cancel_pending_work as PyCallable).copy() as PyCallable;
    const isolation: InterpreterIsolation = {
      reset: () => {
        cancelPendingWork();
        isolation.hostReset?.();
        // Freed only now, out of the reset's frames: what a script left may run code as it goes.
        (resetInterpreter(baseline) as PyProxy).destroy();
      },
      capRecursionLimit: (capped) => capRecursionLimit(baseline, capped),
    };
    isolations.set(pyodide, isolation);
    return isolation;
  } finally {
    module.destroy();
    pendingWork.destroy();
  }
}

/**
 * Refuses to grow any WebAssembly memory of this worker past `maxBytes`. Pyodide grows its heap
 * through `Memory.prototype.grow`, and a refused growth is a failed `malloc`, which Python raises as
 * MemoryError: so the bound holds during a call, not only when it has ended. Run before Pyodide
 * boots; the property cannot be changed back.
 */
export function capWasmMemory(maxBytes: number): void {
  const grow = WebAssembly.Memory.prototype.grow;
  const pageBytes = 65_536;
  Object.defineProperty(WebAssembly.Memory.prototype, 'grow', {
    value: function cappedGrow(this: WebAssembly.Memory, pages: number): number {
      if (this.buffer.byteLength + pages * pageBytes > maxBytes)
        throw new RangeError(`The Python heap may not grow past ${maxBytes} bytes`);
      return grow.call(this, pages);
    },
    writable: false,
    configurable: false,
  });
}

/** What the worker's globals need after each call. */
export interface GlobalsGuard {
  /** Cancels the timers the call left behind and puts the worker's globals back as they were. */
  endCall(): void;
}

/**
 * Run after the lockdown, in a real worker only (it changes the thread's globals): from here on, a
 * timer a script sets never fires after its call, a global it sets or replaces is gone after it, and
 * the built-in objects cannot be changed at all (frozen-intrinsics.ts). The timer functions are
 * wrapped for good (not writable, not configurable), so a script cannot put the originals back;
 * Pyodide's own asyncio timers go through them too.
 */
export function guardWorkerGlobals(): GlobalsGuard {
  /** Each timer set during the current call, with the function that cancels it. */
  const pending = new Map<unknown, () => void>();
  const timers = [
    ['setTimeout', 'clearTimeout'],
    ['setInterval', 'clearInterval'],
    ['setImmediate', 'clearImmediate'], // Node's; Pyodide schedules asyncio callbacks with it there
  ] as const;
  const scope = globalThis as unknown as Record<string, unknown>;
  for (const [set, clear] of timers) {
    const original = scope[set];
    const originalClear = scope[clear];
    if (typeof original !== 'function' || typeof originalClear !== 'function') continue;
    const wrapped = (...args: unknown[]) => {
      const handle: unknown = original.apply(globalThis, args);
      pending.set(handle, () => originalClear.call(globalThis, handle));
      return handle;
    };
    Object.defineProperty(globalThis, set, { value: wrapped, writable: false, configurable: false });
  }
  freezeIntrinsics();
  const baseline = new Map(
    Reflect.ownKeys(globalThis).map((key) => [key, Object.getOwnPropertyDescriptor(globalThis, key)]),
  );
  return {
    endCall() {
      for (const cancel of pending.values()) cancel();
      pending.clear();
      for (const key of Reflect.ownKeys(globalThis)) {
        const saved = baseline.get(key);
        const current = Object.getOwnPropertyDescriptor(globalThis, key);
        if (!saved) Reflect.deleteProperty(globalThis, key);
        else if (current && !sameDescriptor(saved, current)) Object.defineProperty(globalThis, key, saved);
      }
      for (const [key, saved] of baseline) {
        if (saved && !Object.hasOwn(globalThis, key)) Object.defineProperty(globalThis, key, saved);
      }
    },
  };
}

function sameDescriptor(a: PropertyDescriptor, b: PropertyDescriptor): boolean {
  return a.value === b.value && a.get === b.get && a.set === b.set;
}
