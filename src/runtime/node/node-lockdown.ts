/*
 * The Node worker thread's lockdown (docs/security.md, "The Node worker"): what `import js` reaches
 * there is no more than in the browser's locked-down worker. Node's own objects go (`process`, and
 * with it `require` through `process.mainModule` and every native binding; `Buffer`, `global`), the
 * network goes, and code can no longer be made from strings: the browser's CSP forbids that, and in
 * Node it is the way back to `import('node:fs')`.
 */

/** Node's globals that reach the process, the network or other threads; the browser worker has none of them. */
const nodeEscapeGlobals = [
  'process',
  'global',
  'Buffer',
  'fetch',
  'WebSocket',
  'EventSource',
  'XMLHttpRequest',
  'BroadcastChannel',
  // Two ports answering each other would loop past the end of a call, as in the browser (lockdown.ts).
  'MessageChannel',
  'eval',
] as const;

/** Removes the globals above and forbids code from strings; throws if any survives. Run after Pyodide booted. */
export function lockDownNodeWorker(): void {
  for (const name of nodeEscapeGlobals) Reflect.deleteProperty(globalThis, name);
  forbidCodeFromStrings();
  const survivors = nodeEscapeGlobals.filter((name) => name in globalThis);
  if (survivors.length > 0)
    throw new Error(`The Node Python worker could not remove ${survivors.join(', ')}`);
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
