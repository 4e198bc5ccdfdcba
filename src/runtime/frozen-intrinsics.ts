/*
 * The worker's built-in JavaScript objects, frozen once the lockdown is done (docs/security.md, "One
 * script, one call"). Python reaches them all through `js` (`js.JSON`, `js.Array.prototype`, any
 * JavaScript value's `constructor`), and the worker's own code uses the same ones on every call: it
 * decodes each answer with `JSON.parse`, maps its items, awaits promises, builds objects with
 * `Object.fromEntries`. A script that replaced one of them would see and change what every later
 * call of another script computes or returns, which no reset of Python or of the global's own
 * properties undoes. Frozen, every such change fails with a TypeError instead.
 */

/**
 * The one data property left writable (never configurable): V8's `Error.stackTraceLimit`, which
 * Pyodide lowers and restores around each PythonError it makes. At worst a script shortens later stacks.
 */
const writableProperty = 'stackTraceLimit';

/**
 * Properties that code gives its own objects by assignment (`error.name = …` in ProtocolError, zod's
 * and Comlink's errors; `object.toString = …`). Frozen as data on a prototype, such an assignment to
 * an object that inherits it throws (JavaScript's "override mistake"), so on the objects frozen here
 * they become accessors whose setter gives the assigned object a property of its own, and refuses
 * to change the frozen object itself.
 */
const overridable = ['constructor', 'name', 'message', 'toString', 'valueOf', 'toJSON'];

/**
 * Freezes every object reachable from the global object (its properties, read through their getters
 * from the global itself, and those of its prototypes), then everything reachable from those: their
 * properties, accessors and prototypes. The global object stays open (a script's own globals are
 * removed after its call, python-guard.ts); its prototypes do not, so nothing a script hangs on them
 * shows through the global. Run in a real worker only: it changes the thread's built-ins for good.
 */
export function freezeIntrinsics(): void {
  const seen = new Set<unknown>([globalThis]);
  const pending: object[] = [];
  const reach = (value: unknown) => {
    if ((typeof value !== 'object' || value === null) && typeof value !== 'function') return;
    if (seen.has(value)) return;
    seen.add(value);
    pending.push(value);
  };
  for (let scope: object | null = globalThis; scope !== null; scope = Object.getPrototypeOf(scope)) {
    if (scope !== globalThis) reach(scope);
    for (const key of Reflect.ownKeys(scope)) reach(readFromGlobal(key));
  }
  for (let object = pending.pop(); object !== undefined; object = pending.pop()) {
    if (typeof object !== 'function') allowOverrides(object);
    freeze(object);
    reach(Object.getPrototypeOf(object));
    for (const key of Reflect.ownKeys(object)) {
      const descriptor = Object.getOwnPropertyDescriptor(object, key);
      reach(descriptor?.value);
      reach(descriptor?.get);
      reach(descriptor?.set);
    }
  }
}

/** A global's value as a script reads it; a getter that refuses (say, on a removed API) reaches nothing. */
function readFromGlobal(key: PropertyKey): unknown {
  try {
    return Reflect.get(globalThis, key);
  } catch {
    return undefined;
  }
}

function allowOverrides(object: object): void {
  for (const key of overridable) {
    const descriptor = Object.getOwnPropertyDescriptor(object, key);
    if (!descriptor?.writable || !descriptor.configurable) continue;
    const { value } = descriptor;
    Object.defineProperty(object, key, {
      get: () => value,
      set(this: object, assigned: unknown) {
        if (this === object) throw new TypeError(`Cannot assign to read only property '${key}'`);
        Object.defineProperty(this, key, {
          value: assigned,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      },
      enumerable: descriptor.enumerable,
      configurable: false,
    });
  }
}

function freeze(object: object): void {
  if (object !== Error) {
    Object.freeze(object);
    return;
  }
  for (const key of Reflect.ownKeys(object)) {
    const descriptor = Object.getOwnPropertyDescriptor(object, key);
    const isData = descriptor !== undefined && 'value' in descriptor;
    const kept =
      isData && key !== writableProperty ? { configurable: false, writable: false } : { configurable: false };
    Object.defineProperty(object, key, kept);
  }
  Object.preventExtensions(object);
}
