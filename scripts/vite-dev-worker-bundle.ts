import { posix } from 'node:path';
import { build, normalizePath, type Plugin, type ResolvedConfig } from 'vite';

/*
 * Dev server only. The sandbox (docs/security.md) fetches the worker module named by a
 * `?worker&url` import and imports it from a Blob inside an opaque-origin frame. The dev server's
 * usual worker is a tree of unbundled modules whose absolute imports (`/node_modules/...`) cannot
 * resolve from a blob: URL, so here that import names a one-file bundle of the worker instead,
 * built in memory with Vite's build API and the project's worker options, as `vite build` makes it.
 * The page's sandbox path then runs unchanged under `npm run dev`.
 */

interface WorkerBundle {
  code: string;
  /** Source files in the bundle, without queries: a change to one of them makes it stale. */
  files: string[];
}

export function devWorkerBundle(): Plugin {
  let config: ResolvedConfig;
  /** Served path → the worker entry file it bundles, one per `?worker&url` import. */
  const entries = new Map<string, string>();
  /** Served path → its bundle, built on the first request and dropped when a file in it changes. */
  const bundles = new Map<string, Promise<WorkerBundle>>();
  const bundledFiles = new Set<string>();

  async function bundle(entry: string): Promise<WorkerBundle> {
    const result = await build({
      configFile: false,
      root: config.root,
      mode: config.mode,
      logLevel: 'warn',
      publicDir: false,
      build: {
        write: false,
        minify: false,
        sourcemap: 'inline',
        target: config.build.target,
        rolldownOptions: { ...config.worker.rolldownOptions, input: entry },
      },
    });
    const output = 'output' in result ? result.output : [];
    const [chunk] = output;
    // The Blob import has no base URL, so anything beyond one chunk could never load.
    if (output.length !== 1 || chunk?.type !== 'chunk') {
      throw new Error(`expected ${entry} to bundle into one chunk, got ${output.length} files`);
    }
    return { code: chunk.code, files: chunk.moduleIds.map((id) => id.split('?')[0] as string) };
  }

  function startBundle(path: string, entry: string): Promise<WorkerBundle> {
    const built = bundle(entry);
    bundles.set(path, built);
    built.then(
      ({ files }) => {
        for (const file of files) bundledFiles.add(file);
      },
      () => {
        if (bundles.get(path) === built) bundles.delete(path); // the next request tries again
      },
    );
    return built;
  }

  return {
    name: 'pymark:dev-worker-bundle',
    apply: 'serve',
    // Ahead of Vite's own worker plugin, which would answer with the unbundled module's URL.
    enforce: 'pre',
    configResolved(resolved) {
      config = resolved;
    },
    load(id) {
      const [file, query] = id.split('?');
      const params = new URLSearchParams(query);
      if (!file || !params.has('worker') || !params.has('url')) return;
      const path = `${config.base}@worker-bundle/${posix.relative(config.root, file)}`;
      entries.set(path, file);
      return `export default ${JSON.stringify(path)};`;
    },
    configureServer(server) {
      server.watcher.on('change', (file) => {
        if (!bundledFiles.has(normalizePath(file))) return;
        bundles.clear();
        bundledFiles.clear();
        // The page keeps the worker module it fetched for every restart; a reload fetches the new one.
        server.ws.send({ type: 'full-reload' });
      });
      server.middlewares.use((req, res, next) => {
        const path = req.url?.split('?')[0] ?? '';
        const entry = entries.get(path);
        if (!entry) return next();
        const built = bundles.get(path) ?? startBundle(path, entry);
        built.then(
          ({ code }) => {
            res.setHeader('Content-Type', 'text/javascript');
            res.setHeader('Cache-Control', 'no-store');
            res.end(code);
          },
          (error: unknown) => {
            config.logger.error(`Could not bundle the worker ${entry}: ${String(error)}`);
            res.statusCode = 500;
            res.end();
          },
        );
      });
    },
  };
}
