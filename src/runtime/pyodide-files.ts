/** The files Pyodide fetches at boot, served under `<base>pyodide/`; the rest of the package is bundled or unused. */
export const pyodideFiles = [
  'pyodide.asm.mjs',
  'pyodide.asm.wasm',
  'python_stdlib.zip',
  'pyodide-lock.json',
] as const;

/** Pyodide's Emscripten module: a script, which the sandbox's worker gets as part of its own module. */
export const pyodideModuleFile = 'pyodide.asm.mjs';

/** The files the worker's `fetch` answers from memory while Pyodide boots. */
export const pyodideDataFiles = pyodideFiles.filter((file) => file !== pyodideModuleFile);

/** How Pyodide's module ends: its one declaration, the module factory, exported. */
const pyodideFactoryExport = 'export default _createPyodideModule;';

/**
 * The sandbox worker's module with Pyodide's module in front of it, less that export: the factory
 * is then declared in the worker module's own scope (sandbox-worker.ts reads it there), so the
 * worker imports no script at all. An import by URL would go through the service worker from a
 * worker that a page navigation or an update can cut off, and an import from a Blob would need
 * `blob:` scripts in the frame's policy (docs/security.md).
 */
export function workerModuleWithPyodide(pyodideModule: string, workerModule: Blob): Blob {
  const exportAt = pyodideModule.lastIndexOf(pyodideFactoryExport);
  if (exportAt === -1 || pyodideModule.slice(exportAt + pyodideFactoryExport.length).trim() !== '')
    throw new Error(
      `${pyodideModuleFile} does not end with "${pyodideFactoryExport}", so this Pyodide cannot start in the sandbox`,
    );
  return new Blob([pyodideModule.slice(0, exportAt), '\n', workerModule], { type: 'text/javascript' });
}
