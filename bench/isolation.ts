import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, runnerImport } from 'vite';
import { nodeWorker } from '../src/runtime/node/node-runtime';
import type { MacroScript, PythonRuntime, RenderItem } from '../src/runtime/types';
import { repoRoot } from '../tests/e2e/harness';
import { context } from '../tests/node/macro-harness';
import { youtubeContexts } from './page/contexts';
import { renderYoutube } from './page/youtube';
import { median } from './stats';

/*
 * `node bench/isolation-run.mjs [base-ref]`: what the isolation model (docs/security.md, "One script,
 * one call") costs, and what the hot-path work changed, in one run. Three builds of the runtime, each
 * with its own client and Node worker bundle, measured in turn, round after round:
 *   - `isolated`: this checkout's HEAD;
 *   - `no resets`: the same commit with the memory wall's restore left out (python-guard.ts), the baseline
 *     the model is weighed against (only here: the product never skips a reset);
 *   - `base`: `base-ref` (default 0ea7624, before the calls of a batch were grouped by script).
 * Figures: a normal boot to ready; the preview of a post with six macro calls of six scripts; a site
 * build's macros (200 posts, each calling youtube, vimeo and a small macro, in post order, in one
 * `renderMany`); 1,000 youtube calls in one `renderMany`, per macro, beside the macro in plain
 * JavaScript in this process; the first syntax check after boot (in the second worker).
 */

const rounds = 2;
const previewRepetitions = 10;
const buildRepetitions = 2;
const buildPosts = 200;
const youtubeCalls = 1_000;

interface Variant {
  name: string;
  createPythonRuntime: (options: {
    createWorker: () => ReturnType<typeof nodeWorker>;
    renderTimeoutMs: number;
  }) => PythonRuntime;
  workerUrl: URL;
}

/** A copy of `ref` in a temporary directory, sharing this checkout's node_modules. */
function checkout(ref: string, prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  execSync(`git archive ${ref} | tar -x -C ${root}`, { cwd: repoRoot, shell: '/bin/bash' });
  symlinkSync(resolve(repoRoot, 'node_modules'), join(root, 'node_modules'));
  return root;
}

