// `npm run bench:limits`: issue 14's sizes against the built app (bench/limits.ts), run through
// Vite's module runner as bench/run.mjs does. Needs `npm run build` first.
import { runnerImport } from 'vite';

const { module } = await runnerImport(new URL('./limits.ts', import.meta.url).pathname);
await module.runLimitsBench();
