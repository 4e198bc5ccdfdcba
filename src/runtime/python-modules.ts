import type { PyodideAPI } from 'pyodide';
import type { PyCallable, PyProxy } from 'pyodide/ffi';
import type { PreloadedSource } from './snapshot';

// Vite inlines each file at build time; the registry below says which are modules, and in what order.
const sources = import.meta.glob<string>(['./python/*.py', './runner.py'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

/**
 * The one registry of Pymark's own Python: installed as modules straight into `sys.modules` (no
 * files, only heap state, so a memory snapshot taken after installing keeps them), hashed into the
 * snapshot key, and type-checked by pyright (pyrightconfig.json). Each may import the ones before it.
 * Named `_pymark_…` in `sys.modules`, so none can clash with a module a script imports; `path` is
 * its file in src/runtime/.
 */
const registry: readonly [name: string, path: string][] = [
  ['_pymark_audit_hook', 'python/audit_hook.py'],
  ['_pymark_pending_work', 'python/pending_work.py'],
  ['_pymark_isolation', 'python/isolation.py'],
  ['_pymark_wire', 'python/wire.py'],
  ['_pymark_errors', 'python/errors.py'],
  ['_pymark_syntax', 'python/script_syntax.py'],
  ['_pymark_macro_context', 'python/macro_context.py'],
  ['_pymark_site', 'python/pymark_site.py'],
  ['_pymark_reference', 'python/reference_compat.py'],
  ['_pymark_script_actions', 'python/script_actions.py'],
  // The reference desktop app's module name, so its scripts' `from bds_api import bds` works unchanged.
  ['bds_api', 'python/bds_api.py'],
  ['_pymark_macro_engine', 'python/macro_engine.py'],
  ['_pymark_transform_engine', 'python/transform_engine.py'],
  ['_pymark_runner', 'runner.py'],
];

const pymarkModules = registry.map(([name, path]) => {
  const source = sources[`./${path}`];
  if (source === undefined) throw new Error(`Pymark's Python module ${path} is missing from the bundle`);
  return { name, path, source };
});

// Skips a module that is already there (a second runner, or an interpreter restored from a snapshot).
// Tracebacks keep only the user's file, so frames of these `<pymark>/…` files never show.
const installer = `
import sys, types

def install(name, path, source):
    if name in sys.modules:
        return
    module = types.ModuleType(name)
    sys.modules[name] = module
    try:
        exec(compile(source, f"<pymark>/{path}", "exec", dont_inherit=True), module.__dict__)
    except BaseException:
        del sys.modules[name]
        raise

install
`;

/** Every Python file the app ships, as the worker preloads them before taking a snapshot. */
export const bundledPythonSources: readonly PreloadedSource[] = pymarkModules;

/** The interpreters Pymark's modules were installed into. */
const installed = new WeakSet<PyodideAPI>();

/** Installs Pymark's Python modules into `pyodide`, unless they are there already. */
function installPymarkModules(pyodide: PyodideAPI): void {
  if (installed.has(pyodide)) return;
  installed.add(pyodide);
  const install = pyodide.runPython(installer) as PyCallable;
  try {
    for (const { name, path, source } of pymarkModules) install(name, path, source);
  } finally {
    install.destroy();
  }
  // Last: the audit hook knows all of Pymark's modules' functions (isolation.py).
  pyodide.runPython('import _pymark_isolation\n_pymark_isolation.seal()', { filename: '<pymark-boot>' });
}

/** Looks up a function of one of Pymark's Python modules. */
type PymarkFunction = (moduleName: string, functionName: string) => PyCallable;

/** Installs Pymark's Python modules if needed, and returns their lookup. */
export function pymarkPython(pyodide: PyodideAPI): PymarkFunction {
  installPymarkModules(pyodide);
  return (moduleName, functionName) => {
    const module: PyProxy = pyodide.pyimport(moduleName);
    try {
      const found: unknown = module[functionName as keyof PyProxy];
      if (!(found instanceof pyodide.ffi.PyCallable))
        throw new Error(`${moduleName} has no function ${functionName}`);
      // An attribute proxy dies with the module proxy it came from; the copy outlives it.
      return found.copy() as PyCallable; // a copy of a callable proxy is one too
    } finally {
      module.destroy();
    }
  };
}

/** Calls a Python function that returns a dict, and hands back the dict as a plain object. */
export function callForDict(fn: PyCallable, ...args: unknown[]): unknown {
  const result: PyProxy = fn(...args);
  try {
    return result.toJs({ dict_converter: Object.fromEntries });
  } finally {
    result.destroy();
  }
}
