// `node bench/isolation-run.mjs [base-ref]` (bench/isolation.ts), loaded through Vite's module runner as bench/run.mjs is.
import { runnerImport } from 'vite';

const { module } = await runnerImport(new URL('./isolation.ts', import.meta.url).pathname);
await module.runIsolationBench(process.argv[2] ?? '0ea7624');
process.exit(0);
