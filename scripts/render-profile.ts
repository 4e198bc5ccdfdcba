import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as Comlink from 'comlink';
import { loadPyodide } from 'pyodide';
import { renderYoutube } from '../bench/page/youtube.ts';
import type { AbiPost, MacroContext, MacroEnv } from '../src/core/abi.ts';
import { createPythonRuntime, type WorkerEndpoint } from '../src/runtime/client.ts';
import { createMacroEngine, type MacroEngine } from '../src/runtime/macro-engine.ts';
import { portEndpoint } from '../src/runtime/port-endpoint.ts';
import {
  bootRequestSchema,
  parseMessage,
  type WorkerRenderAnswer,
  workerRenderRequestSchema,
} from '../src/runtime/protocol.ts';
import { encodeRenderBatch } from '../src/runtime/render-batch.ts';
import { prepareRender } from '../src/runtime/render-call.ts';
import { serveRenderLane } from '../src/runtime/render-lane.ts';
import { decodeRenderResult } from '../src/runtime/render-result.ts';
import type { MacroScript, RenderItem } from '../src/runtime/types.ts';

/* What scripts/profile-render.mjs runs; see there. */

const batchSize = 10_000;
const roundTrips = 2_000;

const youtube: MacroScript = {
  id: 'youtube',
  version: 1,
  slug: 'youtube',
  body: readFileSync(new URL('../defaults/youtube.py', import.meta.url), 'utf8'),
  entrypoint: 'render',
};
const env: MacroEnv = { preview: false, language: 'en', base_url: 'https://blog.example/' };
const post: AbiPost = {
  id: 'p1',
  title: 'A post with videos',
  slug: 'videos',
  status: 'published',
  tags: ['video', 'music'],
  categories: ['media'],
  created_at: '2026-01-02T03:04:05Z',
  updated_at: '2026-01-02T03:04:05Z',
  published_at: '2026-01-02T03:04:05Z',
};

/** One post's calls as the post renderer makes them: one post and env object, params varying. */
function contexts(count: number): MacroContext[] {
  return Array.from({ length: count }, (_, index) => ({
    macro: 'youtube',
    params: {
      id: { type: 'str', value: `vid_${String(index).padStart(7, '0')}` },
      title: { type: 'str', value: `Video "${index}" & more` },
      start: { type: 'int', value: index % 600 },
    },
    args: [],
    env,
    post,
  }));
}

/** The worker's render call, as worker.ts makes it, reached over a real MessageChannel. */
function inProcessWorker(engine: MacroEngine): WorkerEndpoint {
  const { port1, port2 } = new MessageChannel();
  const render = (request: unknown) => {
    const { batch } = parseMessage(workerRenderRequestSchema, request, 'render request');
    return { results: engine.render(batch), heapBytes: 0 };
  };
  let held: WorkerRenderAnswer | undefined;
  Comlink.expose(
    {
      boot: async (request: unknown) => {
        const { renderLane } = parseMessage(bootRequestSchema, request, 'boot request');
        void serveRenderLane(renderLane, render, (answer) => {
          held = answer;
        });
        return { ok: true, bootInfo: { source: 'normal', ms: 0 } };
      },
      heapBytes: async () => 0,
      render: async (request: unknown) => render(request),
      takeHeldRender: async () => held,
    },
    port2,
  );
  const interrupt = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  return portEndpoint(port1, new EventTarget(), interrupt, () => {});
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median and minimum: on a shared machine the minimum shows the cost without other load. */
function summary(values: number[]): string {
  const column = (ms: number) => ms.toFixed(1).padStart(7);
  return `${column(median(values))} ${column(Math.min(...values))}`;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function timed(work: () => unknown): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export async function main(runs: number): Promise<void> {
  const indexURL = `${dirname(createRequire(import.meta.url).resolve('pyodide/package.json'))}/`;
  const pyodide = await loadPyodide({ indexURL });
  // As in the worker: Pyodide polls the buffer while Python runs.
  pyodide.setInterruptBuffer(new Int32Array(new SharedArrayBuffer(4)));
  const engine = createMacroEngine(pyodide);
  const runtime = createPythonRuntime({ createWorker: () => inProcessWorker(engine) });

  const batch = contexts(batchSize);
  const items: RenderItem[] = batch.map((context) => ({ script: youtube, context }));
  const expected = batch.map(renderYoutube);
  const outcomes = await runtime.renderMany(items);
  outcomes.forEach((outcome, index) => {
    const want = expected[index]!;
    if (!outcome.ok || outcome.html !== want.html || outcome.warnings.length !== want.warnings.length)
      throw new Error(`item ${index}: ${JSON.stringify(outcome)} differs from ${JSON.stringify(want)}`);
  });

  const stages: Record<string, number[]> = {
    'plain JS': [],
    'renderMany (total)': [],
    '  prepare (validate + encode)': [],
    '  engine.render (Python + its result)': [],
    '  decode results': [],
  };
  for (let run = 0; run < runs; run += 1) {
    stages['plain JS']!.push(await timed(() => batch.map(renderYoutube)));
    stages['renderMany (total)']!.push(await timed(() => runtime.renderMany(items)));
    let batchJson = '';
    stages['  prepare (validate + encode)']!.push(
      await timed(() => {
        batchJson = encodeRenderBatch(prepareRender(items).valid).text;
      }),
    );
    let results = '';
    stages['  engine.render (Python + its result)']!.push(
      await timed(() => {
        results = engine.render(batchJson);
      }),
    );
    stages['  decode results']!.push(await timed(() => decodeRenderResult(results)));
  }
  const plain = median(stages['plain JS']!);
  console.log(`${batchSize} youtube renders, ${runs} runs (ms):`.padEnd(43), ' median     min');
  for (const [stage, values] of Object.entries(stages)) console.log(`${stage.padEnd(42)} ${summary(values)}`);
  const total = median(stages['renderMany (total)']!);
  console.log(
    `per macro: ${((total * 1000) / batchSize).toFixed(2)} µs vs ${((plain * 1000) / batchSize).toFixed(2)} µs plain JS; ratio ${(total / plain).toFixed(1)}×`,
  );

  const single = batch[0]!;
  for (let warm = 0; warm < 200; warm += 1) await runtime.renderMacro(youtube, single);
  const latencies: number[] = [];
  for (let call = 0; call < roundTrips; call += 1)
    latencies.push(await timed(() => runtime.renderMacro(youtube, single)));
  console.log(
    `renderMacro warm, ${roundTrips} calls: p50 ${percentile(latencies, 0.5).toFixed(3)} ms, p95 ${percentile(latencies, 0.95).toFixed(3)} ms`,
  );
  runtime.dispose();
}
