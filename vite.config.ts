/// <reference types="vitest/config" />
import { availableParallelism } from 'node:os';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { appPolicy, appPolicyMeta } from './scripts/app-policy.ts';
import { devWorkerBundle } from './scripts/vite-dev-worker-bundle.ts';
import { pyodideAssets } from './scripts/vite-pyodide-assets.ts';

/** Test files run side by side in the unit project: at least two, even on a 2-core machine. */
const unitWorkers = Math.max(2, availableParallelism() - 1);

/** Cross-origin isolation: needed for SharedArrayBuffer, which the Stop button's interrupt relies on. */
export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

/** What `npm start` and `npm run dev` send with every response: isolation and the page's policy. */
export const appHeaders = {
  ...isolationHeaders,
  'Content-Security-Policy': appPolicy,
} as const;

/** The page's policy in index.html too, for a host that serves the build without its headers. */
function appPolicyMetaTag(): Plugin {
  return {
    name: 'pymark:app-policy-meta',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: appPolicyMeta },
        injectTo: 'head-prepend',
      },
    ],
  };
}

export default defineConfig({
  base: '/',
  plugins: [
    appPolicyMetaTag(),
    pyodideAssets(),
    // `npm run dev` only: the sandbox needs the worker as one file there too.
    devWorkerBundle(),
    VitePWA({
      registerType: 'prompt',
      // The app registers the worker itself through `virtual:pwa-register` (src/ui/update-prompt.ts).
      injectRegister: false,
      // The icons are precached by globPatterns; listing them again would only duplicate entries.
      includeManifestIcons: false,
      manifest: {
        id: '/',
        name: 'Pymark',
        short_name: 'Pymark',
        description: 'Write Python that powers your blog: macros, transforms and utilities, run offline.',
        theme_color: '#1f4e79',
        background_color: '#ffffff',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        // Android's share sheet lists the installed app. The service worker takes the POST
        // (public/share-target-sw.js): shared text arrives in the address (src/core/incoming-post.ts)
        // and goes through a transform; shared images go to the media library.
        share_target: {
          action: '/share-target',
          method: 'POST',
          enctype: 'multipart/form-data',
          params: {
            title: 'share_title',
            text: 'share_text',
            url: 'share_url',
            files: [{ name: 'media', accept: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] }],
          },
        },
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // pyodide/* (the runtime, wasm, stdlib zip and lock file) must be precached for offline runs.
        globPatterns: ['**/*.{js,mjs,css,html,png,svg,wasm,zip,json}'],
        maximumFileSizeToCacheInBytes: 32 * 1024 * 1024,
        navigateFallback: 'index.html',
        // The built site's preview is served from Cache Storage by public/site-preview-sw.js, and shared
        // images are taken in by public/share-target-sw.js; both are imported first so their fetch
        // listeners answer before Workbox's navigation fallback.
        navigateFallbackDenylist: [/^\/site-preview\//],
        importScripts: ['site-preview-sw.js', 'share-target-sw.js'],
        cleanupOutdatedCaches: true,
      },
      devOptions: { enabled: false },
    }),
  ],
  optimizeDeps: { exclude: ['pyodide'] },
  worker: {
    format: 'es',
    // One self-contained file: the sandbox starts the worker from a Blob, where relative chunk imports cannot resolve.
    rolldownOptions: { output: { codeSplitting: false } },
  },
  build: { target: 'es2022', sourcemap: true },
  server: { headers: appHeaders },
  preview: { headers: appHeaders, port: 4173 },
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['tests/unit/**/*.test.ts', 'tests/node/**/*.test.ts'],
          // A folder for the Node bundles, which the test files that need them build once and share.
          globalSetup: ['tests/node/node-bundles-setup.ts'],
          // Vitest's default leaves a core to its main process, which idles here: on 2 cores that
          // would run one file at a time.
          maxWorkers: unitWorkers,
          testTimeout: 60_000,
          // Booting Pyodide in beforeAll takes far longer than 10 s on a busy machine.
          hookTimeout: 120_000,
          // Vitest's 1 s default is less than a loaded 2-core machine can take to run the work polled
          // for; a poll that fails for real fails all the same. (`vi.waitFor` has no such setting: its
          // calls say their own.)
          expect: { poll: { timeout: 30_000 } },
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['tests/e2e/**/*.test.ts'],
          // One Chromium for every file, which each file connects to (a launch per file cost about
          // as much as a Python boot).
          globalSetup: ['tests/e2e/browser-server.ts'],
          // One file at a time: two at once finished sooner but, on 2 cores, let tests that race
          // two tabs or wait on a 10 MB macro run past their waits. Each file has its own server.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Vitest's 1 s default is less than a busy 2-core machine needs, e.g. for a folder sync
          // while Python boots; Playwright's own waits default to 30 s.
          expect: { poll: { timeout: 30_000 } },
        },
      },
    ],
  },
});
