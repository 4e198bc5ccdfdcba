import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

/** README's architecture map: each layer may import only from the layers before it. */
const layers = ['core', 'runtime', 'storage', 'render', 'site', 'ui', 'cli'] as const;

const src = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) ? [path] : [];
  });
}

function layerOf(path: string): number {
  return layers.indexOf(relative(src, path).split('/')[0] as (typeof layers)[number]);
}

describe('layering', () => {
  test.each(layers.map((layer) => [layer]))('src/%s imports only from lower layers', (layer) => {
    const own = layers.indexOf(layer);
    const violations: string[] = [];
    for (const file of sourceFiles(join(src, layer))) {
      const text = readFileSync(file, 'utf8');
      for (const [, specifier] of text.matchAll(/from '(\.[^']+)'/g)) {
        const target = layerOf(resolve(file, '..', specifier ?? ''));
        if (target > own) violations.push(`${relative(src, file)} imports ${specifier}`);
      }
    }
    expect(violations).toEqual([]);
  });

  test.each([['core'], ['site']])('src/%s stays free of DOM and worker globals', (layer) => {
    // src/site/app is the site build's worker and its page-side client: worker globals are its job.
    const offenders = sourceFiles(join(src, layer)).filter(
      (file) =>
        !relative(src, file).startsWith('site/app/') &&
        /\b(document|window|self|navigator|localStorage|indexedDB|postMessage)\s*[.(]/.test(
          readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''),
        ),
    );
    expect(offenders.map((file) => relative(src, file))).toEqual([]);
  });
});
