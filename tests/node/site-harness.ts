import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { inject } from 'vitest';
import { madeOncePerRun } from './once-per-run';

const root = new URL('../../', import.meta.url);

/** The site-build fixture project: posts, drafts, macros, a template override, assets, site.yml. */
export const blogFixture = new URL('tests/fixtures/site-blog/', root).pathname;
/** The reference desktop app's fixture folder (scripts only), which must build unchanged. */
export const referenceFixture = new URL('tests/fixtures/reference-app/', root).pathname;
/** A project folder as the reference desktop app writes it: a post calling a macro Pymark lacks, media. */
export const referenceProject = new URL('tests/fixtures/reference-project/', root).pathname;

/** A fresh copy of a fixture in a temporary folder, to edit and build into. */
export function copyFixture(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pymark-site-'));
  cpSync(fixture, dir, { recursive: true });
  return dir;
}

/**
 * The Node bundles (the CLI and the Python worker, as `npm run build:node` makes them), built once
 * per run into the unit project's folder for them (node-bundles-setup.ts): the first test file to
 * ask builds them, and the files asking meanwhile (in other workers) wait for that build.
 */
export async function buildNodeBundles(): Promise<string> {
  const dir = inject('nodeBundlesDir');
  const outDir = join(dir, 'bundles');
  await madeOncePerRun(dir, 'the Node bundles', async () => {
    await build({
      configFile: new URL('vite.node.config.ts', root).pathname,
      root: root.pathname,
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    });
  });
  return outDir;
}
