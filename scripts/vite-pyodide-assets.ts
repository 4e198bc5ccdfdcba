import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';
import { pyodideFiles } from '../src/runtime/pyodide-files.ts';

const contentTypes: Record<string, string> = {
  mjs: 'text/javascript',
  wasm: 'application/wasm',
  zip: 'application/zip',
  json: 'application/json',
};

function pyodideDir(): string {
  return dirname(createRequire(import.meta.url).resolve('pyodide/package.json'));
}

/** Serves (dev) and emits (build) Pyodide's runtime files under `<base>pyodide/`. */
export function pyodideAssets(): Plugin {
  const dir = pyodideDir();
  let base = '/';
  return {
    name: 'pymark:pyodide-assets',
    configResolved(config) {
      base = config.base;
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = req.url?.split('?')[0] ?? '';
        const prefix = `${base}pyodide/`;
        const file = path.startsWith(prefix) ? path.slice(prefix.length) : '';
        if (!(pyodideFiles as readonly string[]).includes(file)) return next();
        res.setHeader(
          'Content-Type',
          contentTypes[file.split('.').pop() ?? ''] ?? 'application/octet-stream',
        );
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        createReadStream(join(dir, file)).pipe(res);
      });
    },
    generateBundle() {
      for (const file of pyodideFiles) {
        this.emitFile({ type: 'asset', fileName: `pyodide/${file}`, source: readFileSync(join(dir, file)) });
      }
    },
  };
}
