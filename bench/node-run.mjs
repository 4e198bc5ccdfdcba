// `npm run bench:node` (bench/node-render.ts), loaded through Vite's module runner as bench/run.mjs is.
import { runnerImport } from 'vite';

const { module } = await runnerImport(new URL('./node-render.ts', import.meta.url).pathname);
await module.runNodeBench();
process.exit(0);
