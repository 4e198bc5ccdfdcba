/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { pyodideAssets } from './scripts/vite-pyodide-assets';

/** Cross-origin isolation: needed for SharedArrayBuffer, which the Stop button's interrupt relies on. */
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

export default defineConfig({
  base: '/',
  plugins: [pyodideAssets()],
  optimizeDeps: { exclude: ['pyodide'] },
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders, port: 4173 },
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['tests/unit/**/*.test.ts', 'tests/node/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