/** Makes the memory wall never restore in the copy at `root`: the baseline without resets. */
function withoutResets(root: string): string {
  const path = join(root, 'src/runtime/python-guard.ts');
  const source = readFileSync(path, 'utf8');
  const restore = '        wall.restore(isolation.hostReset);\n';
  if (source.split(restore).length !== 2) throw new Error('python-guard.ts has no restore to disable');
  writeFileSync(path, source.replace(restore, ''));
  return root;
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

const script = (slug: string, body: string): MacroScript => ({
  id: slug,
  version: 1,
  slug,
  body,
  entrypoint: 'render',
});
const bundled = (slug: string) =>
  script(slug, readFileSync(resolve(repoRoot, `defaults/${slug}.py`), 'utf8'));
const youtube = bundled('youtube');
const vimeo = bundled('vimeo');
const player = (macro: MacroScript, index: number) =>
  context(macro.slug, {
    id: { type: 'str', value: macro === youtube ? 'dQw4w9WgXcQ' : `${100000 + index}` },
  });

/** Six calls of six scripts: two players, and four small macros that import standard modules. */
function previewItems(): RenderItem[] {
  const small = [
    script(
      'stamp',
      'import datetime\n\ndef render(context):\n    return datetime.date(2026, 1, 2).isoformat()\n',
    ),
    script('dumped', 'import json\n\ndef render(context):\n    return json.dumps(context["params"])\n'),
    script(
      'wrapped',
      'import textwrap\n\ndef render(context):\n    return textwrap.shorten("a b c d e f", 5)\n',
    ),
    script('hued', 'import colorsys\n\ndef render(context):\n    return str(colorsys.rgb_to_hsv(1, 0, 0))\n'),
  ];
  return [
    { script: youtube, context: player(youtube, 0) },
    { script: vimeo, context: player(vimeo, 0) },
    ...small.map((each) => ({ script: each, context: context(each.slug) })),
  ];
}

/** A site build's macro calls in post order, as the build batches them: three scripts, interleaved. */
function buildItems(): RenderItem[] {
  const stamp = script('stamp', 'def render(context):\n    return context["post"]["slug"]\n');
  return Array.from({ length: buildPosts }, (_, index) => [
    { script: youtube, context: player(youtube, index) },
    { script: vimeo, context: player(vimeo, index) },
    { script: stamp, context: context('stamp') },
  ]).flat();
}

async function timed(samples: Map<string, number[]>, name: string, call: () => Promise<unknown>) {
  const started = performance.now();
  await call();
  samples.set(name, [...(samples.get(name) ?? []), performance.now() - started]);
}

async function renderAll(python: PythonRuntime, items: RenderItem[]) {
  const outcomes = await python.renderMany(items);
  const failed = outcomes.find((outcome) => !outcome.ok);
  if (failed) throw new Error(`a macro failed: ${JSON.stringify(failed)}`);
}

export async function runIsolationBench(baseRef: string): Promise<void> {
  const head = execSync('git rev-parse --short HEAD', { cwd: repoRoot, encoding: 'utf8' }).trim();
  const variants = [
    await variant('isolated', checkout(head, 'pymark-isolated-')),
    await variant('no resets', withoutResets(checkout(head, 'pymark-no-resets-'))),
    await variant('base', checkout(baseRef, 'pymark-base-')),
  ];
  const loadAtStart = loadavg();
  const figures = {
    boot: new Map<string, number[]>(),
    check: new Map<string, number[]>(),
    preview: new Map<string, number[]>(),
    build: new Map<string, number[]>(),
    youtube: new Map<string, number[]>(),
  };
  const preview = previewItems();
  const site = buildItems();
  const youtubeBatch = youtubeContexts(youtubeCalls).map((each) => ({ script: youtube, context: each }));
  const plainJs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const each of variants) {
      let python: PythonRuntime | undefined;
      await timed(figures.boot, each.name, async () => {
        python = each.createPythonRuntime({
          createWorker: () => nodeWorker(each.workerUrl, 2 ** 30),
          // Far past what a batch takes, even on a loaded machine: a timeout would end the run.
          renderTimeoutMs: 600_000,
        });
        await ready(python);
      });
      if (!python) throw new Error('no runtime');
      const booted = python;
      try {
        await timed(figures.check, each.name, () =>
          booted.checkScript('def render(context):\n    return "x"\n', 'checked.py'),
        );
        // Untimed first: compiles the scripts' modules.
        await renderAll(booted, preview);
        for (let index = 0; index < previewRepetitions; index++)
          await timed(figures.preview, each.name, () => renderAll(booted, preview));
        await renderAll(booted, site);
        for (let index = 0; index < buildRepetitions; index++)
          await timed(figures.build, each.name, () => renderAll(booted, site));
        await renderAll(booted, youtubeBatch);
        for (let index = 0; index < buildRepetitions; index++)
          await timed(figures.youtube, each.name, () => renderAll(booted, youtubeBatch));
      } finally {
        booted.dispose();
      }
      // Progress, so a run stopped early still says what it measured.
      console.error(
        `round ${round + 1}, ${each.name}: ${JSON.stringify(Object.fromEntries(Object.entries(figures).map(([figure, samples]) => [figure, samples.get(each.name)?.map(Math.round)])))}`,
      );
    }
    youtubeBatch.map(({ context: each }) => renderYoutube(each)); // untimed: warms the JIT
    for (let index = 0; index < buildRepetitions; index++) {
      const started = performance.now();
      youtubeBatch.map(({ context: each }) => renderYoutube(each));
      plainJs.push(performance.now() - started);
    }
  }
  const loadAtEnd = loadavg();
  const ms = (samples: number[]) => `${median(samples).toFixed(1)} ms`;
  const ratio = (a: number[], b: number[]) => `${(median(a) / median(b)).toFixed(2)} ×`;
  const row = (figure: string, samples: Map<string, number[]>, format = ms) => {
    const [isolated, noResets, base] = variants.map((each) => samples.get(each.name)!);
    return `| ${figure} | ${format(isolated!)} | ${format(noResets!)} | ${ratio(isolated!, noResets!)} | ${format(base!)} | ${ratio(isolated!, base!)} |`;
  };
  const perMacro = (samples: number[]) => `${((median(samples) * 1000) / youtubeCalls).toFixed(1)} µs`;
  const plainJsPerMacro = (median(plainJs) * 1000) / youtubeCalls;
  const load = (values: number[]) => values.map((value) => value.toFixed(2)).join(', ');
  console.info(
    [
      `Isolation and hot path, ${new Date().toISOString()}: ${head} (isolated), the same without resets, ${baseRef} (base).`,
      `Load average (1, 5, 15 min) at start: ${load(loadAtStart)}; at end: ${load(loadAtEnd)}. Medians; ${rounds} boots per build.`,
      '',
      '| Figure | Isolated | No resets | Isolated ÷ no resets | Base | Isolated ÷ base |',
      '| --- | --- | --- | --- | --- | --- |',
      row('Normal boot to ready', figures.boot),
      row('First syntax check after boot (second worker)', figures.check),
      row('Preview: a post with 6 calls of 6 scripts', figures.preview),
      row(`Site build's macros: ${buildPosts} posts × 3 scripts, one renderMany`, figures.build),
      row(
        `renderMany of ${youtubeCalls.toLocaleString('en')} youtube calls, per macro`,
        figures.youtube,
        perMacro,
      ),
      '',
      `The same youtube calls in plain JavaScript in this process: ${plainJsPerMacro.toFixed(2)} µs per macro; ` +
        `isolated renderMany is ${((median(figures.youtube.get('isolated')!) * 1000) / youtubeCalls / plainJsPerMacro).toFixed(1)} × that, ` +
        `base ${((median(figures.youtube.get('base')!) * 1000) / youtubeCalls / plainJsPerMacro).toFixed(1)} ×.`,
    ].join('\n'),
  );
}
