import * as Comlink from 'comlink';
import tagCloudFile from '../../defaults/tag_cloud.py?raw';
import vimeoFile from '../../defaults/vimeo.py?raw';
import youtubeFile from '../../defaults/youtube.py?raw';
import type { Script } from '../../src/core/script';
import { sandboxedWorkers } from '../../src/runtime/sandbox-host';
import type { RenderItem } from '../../src/runtime/types';
import { readBundledDefaults } from '../../src/storage/defaults-seeder';
import type { BenchApi } from './api';
import { youtubeContexts } from './contexts';
import type { EchoWorkerApi } from './echo-worker';
import echoWorkerUrl from './echo-worker.ts?worker&url';
import { benchPosts } from './posts';
import { aboutToLoop, bootOnce, primeSnapshot, pyodideBaseUrl, recoverySamples, warmRuntime } from './python';
import { renderPostsSamples } from './render-posts';
import { renderYoutube } from './youtube';

/*
 * The bench page: the app's runtime, sandbox and renderer, driven by bench/driver.ts through
 * `window.bench`. Built by bench/vite.config.ts, apart from the app, so none of it ships.
 */

// The built-in macros, parsed the way the app seeds them.
const scripts: Script[] = (
  await readBundledDefaults([
    { fileName: 'youtube.py', text: youtubeFile },
    { fileName: 'vimeo.py', text: vimeoFile },
    { fileName: 'tag_cloud.py', text: tagCloudFile },
  ])
).map(({ script }) => script);
const youtube = scripts[0]!;

let echoApi: Comlink.Remote<EchoWorkerApi> | undefined;
const echoWorker = () => {
  echoApi ??= Comlink.wrap<EchoWorkerApi>(
    sandboxedWorkers({ workerScriptUrl: echoWorkerUrl, pyodideBaseUrl })(),
  );
  return echoApi;
};

/** Times `call` `times` times, one after the other, after `warmUp` untimed calls. */
async function timeEach(times: number, warmUp: number, call: (index: number) => Promise<unknown>) {
  for (let index = 0; index < warmUp; index++) await call(index);
  const samples: number[] = [];
  for (let index = 0; index < times; index++) {
    const started = performance.now();
    await call(warmUp + index);
    samples.push(performance.now() - started);
  }
  return samples;
}

const youtubeItems = (count: number): RenderItem[] =>
  youtubeContexts(count).map((context) => ({ script: youtube, context }));

const bench: BenchApi = {
  async bootNormal(runs) {
    const samples = [];
    for (let index = 0; index < runs; index++) samples.push(await bootOnce('normal'));
    return samples;
  },

  async bootSnapshot(runs) {
    await primeSnapshot();
    const samples = [];
    for (let index = 0; index < runs; index++) samples.push(await bootOnce('snapshot'));
    return samples;
  },

  async renderBatch(items, repetitions) {
    const runtime = await warmRuntime();
    const batch = youtubeItems(items);
    return timeEach(repetitions, 1, async () => {
      const outcomes = await runtime.renderMany(batch);
      if (!outcomes.every((outcome) => outcome.ok)) throw new Error('a youtube render failed');
    });
  },

  async plainJsWorkerBatch(items, repetitions) {
    const echo = echoWorker();
    const contexts = youtubeContexts(items);
    return timeEach(repetitions, 1, () => echo.renderYoutube(contexts));
  },

  async plainJsBatch(items, repetitions) {
    const contexts = youtubeContexts(items);
    return timeEach(repetitions, 1, async () => contexts.map(renderYoutube));
  },

  async render1000Posts(repetitions) {
    return renderPostsSamples(await warmRuntime(), scripts, benchPosts(1000, { macros: true }), repetitions);
  },

  async render1000PostsNoMacros(repetitions) {
    return renderPostsSamples(await warmRuntime(), scripts, benchPosts(1000, { macros: false }), repetitions);
  },

  interruptRecovery: (runs) => recoverySamples(`${aboutToLoop}while True:\n    pass\n`, runs, 'interrupt'),

  // SIGINT's handler does nothing, so no KeyboardInterrupt is raised however often Stop repeats it:
  // Stop falls back to a worker restart. (A loop that caught KeyboardInterrupt let one through when
  // a repeated SIGINT landed between its `except` and its next `try`.)
  restartRecovery: (runs) =>
    recoverySamples(
      `import signal\nsignal.signal(signal.SIGINT, lambda *_: None)\n${aboutToLoop}while True:\n    pass\n`,
      runs,
      'restart',
    ),
};

window.bench = bench;
