// `npm run bench`. The bench is TypeScript (bench/driver.ts) and shares the e2e harness; Vite's module
// runner loads it, so plain `node` runs it with no build step or loader flag.
import { runnerImport } from 'vite';

const { module } = await runnerImport(new URL('./driver.ts', import.meta.url).pathname);
await module.runBench();
