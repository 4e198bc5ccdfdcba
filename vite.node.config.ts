import { defineConfig } from 'vite';

/*
 * The Node side of Pymark (the site build) as plain ES modules in dist-node/: Node 20 runs neither
 * TypeScript nor Vite's `?raw` and `import.meta.glob`, which the Python runtime's sources use.
 * `python-worker.mjs` is what node/node-runtime.ts starts in each worker thread; a CLI entry added
 * to `input` lands next to it and finds it. Packages stay in node_modules (Pyodide loads its files
 * from there), except Comlink, whose Node adapter is imported by a path Node cannot resolve.
 */
export default defineConfig({
  publicDir: false,
  ssr: { noExternal: ['comlink'] },
  build: {
    ssr: true,
    outDir: 'dist-node',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    rolldownOptions: {
      input: {
        'python-worker': 'src/runtime/node/python-worker.ts',
        // `pymark build` (bin/pymark.mjs loads it).
        pymark: 'src/cli/cli.ts',
      },
      output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' },
    },
  },
});
