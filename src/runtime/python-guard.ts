import type { PyodideAPI } from 'pyodide';
import type { PyCallable } from 'pyodide/ffi';
import { freezeIntrinsics } from './frozen-intrinsics';
import { IsolationBroken, memoryWall } from './memory-wall';
import { pymarkPython } from './python-modules';

/*
 * The worker's half of the isolation model (docs/security.md, "One script, one call"), beside the
 * memory wall (memory-wall.ts). What lives here has to be JavaScript: it must stay out of the reach
 * of Python, which can read and change anything in its own interpreter.
 */

/**
 * The most Pyodide's heap may grow to during a call in the browser: twice the bound past which the
 * page replaces the worker between calls (call-executor.ts; 512 MiB by default, client.ts).
 */
export const heapCapBytes = 2 ** 30;

/**
 * The most a script may raise the recursion limit to: deeper, Pyodide's JavaScript stack overflows
 * (measured: 6,000 frames passed in Node, 12,000 overflowed), which kills the interpreter instead of
 * raising RecursionError.
 */
const maxRecursionLimit = 3000;

/**
 * After boot, before any script: takes Pyodide's own API (`pyodide_js`, which holds the interrupt
 * buffer, the heap and the file system) away from Python, and caps the recursion limit so that deep
 * recursion raises RecursionError instead of overflowing the JavaScript stack. `globals`, in a real
 * worker, is put back whenever the interpreter is.
 */
export function guardInterpreter(pyodide: PyodideAPI, globals?: GlobalsGuard): void {
  // isolation.py dropped it from sys.modules at boot; this makes `import pyodide_js` fail instead of
  // finding it again.
  pyodide.unregisterJsModule('pyodide_js');
  const sys = pyodide.pyimport('sys');
  const setRecursionLimit = (sys.setrecursionlimit as PyCallable).copy() as PyCallable;
  sys.setrecursionlimit = (limit: unknown) => {
    if (typeof limit !== 'number' || !Number.isInteger(limit))
      throw new TypeError('sys.setrecursionlimit() takes an int');
    setRecursionLimit(Math.min(limit, maxRecursionLimit));
  };
  sys.destroy();
  if (globals) interpreterIsolation(pyodide).hostReset = () => globals.endCall();
}

/** One interpreter's wall between scripts (memory-wall.ts), and when to restore it. */
interface InterpreterIsolation {
  /**
   * Before a script's code runs, between calls: puts the interpreter back as the checkpoint has it,
   * unless nothing ran since but `script` itself (its own calls may share what they leave, as the
   * calls of one script in one batch always did). `undefined`: a call no later one may share.
   */
  enter(script: string | undefined): void;
  /** Makes a change every later script must see (the site data), on a clean interpreter, and records it. */
  change(apply: () => void): void;
  /**
   * Within a call, after `enter`: adds what this call alone may see (the drafts, python-site.ts); the
   * interpreter is put back before any later call, even one of the same script.
   */
  reveal(apply: () => void): void;
  /** After a call: ends the asyncio work it left behind, so none of it runs between calls. */
  leave(): void;
  /** The worker's own reset of its JavaScript globals and timers, in a real worker. */
  hostReset?: () => void;
}

const isolations = new WeakMap<PyodideAPI, InterpreterIsolation>();

/**
 * The isolation of `pyodide`'s interpreter. Its first checkpoint is taken on first use of `enter` or
 * `change`: once boot and guardInterpreter are done, before any script ran.
 */
export function interpreterIsolation(pyodide: PyodideAPI): InterpreterIsolation {
  const known = isolations.get(pyodide);
  if (known) return known;
  const python = pymarkPython(pyodide);
  const cancelPendingWork = python('_pymark_pending_work', 'cancel_pending_work');
  const reseed = python('random', 'seed');
  const wall = memoryWall(pyodide);
  let state: 'unrecorded' | 'clean' | 'used' | IsolationBroken = 'unrecorded';
  /** The script whose calls ran since the last restore, while `state` is 'used'. */
  let usedBy: string | undefined;
  const clean = () => {
    if (state instanceof IsolationBroken) throw state;
    if (state === 'unrecorded') wall.checkpoint();
    else if (state === 'used') {
      try {
        // The restore resets the worker's globals and timers itself, once no script code can run.
        wall.restore(isolation.hostReset);
        // The checkpoint holds random's state too: unseeded, every script would draw the same numbers.
        reseed();
      } catch (error) {
        // Every later call fails too: the page replaces the worker (call-executor.ts).
        if (error instanceof IsolationBroken) state = error;
        throw error;
      }
    }
    state = 'clean';
  };
  const isolation: InterpreterIsolation = {
    enter(script) {
      if (state !== 'used' || script === undefined || script !== usedBy) clean();
      state = 'used';
      usedBy = script;
    },
    change(apply) {
      clean();
      apply();
      wall.checkpoint();
    },
    reveal(apply) {
      if (state !== 'used') throw new Error('reveal() belongs within a call, after enter()');
      usedBy = undefined;
      apply();
    },
    leave: () => void cancelPendingWork(),
  };
  isolations.set(pyodide, isolation);
  return isolation;
}

/**
 * Calls `call` as `script`'s call (InterpreterIsolation.enter), and ends the asyncio work it left
 * (leave) however it ends. KeyboardInterrupt can land outside the Python function's own handling
 * (while it parses its input, or after its try block): then the answer is `interrupted`.
 */
export function isolatedCall<T>(
  pyodide: PyodideAPI,
  script: string | undefined,
  call: () => T,
  interrupted: T,
): T {
  const isolation = interpreterIsolation(pyodide);
  isolation.enter(script);
  try {
    return call();
  } catch (error) {
    if (!(error instanceof pyodide.ffi.PythonError && error.type === 'KeyboardInterrupt')) throw error;
    return interrupted;
  } finally {
    isolation.leave();
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
