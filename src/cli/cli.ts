import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, Script } from 'node:vm';
import { defaultCacheDirectory } from './cache-directory';
import type * as Command from './main';

/*
 * The entry the `pymark` bin loads (dist-node/pymark.mjs): it runs the command, bundled as one
 * CommonJS file beside it (pymark-cli.cjs, from main.ts), with V8's code cache. Compiling that
 * megabyte of JavaScript, and then each function the first time it runs, was a fifth of a one-post
 * rebuild; Node 20 caches no compiled code of its own (`module.enableCompileCache` came in Node 22),
 * and for ES modules offers no way to hand V8 a cache, which `vm.Script` takes for a script. The
 * cache is made after a run, so it holds the functions that run compiled too, and kept beside
 * Python's snapshot, named by the bundle's SHA-256, Node's version and flags; V8 checks it again and
 * compiles afresh (and the cache is made anew) when it does not fit.
 */

const bundle = fileURLToPath(new URL('./pymark-cli.cjs', import.meta.url));
const bytes = readFileSync(bundle);
const source = bytes.toString('utf8');
const cacheFolder = join(defaultCacheDirectory(), 'code');
// Hashed as bytes: the same digest as the text's, without encoding a megabyte of it again.
const bundleName = `pymark-cli-${createHash('sha256').update(bytes).digest('hex').slice(0, 24)}`;
// V8 rejects a cache made under other flags (`--max-old-space-size`): one file per set of them.
const flags = createHash('sha256').update(process.execArgv.join('\0')).digest('hex').slice(0, 8);
const cacheName = `${bundleName}-${process.version}-${process.arch}-${flags}.v8`;
const cachePath = join(cacheFolder, cacheName);
const cachedData = readCache();
// A CommonJS module's own wrapper, as Node's loader puts around it.
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  cachedData,
  // The bundle loads sharp with `import()`, resolved as the main context resolves it.
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
const command = { exports: {} as typeof Command };
(script.runInThisContext() as (...args: unknown[]) => void).call(
  command.exports,
  command.exports,
  createRequire(bundle),
  command,
  bundle,
  dirname(bundle),
);
process.exitCode = await command.exports.runCli(process.argv.slice(2));
if (cachedData === undefined || script.cachedDataRejected) writeCache(script.createCachedData());

function readCache(): Buffer | undefined {
  try {
    return readFileSync(cachePath);
  } catch {
    return undefined;
  }
}

/** Whole or not at all (a rename); other bundles' caches go. A cache: failing to write it costs nothing. */
function writeCache(bytes: Buffer): void {
  try {
    mkdirSync(cacheFolder, { recursive: true });
    const temporary = `${cachePath}.${process.pid}.tmp`;
    writeFileSync(temporary, bytes);
    renameSync(temporary, cachePath);
    for (const name of readdirSync(cacheFolder)) {
      if (name.startsWith('pymark-cli-') && !name.startsWith(bundleName))
        rmSync(join(cacheFolder, name), { force: true });
    }
  } catch {
    // The next run compiles again, as this one did.
  }
}
