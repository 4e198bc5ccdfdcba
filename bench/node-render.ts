import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';
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
  const python = createNodeRuntime({
    itemsPerCall: items,
    // A measurement, not a guard: 10,000 calls in one worker call outlast the default 5 s under load.
    timeLimitMs: 600_000,
    workerUrl: pathToFileURL(resolve(repoRoot, 'dist-node/python-worker.mjs')),
  });
  try {
    await python.ready();
    const youtube: MacroScript = {
      id: 'youtube',
      version: 1,
      slug: 'youtube',
      body: readFileSync(resolve(repoRoot, 'defaults/youtube.py'), 'utf8'),
      entrypoint: 'render',
    };
    const contexts = youtubeContexts(items);
    const batch = contexts.map((context) => ({ script: youtube, context }));
    const time = async (call: () => Promise<unknown> | unknown) => {
      await call(); // untimed: compiles the module, warms the code paths
      const samples: number[] = [];
      for (let index = 0; index < repetitions; index++) {
        const started = performance.now();
        await call();
        samples.push(performance.now() - started);
      }
      return (median(samples) * 1000) / items;
    };
    const pythonUs = await time(async () => {
      const outcomes = await python.renderMany(batch);
      const failed = outcomes.find((outcome) => !outcome.ok);
      if (failed) throw new Error(`a youtube render failed: ${JSON.stringify(failed)}`);
    });
    const plainJsUs = await time(() => contexts.map(renderYoutube));
    console.info(
      `renderMany of ${items.toLocaleString('en')} youtube contexts in Node: ${pythonUs.toFixed(2)} µs/macro; ` +
        `plain JS ${plainJsUs.toFixed(3)} µs/macro; ratio ${(pythonUs / plainJsUs).toFixed(1)} ×; ` +
        `goal ≤ 3 µs/macro: ${pythonUs <= 3 ? 'met' : 'not met'}`,
    );
    return { pythonUs, plainJsUs };
  } finally {
    python.dispose();
  }
}
