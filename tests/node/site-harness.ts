import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';

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
 * Builds the Node bundles (the CLI and the Python worker, as `npm run build:node` does) into a
 * temporary folder of this test file's own, so test files building in parallel never share one.
 */
export async function buildNodeBundles(): Promise<string> {
  // Inside node_modules, so the bundles resolve the packages they import, as dist-node/ does.
  const parent = new URL('node_modules/.cache/', root).pathname;
  mkdirSync(parent, { recursive: true });
  const outDir = mkdtempSync(join(parent, 'pymark-dist-node-'));
  await build({
    configFile: new URL('vite.node.config.ts', root).pathname,
    root: root.pathname,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}
