import { build, defineConfig, type Plugin, type UserConfig } from 'vite';

/*
 * The Node side of Pymark (the site build) in dist-node/: Node 20 runs neither TypeScript nor Vite's
 * `?raw` and `import.meta.glob`, which the Python runtime's sources use. ES modules:
 * `python-worker.mjs` (what node/node-runtime.ts starts in each worker thread), `page-worker.mjs`,
 * and `pymark.mjs`, the command's entry; and beside them, built once those are written, the command
 * itself as one CommonJS file, `pymark-cli.cjs`, which pymark.mjs runs with V8's code cache
 * (cli/cli.ts says why) and which finds the workers beside it. Packages are bundled in: resolving
 * and loading a few hundred files of node_modules (Liquid, markdown-it, YAML, zod, parse5) cost
 * every run about 0.3 s before it did anything (`pymark --help`: 0.5 s, bundled 0.2 s); and
 * Comlink's Node adapter is imported by a path Node cannot resolve. Pyodide stays in node_modules
 * (it loads its files from there), and so does sharp (native code, loaded only for thumbnails).
 */

const packagesBundled: UserConfig['ssr'] = { noExternal: true, external: ['pyodide', 'sharp'] };

/**
 * Builds pymark-cli.cjs into the same folder once the ES modules are written, when they include the
 * command's entry (a build of other inputs, as a test makes, needs no command).
 */
function commandBundle(): Plugin {
  let outer: { root: string; outDir: string; logLevel: UserConfig['logLevel'] } | undefined;
  return {
    name: 'pymark-command-bundle',
    apply: 'build',
    configResolved(config) {
      const input = config.build.rolldownOptions.input;
      const hasEntry = typeof input === 'object' && !Array.isArray(input) && 'pymark' in input;
      outer = hasEntry
        ? { root: config.root, outDir: config.build.outDir, logLevel: config.logLevel }
        : undefined;
    },
    async closeBundle() {
      if (!outer) return;
      await build({
        configFile: false,
        root: outer.root,
        logLevel: outer.logLevel,
        publicDir: false,
        ssr: packagesBundled,
        build: {
          ssr: true,
          outDir: outer.outDir,
          emptyOutDir: false,
          target: 'node20',
          sourcemap: true,
          rolldownOptions: {
            input: { 'pymark-cli': 'src/cli/main.ts' },
            output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'cli-[name]-[hash].cjs' },
          },
        },
      });
    },
  };
}

export default defineConfig({
  publicDir: false,
  ssr: packagesBundled,
  plugins: [commandBundle()],
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
        // `pymark build` (bin/pymark.mjs loads it; it runs pymark-cli.cjs).
        pymark: 'src/cli/cli.ts',
      },
      output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' },
    },
  },
});
