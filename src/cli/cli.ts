import { runCli } from './main';

// The entry the `pymark` bin loads (bundled into dist-node/pymark.mjs).
process.exitCode = await runCli(process.argv.slice(2));
