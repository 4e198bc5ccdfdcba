/*
 * Defence in depth for the sandbox (docs/security.md). The frame's own storage partition and the CSP
 * already keep the app's storage and the network out of reach; after boot, the worker also loses
 * every global that reaches outside it, so a script finds nothing to call and fails with a plain
 * AttributeError instead of relying on the browser. Pyodide keeps working: it needs none of these
 * once booted.
 */

/** Network, storage, other workers, message loops and the frame. `postMessage` and `close` are the frame's worker object. */
const escapeGlobals = [
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'WebSocketStream',
  'EventSource',
  'WebTransport',
  'importScripts',
  'Worker',
  'SharedWorker',
  'BroadcastChannel',
  // Pyodide made its own channel as it loaded. A script's ports answering each other loop for good,
  // past the end of its call, where no timer reset reaches (docs/security.md).
  'MessageChannel',
  'indexedDB',
  'caches',
  'postMessage',
  'close',
  // Chromium's old sandboxed file system, still reachable from a worker beside OPFS.
  'webkitRequestFileSystem',
  'webkitRequestFileSystemSync',
  'webkitResolveLocalFileSystemURL',
  'webkitResolveLocalFileSystemSyncURL',
] as const;

/**
 * Storage, other-context and device handles hung off `navigator`: storage buckets are storage the
 * partition would keep; USB, HID, serial, Bluetooth and the GPU reach hardware no script needs.
 */
const escapeNavigatorProperties = [
  'storage',
  'storageBuckets',
  'locks',
  'serviceWorker',
  'usb',
  'hid',
  'serial',
  'bluetooth',
  'gpu',
] as const;

/** Removes the globals above; throws if one survives, so a worker that is not locked down never runs scripts. */
export function lockDown(): void {
  removeOrThrow(globalThis, escapeGlobals, '');
  removeOrThrow(navigator, escapeNavigatorProperties, 'navigator.');
}

/*
 * The Node worker thread's lockdown (docs/security.md, "The Node worker"): what `import js` reaches
 * there is no more than in the browser's locked-down worker. Node's own objects go (`process`, and
 * with it `require` through `process.mainModule` and every native binding; `Buffer`, `global`), the
 * network goes, and code can no longer be made from strings: the browser's CSP forbids that, and in
 * Node it is the way back to `import('node:fs')`.
 */

/**
 * Node's own globals that reach the process, and the browser worker's list: of it, Node has the
 * network and the message channels (removing a name it lacks is a no-op).
 */
const nodeEscapeGlobals = [...escapeGlobals, 'process', 'global', 'Buffer', 'eval'];

/** Removes Node's globals above and forbids code from strings; throws if any survives. Run after Pyodide booted. */
export function lockDownNodeWorker(): void {
  removeOrThrow(globalThis, nodeEscapeGlobals, '');
  forbidCodeFromStrings();
}

/** Deletes each name from `target` and its prototype chain (Web IDL puts some on the object, some on prototypes). */
function removeOrThrow(target: object, names: readonly string[], prefix: string): void {
  for (const name of names) {
    for (let object: object | null = target; object !== null; object = Object.getPrototypeOf(object)) {
      if (Object.hasOwn(object, name)) Reflect.deleteProperty(object, name);
    }
  }
  const survivors = names.filter((name) => name in target).map((name) => prefix + name);
  if (survivors.length > 0) throw new Error(`The Python sandbox could not remove ${survivors.join(', ')}`);
}

/**
 * `Function`, and the constructors of async, generator and async generator functions, each reachable
 * as `(any function).constructor`, now throw as they do under the browser's CSP (EvalError). They
 * stay functions with the same prototype, so `instanceof Function` still works.
 */
function forbidCodeFromStrings(): void {
  const refuse = () => {
    throw new EvalError('Code generation from strings is disallowed in the Python worker');
  };
  const samples = [() => {}, async () => {}, function* () {}, async function* () {}];
  for (const sample of samples) {
    const prototype = Object.getPrototypeOf(sample) as { constructor: unknown };
    const forbidden = new Proxy(prototype.constructor as () => unknown, { apply: refuse, construct: refuse });
    Object.defineProperty(prototype, 'constructor', {
      value: forbidden,
      writable: false,
      configurable: false,
    });
    if (prototype === Function.prototype)
      Object.defineProperty(globalThis, 'Function', {
        value: forbidden,
        writable: false,
        configurable: false,
      });
  }
}
