import { defineConfig } from 'vite';

/*
 * The Node side of Pymark (the site build) as plain ES modules in dist-node/: Node 20 runs neither
 * TypeScript nor Vite's `?raw` and `import.meta.glob`, which the Python runtime's sources use.
 * `python-worker.mjs` is what node/node-runtime.ts starts in each worker thread; a CLI entry added
 * to `input` lands next to it and finds it. Packages are bundled in: resolving and loading a few
 * hundred files of node_modules (Liquid, markdown-it, YAML, zod, parse5) cost every run about
 * 0.3 s before it did anything (`pymark --help`: 0.5 s, bundled 0.2 s); and Comlink's Node adapter
 * is imported by a path Node cannot resolve. Pyodide stays in node_modules (it loads its files
 * from there), and so does sharp (native code, loaded only for thumbnails).
 */
export default defineConfig({
  publicDir: false,
  ssr: { noExternal: true, external: ['pyodide', 'sharp'] },
  build: {
    ssr: true,
    outDir: 'dist-node',
    emptyOutDir: true,
    target: 'node20',
    sourcemap: true,
    rolldownOptions: {
      input: {
        'python-worker': 'src/runtime/node/python-worker.ts',
        // Liquid over a full build's pages, beside the command's main thread (cli/page-workers.ts).
        'page-worker': 'src/cli/page-worker.ts',
        // `pymark build` (bin/pymark.mjs loads it).
        pymark: 'src/cli/cli.ts',
      },
      output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' },
    },
  },
});
