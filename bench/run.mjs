// `npm run bench`. The bench is TypeScript (bench/driver.ts) and shares the e2e harness; Vite's module
// runner loads it, so plain `node` runs it with no build step or loader flag.
import { runnerImport } from 'vite';

const { module } = await runnerImport(new URL('./driver.ts', import.meta.url).pathname);
// `npm run bench -- --only batch,recovery,visits` measures only those figures and writes nothing.
const only = process.argv.find((arg) => arg.startsWith('--only'));
if (only)
  await module.runPartialBench(
    (only.split('=')[1] ?? process.argv[process.argv.indexOf(only) + 1]).split(','),
  );
else await module.runBench();
