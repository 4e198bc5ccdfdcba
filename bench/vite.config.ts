import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { pyodideAssets } from '../scripts/vite-pyodide-assets.ts';
import appConfig, { isolationHeaders } from '../vite.config.ts';

/*
 * Builds the bench page (bench/page) into bench/dist, apart from the app, so no bench code ships in
 * the PWA. Pyodide's files and the worker bundling come from the app's own config: the page must run
 * the worker exactly as the app builds it.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./page/', import.meta.url)),
  base: '/',
  plugins: [pyodideAssets()],
  optimizeDeps: appConfig.optimizeDeps,
  worker: appConfig.worker,
  build: {
    ...appConfig.build,
    outDir: fileURLToPath(new URL('./dist/', import.meta.url)),
    emptyOutDir: true,
  },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
});
