/** The files Pyodide fetches at boot, served under `<base>pyodide/`; the rest of the package is bundled or unused. */
export const pyodideFiles = [
  'pyodide.asm.mjs',
  'pyodide.asm.wasm',
  'python_stdlib.zip',
  'pyodide-lock.json',
] as const;
