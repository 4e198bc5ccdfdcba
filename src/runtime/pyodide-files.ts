/** The files Pyodide fetches at boot, served under `<base>pyodide/`; the rest of the package is bundled or unused. */
export const pyodideFiles = [
  'pyodide.asm.mjs',
  'pyodide.asm.wasm',
  'python_stdlib.zip',
  'pyodide-lock.json',
] as const;

/**
 * Pyodide's Emscripten module: the one script the sandbox's worker imports by URL (its policy names
 * it). The other files are data, which the page hands the worker as Blobs.
 */
export const pyodideModuleFile = 'pyodide.asm.mjs';

/** The files the worker's `fetch` answers from memory while Pyodide boots. */
export const pyodideDataFiles = pyodideFiles.filter((file) => file !== pyodideModuleFile);
