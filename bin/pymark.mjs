#!/usr/bin/env node
// The `pymark` command. Node 20 runs neither TypeScript nor Vite's `?raw` imports, so the command is a
// bundle that `npm install` builds (the `prepare` script runs `npm run build:node` into dist-node/).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist-node/pymark.mjs', import.meta.url);
// pymark.mjs runs the command from pymark-cli.cjs, which the second of build:node's two builds makes.
if (!existsSync(bundle) || !existsSync(new URL('../dist-node/pymark-cli.cjs', import.meta.url))) {
  process.stderr.write(
    'pymark: the command is not built yet; run `npm run build:node` in the Pymark folder.\n',
  );
  process.exit(2);
}
await import(bundle.href);
