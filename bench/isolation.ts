import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, runnerImport } from 'vite';
import { nodeWorker } from '../src/runtime/node/node-runtime';
import type { MacroScript, PythonRuntime, RenderItem } from '../src/runtime/types';
import { repoRoot } from '../tests/e2e/harness';
import { context } from '../tests/node/macro-harness';
import { median } from './stats';

/*
 * `node bench/isolation-run.mjs [base-ref]`: what the isolation model (docs/security.md, "One script,
 * one call") costs, against the code before it (default: ea5d592), both measured in this run, each
 * with its own client and its own Node worker bundle, alternating. Figures: a normal boot to ready;
 * the preview of a post with six macro calls of six scripts (`renderMany`, as the preview sends it);
 * the first syntax check after boot (now in a worker of its own, started on demand).
 */

const previewRepetitions = 30;
const bootRepetitions = 3;

interface Variant {
  name: string;
  createPythonRuntime: (options: { createWorker: () => ReturnType<typeof nodeWorker> }) => PythonRuntime;
  workerUrl: URL;
}

async function variant(name: string, root: string): Promise<Variant> {
  await build({ configFile: resolve(root, 'vite.node.config.ts'), root, logLevel: 'warn' });
  const { module } = await runnerImport<{ createPythonRuntime: Variant['createPythonRuntime'] }>(
    resolve(root, 'src/runtime/client.ts'),
  );
  return {
    name,
    createPythonRuntime: module.createPythonRuntime,
    workerUrl: pathToFileURL(resolve(root, 'dist-node/python-worker.mjs')),
  };
}

function start(variant: Variant): PythonRuntime {
  return variant.createPythonRuntime({ createWorker: () => nodeWorker(variant.workerUrl, 2 ** 30) });
}

function ready(python: PythonRuntime): Promise<void> {
  return new Promise((resolveReady, reject) => {
    const check = () => {
      const { status } = python;
      if (status.state === 'ready') resolveReady();
      else if (status.state === 'failed') reject(new Error(status.reason));
    };
    python.subscribe(check);
    check();
  });
}

const defaults = (slug: string): MacroScript => ({
  id: slug,
  version: 1,
  slug,
  body: readFileSync(resolve(repoRoot, `defaults/${slug}.py`), 'utf8'),
  entrypoint: 'render',
});
const small = (slug: string, body: string): MacroScript => ({
  id: slug,
  version: 1,
  slug,
  body,
  entrypoint: 'render',
});

/** Six calls of six scripts: two players, and four small macros that import standard modules. */
function postItems(): RenderItem[] {
  const scripts = [
    defaults('youtube'),
    defaults('vimeo'),
    small(
      'stamp',
      'import datetime\n\ndef render(context):\n    return datetime.date(2026, 1, 2).isoformat()\n',
    ),
    small('dumped', 'import json\n\ndef render(context):\n    return json.dumps(context["params"])\n'),
    small(
      'wrapped',
      'import textwrap\n\ndef render(context):\n    return textwrap.shorten("a b c d e f", 5)\n',
    ),
    small('hued', 'import colorsys\n\ndef render(context):\n    return str(colorsys.rgb_to_hsv(1, 0, 0))\n'),
  ];
  return scripts.map((script) => ({
    script,
    context: context(
      script.slug,
      script.slug === 'youtube' || script.slug === 'vimeo' ? { id: { type: 'str', value: '123456789' } } : {},
    ),
  }));
}

export async function runIsolationBench(baseRef: string): Promise<void> {
  const baseRoot = mkdtempSync(join(tmpdir(), 'pymark-isolation-base-'));
  execSync(`git archive ${baseRef} | tar -x -C ${baseRoot}`, { cwd: repoRoot, shell: '/bin/bash' });
  symlinkSync(resolve(repoRoot, 'node_modules'), join(baseRoot, 'node_modules'));
  const variants = [await variant('isolated', repoRoot), await variant('before', baseRoot)];
  const loadAtStart = loadavg()[0]!;
  const boots = new Map<string, number[]>();
  const previews = new Map<string, number[]>();
  const checks = new Map<string, number[]>();
  const items = postItems();
  for (let round = 0; round < bootRepetitions; round++) {
    for (const each of variants) {
      const started = performance.now();
      const python = start(each);
      await ready(python);
      boots.set(each.name, [...(boots.get(each.name) ?? []), performance.now() - started]);
      const checkStarted = performance.now();
      await python.checkScript('def render(context):\n    return "x"\n', 'checked.py');
      checks.set(each.name, [...(checks.get(each.name) ?? []), performance.now() - checkStarted]);
      await python.renderMany(items); // untimed: compiles the modules
      for (let index = 0; index < previewRepetitions; index++) {
        const renderStarted = performance.now();
        const outcomes = await python.renderMany(items);
        previews.set(each.name, [...(previews.get(each.name) ?? []), performance.now() - renderStarted]);
        if (!outcomes.every((outcome) => outcome.ok))
          throw new Error(`a macro failed: ${JSON.stringify(outcomes)}`);
      }
      python.dispose();
    }
  }
  const row = (figure: string, samples: Map<string, number[]>) => {
    const isolated = median(samples.get('isolated')!);
    const before = median(samples.get('before')!);
    return `| ${figure} | ${isolated.toFixed(1)} ms | ${before.toFixed(1)} ms | ${(isolated / before).toFixed(2)} × |`;
  };
  console.info(
    [
      `Isolation model, ${new Date().toISOString()}, against ${baseRef}; load average (1 min) at start and end: ${loadAtStart.toFixed(2)}, ${loadavg()[0]!.toFixed(2)}`,
      '',
      '| Figure | Isolated | Before, same run | Ratio |',
      '| --- | --- | --- | --- |',
      row(`Normal boot to ready (median of ${bootRepetitions})`, boots),
      row(
        `Preview of a post with 6 macro calls of 6 scripts (median of ${bootRepetitions * previewRepetitions})`,
        previews,
      ),
      row(`First syntax check after boot (median of ${bootRepetitions})`, checks),
    ].join('\n'),
  );
}
