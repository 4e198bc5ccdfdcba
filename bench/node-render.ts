import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadPyodide } from 'pyodide';
import { build } from 'vite';
import type { MacroContext } from '../src/core/abi';
import { createNodeRuntime } from '../src/runtime/node/node-runtime';
import type { MacroScript } from '../src/runtime/types';
import { repoRoot } from '../tests/e2e/harness';
import { youtubeContexts } from './page/contexts';
import { renderYoutube } from './page/youtube';
import { median } from './stats';

/*
 * `npm run bench:node`: `renderMany` of 10,000 youtube contexts through the Node runtime the site
 * build uses (one worker thread, real Pyodide), against defaults/youtube.py ported to plain
 * JavaScript (bench/page/youtube.ts) over the same contexts in this process. Goal: ≤ 3 µs per macro.
 */

const items = 10_000;
const repetitions = 9;

export async function runNodeBench(): Promise<{ pythonUs: number; plainJsUs: number }> {
  await build({ configFile: resolve(repoRoot, 'vite.node.config.ts'), root: repoRoot, logLevel: 'warn' });
  const runtime = createNodeRuntime({
    itemsPerCall: items,
    // A measurement, not a guard: 10,000 calls in one worker call outlast the default 5 s under load.
    timeLimitMs: 600_000,
    workerUrl: pathToFileURL(resolve(repoRoot, 'dist-node/python-worker.mjs')),
  });
  try {
    await runtime.ready();
    const youtube: MacroScript = {
      id: 'youtube',
      version: 1,
      slug: 'youtube',
      body: readFileSync(resolve(repoRoot, 'defaults/youtube.py'), 'utf8'),
      entrypoint: 'render',
    };
    const contexts = youtubeContexts(items);
    const batch = contexts.map((context) => ({ script: youtube, context }));
    /**
     * Per macro: the median wall time, and the median CPU time of the whole process (both threads:
     * this one and the worker's), which other work on a shared machine inflates far less.
     */
    const time = async (call: () => Promise<unknown> | unknown) => {
      await call(); // untimed: compiles the module, warms the code paths
      const [wall, cpu]: [number[], number[]] = [[], []];
      for (let index = 0; index < repetitions; index++) {
        const [started, startedCpu] = [performance.now(), process.cpuUsage()];
        await call();
        const used = process.cpuUsage(startedCpu);
        wall.push(performance.now() - started);
        cpu.push((used.user + used.system) / 1000);
      }
      return { wallUs: (median(wall) * 1000) / items, cpuUs: (median(cpu) * 1000) / items };
    };
    // The baseline must do the macro's work, no less: the port's output is the macro's, call for call.
    const outcomes = await runtime.renderMany(batch);
    outcomes.forEach((outcome, index) => {
      const port = renderYoutube(contexts[index]!);
      if (!outcome.ok || outcome.html !== port.html || String(outcome.warnings) !== String(port.warnings))
        throw new Error(`bench/page/youtube.ts differs from defaults/youtube.py at call ${index}`);
    });
    const python = await time(async () => {
      const outcomes = await runtime.renderMany(batch);
      const failed = outcomes.find((outcome) => !outcome.ok);
      if (failed) throw new Error(`a youtube render failed: ${JSON.stringify(failed)}`);
    });
    const plainJs = await time(() => contexts.map(renderYoutube));
    const alone = await pythonAlone(contexts, youtube.body, time);
    const figure = ({ wallUs, cpuUs }: { wallUs: number; cpuUs: number }) =>
      `${wallUs.toFixed(2)} µs/macro (CPU ${cpuUs.toFixed(2)})`;
    console.info(
      `renderMany of ${items.toLocaleString('en')} youtube contexts in Node: ${figure(python)}; ` +
        `plain JS ${figure(plainJs)}; ratio ${(python.wallUs / plainJs.wallUs).toFixed(1)} × ` +
        `(CPU ${(python.cpuUs / plainJs.cpuUs).toFixed(1)} ×); load ${loadavg()[0]!.toFixed(2)}; ` +
        `goal ≤ 3 µs/macro: ${python.wallUs <= 3 ? 'met' : 'not met'}`,
    );
    console.info(
      `The same macro in a plain Pyodide on this thread, nothing around it: render() alone ` +
        `${figure(alone.render)}; with the batch's JSON read and the results' written ` +
        `${figure(alone.withJson)}`,
    );
    return { pythonUs: python.wallUs, plainJsUs: plainJs.wallUs };
  } finally {
    runtime.dispose();
  }
}

type Timer = (call: () => Promise<unknown> | unknown) => Promise<{ wallUs: number; cpuUs: number }>;

/**
 * The floor under `renderMany`: the macro's `render()` over the same contexts in a plain Pyodide
 * (no worker, no isolation, no engine), first over dicts made beforehand, then with the contexts
 * read from one JSON text (each env and post once, as a batch carries them) and the results
 * written to one, as any batch must.
 */
async function pythonAlone(contexts: MacroContext[], code: string, time: Timer) {
  const pyodide = await loadPyodide({ indexURL: resolve(repoRoot, 'node_modules/pyodide') });
  pyodide.runPython(code);
  // As a batch carries them: each env and post once, each call naming its own.
  const [envs, posts] = [
    [...new Set(contexts.map(({ env }) => env))],
    [...new Set(contexts.map(({ post }) => post))],
  ];
  const calls = contexts.map(({ macro, params, args, env, post }) => ({
    macro,
    params: Object.fromEntries(Object.entries(params).map(([name, { value }]) => [name, value])),
    args: args.map(({ value }) => value),
    env: envs.indexOf(env),
    post: posts.indexOf(post),
  }));
  pyodide.globals.set('batch_text', JSON.stringify({ envs, posts, calls }));
  const [renderAll, roundTrip] = pyodide.runPython(`
import json
def contexts_of(batch):
    envs, posts = batch["envs"], batch["posts"]
    return [{**call, "env": envs[call["env"]], "post": posts[call["post"]]} for call in batch["calls"]]
contexts = contexts_of(json.loads(batch_text))
def render_all():
    for context in contexts:
        render(context)
def round_trip():
    return json.dumps([render(context) for context in contexts_of(json.loads(batch_text))])
render_all, round_trip
`) as unknown as [() => void, () => string];
  return { render: await time(() => renderAll()), withJson: await time(() => roundTrip()) };
}
