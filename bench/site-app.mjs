// `npm run bench:site-app`: a 1,000-post site built in the app (Chromium) and by the Node engine the
// CLI runs, on the same corpus. The bench is TypeScript run through Vite's module runner, as
// bench/run.mjs does; the Node engine is bundled first (vite.node.config.ts, as the CLI is) and
// imported here, since the runner is closed once the bench module has loaded.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, runnerImport } from 'vite';

const root = new URL('../', import.meta.url).pathname;
// Inside the checkout, so the bundle resolves pyodide from node_modules as the CLI does.
const outDir = join(root, 'node_modules/.cache/pymark-site-engine-bench');
await build({
  configFile: join(root, 'vite.node.config.ts'),
  root,
  logLevel: 'warn',
  build: { outDir, rolldownOptions: { input: { 'site-engine': 'tests/e2e/site-engine-entry.ts' } } },
});
const engine = await import(pathToFileURL(join(outDir, 'site-engine.mjs')).href);
const { module } = await runnerImport(new URL('./site-app.ts', import.meta.url).pathname);
await module.runSiteAppBench(engine);
