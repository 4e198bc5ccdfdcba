import { defineConfig } from 'vite';

/**
 * Bundles the main process and the preload into electron/dist/*.cjs: `vite build --config
 * electron/vite.config.ts --mode main`, then `--mode preload`. One entry a build, because a sandboxed
 * preload can `require` only Electron's own modules: it must be one self-contained file.
 */
export default defineConfig(({ mode }) => {
  if (mode !== 'main' && mode !== 'preload') throw new Error('Build with --mode main or --mode preload');
  return {
    publicDir: false,
    // Node built-ins stay imports; zod and the app's modules are bundled in.
    ssr: { noExternal: true, external: ['electron'] },
    build: {
      ssr: `electron/${mode}.ts`,
      outDir: 'electron/dist',
      // Both builds write here: the second must not delete the first's file.
      emptyOutDir: false,
      target: 'node22',
      sourcemap: true,
      rolldownOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  };
});
