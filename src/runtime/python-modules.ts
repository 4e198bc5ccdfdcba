import type { PyodideAPI } from 'pyodide';
import type { PyCallable, PyProxy } from 'pyodide/ffi';
import auditHookSource from './python/audit_hook.py?raw';
import bdsApiSource from './python/bds_api.py?raw';
import errorsSource from './python/errors.py?raw';
import isolationSource from './python/isolation.py?raw';
import macroContextSource from './python/macro_context.py?raw';
import macroEngineSource from './python/macro_engine.py?raw';
import pendingWorkSource from './python/pending_work.py?raw';
import siteSource from './python/pymark_site.py?raw';
import referenceSource from './python/reference_compat.py?raw';
import scriptActionsSource from './python/script_actions.py?raw';
import syntaxSource from './python/script_syntax.py?raw';
import transformEngineSource from './python/transform_engine.py?raw';
import wireSource from './python/wire.py?raw';
import runnerSource from './runner.py?raw';
import type { PreloadedSource } from './snapshot';

/** `path`: its file in src/runtime/. */
interface PymarkModule extends PreloadedSource {
  /** Its name in `sys.modules`; `_pymark_…` so it cannot clash with a module a script imports. */
  name: string;
}

/**
 * The one registry of Pymark's own Python: installed as modules straight into `sys.modules` (no
 * files, only heap state, so a memory snapshot taken after installing keeps them), hashed into the
 * snapshot key, and type-checked by pyright (pyrightconfig.json). Each may import the ones before it.
 */
const pymarkModules: readonly PymarkModule[] = [
  { name: '_pymark_audit_hook', path: 'python/audit_hook.py', source: auditHookSource },
  { name: '_pymark_pending_work', path: 'python/pending_work.py', source: pendingWorkSource },
  { name: '_pymark_isolation', path: 'python/isolation.py', source: isolationSource },
  { name: '_pymark_wire', path: 'python/wire.py', source: wireSource },
  { name: '_pymark_errors', path: 'python/errors.py', source: errorsSource },
  { name: '_pymark_syntax', path: 'python/script_syntax.py', source: syntaxSource },
  { name: '_pymark_macro_context', path: 'python/macro_context.py', source: macroContextSource },
  { name: '_pymark_site', path: 'python/pymark_site.py', source: siteSource },
  { name: '_pymark_reference', path: 'python/reference_compat.py', source: referenceSource },
  { name: '_pymark_script_actions', path: 'python/script_actions.py', source: scriptActionsSource },
  // The reference desktop app's module name, so its scripts' `from bds_api import bds` works unchanged.
  { name: 'bds_api', path: 'python/bds_api.py', source: bdsApiSource },
  { name: '_pymark_macro_engine', path: 'python/macro_engine.py', source: macroEngineSource },
  { name: '_pymark_transform_engine', path: 'python/transform_engine.py', source: transformEngineSource },
  { name: '_pymark_runner', path: 'runner.py', source: runnerSource },
];

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
