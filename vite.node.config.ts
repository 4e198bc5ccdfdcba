import { defineConfig, type UserConfig } from 'vite';

/*
 * The Node side of Pymark (the site build) in dist-node/: Node 20 runs neither TypeScript nor Vite's
 * `?raw` and `import.meta.glob`, which the Python runtime's sources use. Two builds (`npm run
 * build:node` runs both): the default one makes ES modules, `python-worker.mjs` (what
 * node/node-runtime.ts starts in each worker thread), `page-worker.mjs`, and `pymark.mjs`, the
 * command's entry; `--mode cli` adds the command itself as one CommonJS file, `pymark-cli.cjs`, which
 * pymark.mjs runs with V8's code cache (cli/cli.ts says why) and which finds the workers beside it.
 * Packages are bundled in: resolving and loading a few hundred files of node_modules (Liquid,
 * markdown-it, YAML, zod, parse5) cost every run about 0.3 s before it did anything (`pymark
 * --help`: 0.5 s, bundled 0.2 s); and Comlink's Node adapter is imported by a path Node cannot
 * resolve. Pyodide stays in node_modules (it loads its files from there), and so does sharp (native
 * code, loaded only for thumbnails).
 */
export default defineConfig(({ mode }): UserConfig => {
  const command = mode === 'cli';
  return {
    publicDir: false,
    ssr: { noExternal: true, external: ['pyodide', 'sharp'] },
    build: {
      ssr: true,
      outDir: 'dist-node',
      // The command's build adds to the workers'.
      emptyOutDir: !command,
      target: 'node20',
      sourcemap: true,
      rolldownOptions: command
        ? {
            input: { 'pymark-cli': 'src/cli/main.ts' },
            output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'cli-[name]-[hash].cjs' },
          }
        : {
            input: {
              'python-worker': 'src/runtime/node/python-worker.ts',
              // Liquid over a full build's pages, beside the command's main thread (cli/page-workers.ts).
              'page-worker': 'src/cli/page-worker.ts',
              // `pymark build` (bin/pymark.mjs loads it; it runs pymark-cli.cjs).
              pymark: 'src/cli/cli.ts',
            },
            output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' },
          },
    },
  };
});
