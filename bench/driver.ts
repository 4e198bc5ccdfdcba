import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { relative, resolve } from 'node:path';
import { build } from 'vite';
import { firstVisit, launchBrowser, newAppPage, repoRoot, startPreviewServer } from '../tests/e2e/harness';
import { type KeystrokeSamples, keystrokeSamples, type VisitSample, visitSamples } from './app-bench';
import type { BenchApi, BootSample, PostsSample, RecoverySample } from './page/api';
import {
  type BenchRun,
  type Figure,
  formatNumber,
  historyRow,
  historyRows,
  type Machine,
  type Revision,
  renderResultsMarkdown,
  renderTable,
  sectionsAfterHistory,
} from './report';
import { median, percentile } from './stats';

/*
 * `npm run bench`: builds the bench page (bench/page), serves it with the app's cross-origin
 * isolation headers, drives it in the system Chromium, and writes the figures. Sample counts are
 * kept small enough for the whole run to take a few minutes on two cores.
 */

const counts = {
  boots: 3,
  batchItems: 10_000,
  batchRepetitions: 5,
  postRepetitions: 1,
  interrupts: 5,
  restarts: 2,
  keystrokeRounds: 2,
  keystrokesPerRound: 8,
  visits: 2,
};

const method = `- **Keystroke to preview painted**: in the built app (dist/, \`npm run build\`) in Chromium, one post whose body is set, in turn, with five calls of the bundled macros (two youtube, two vimeo, a tag cloud) and without them, ${counts.keystrokeRounds} rounds of ${counts.keystrokesPerRound} single keystrokes at its end for each. Each is timed from the keydown event (its timeStamp) to the second animation frame in the preview frame after the typed text appeared there: the preview's typing pause (200 ms), the render, the frame's update and its paint. The app is left quiet (saved, not rendering) between keystrokes. Baseline: the same post with the macro lines removed.
- **Python ready from navigation**: in the built app, a fresh browser context per visit: navigation start to the runtime's first \`ready\` (the page's \`pymark:python-ready\` performance mark), on the first visit (a normal boot, which stores the snapshot) and after a reload once the snapshot is stored (a snapshot boot), median of ${counts.visits} visits.
- **Cold boot**: \`createPythonRuntime\` (the app's sandboxed worker) to status \`ready\`, median of ${counts.boots}. Normal: no snapshot store, so the boot is the app's first visit (Pyodide boot, Pymark's modules, then the memory snapshot made and handed back). Snapshot: the snapshot store on IndexedDB primed by one untimed normal boot, so the boot reads 30 MB from IndexedDB, checks its digest and restores. Pyodide's files are fetched once per page, as in the app. The worker's own \`bootInfo.ms\` is reported beside it.
- **Batch**: one \`runtime.renderMany\` of ${counts.batchItems.toLocaleString('en')} youtube contexts (distinct ids, titles that need escaping, a start time; one env and 100 posts shared), median of ${counts.batchRepetitions} after one untimed. Baseline: defaults/youtube.py ported to JavaScript (bench/page/youtube.ts) over the same contexts, inside the sandboxed echo worker (the contexts are structured-cloned over and the outputs back), median of ${counts.batchRepetitions}. The same port on the page thread, with no hop, is listed for context.
- **1,000 posts**: 1,000 Markdown posts (bench/page/posts.ts) with a youtube and a vimeo macro each and a tag cloud in every 25th, rendered one after another through \`PostRenderer.renderPost\`, with the site data of all 1,000 posts set; a fresh renderer per repetition, median of ${counts.postRepetitions}. Baseline: the same posts with the macro lines removed, through the same renderer (Markdown only). renderMany calls are counted.
- **Stop recovery**: a run of \`while True: pass\`; once it prints that it is about to loop, \`stop()\`, then timed until a trivial run (\`x = 1\`) has finished. Median of ${counts.interrupts}. Baseline: the same with a loop whose SIGINT handler does nothing (\`signal.signal(signal.SIGINT, lambda *_: None)\`), so no interrupt can take and Stop replaces the worker after the app's 500 ms grace period; the new worker boots from the stored snapshot. Each sample must have ended the way its figure says (the page checks), median of ${counts.restarts}.`;

export async function runBench(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  // What is built now is what is measured, whatever the checkout holds when the run ends.
  const measured = revision();
  console.info(
    `Load average at start: ${loadavg()
      .map((load) => load.toFixed(2))
      .join(', ')}`,
  );
  await build({ configFile: resolve(repoRoot, 'bench/vite.config.ts'), logLevel: 'warn' });
  await build({ root: repoRoot, logLevel: 'warn' });
  const server = await startPreviewServer({ outDir: 'bench/dist' });
  const appServer = await startPreviewServer();
  const browser = await launchBrowser();
  try {
    console.info(`The app at ${appServer.url}`);
    const visits = await timed('visitSamples', () => visitSamples(browser, appServer.url, counts.visits));
    const keystrokes = await timed('keystrokeSamples', () =>
      keystrokeSamples(browser, appServer.url, counts.keystrokeRounds, counts.keystrokesPerRound),
    );
    const { app, call } = await openBenchPage(browser, server.url);
    console.info(`Pymark bench in Chromium ${browser.version()} at ${server.url}`);
    const bootNormal = await call('bootNormal', counts.boots);
    const bootSnapshot = await call('bootSnapshot', counts.boots);
    const renderBatch = await call('renderBatch', counts.batchItems, counts.batchRepetitions);
    const plainJsWorkerBatch = await call('plainJsWorkerBatch', counts.batchItems, counts.batchRepetitions);
    const plainJsBatch = await call('plainJsBatch', counts.batchItems, counts.batchRepetitions);
    const posts = await call('render1000Posts', counts.postRepetitions);
    const postsNoMacros = await call('render1000PostsNoMacros', counts.postRepetitions);
    const interrupts = await call('interruptRecovery', counts.interrupts);
    const restarts = await call('restartRecovery', counts.restarts);
    if (app.errors.length > 0) console.warn(`Page errors during the run:\n${app.errors.join('\n')}`);
    await app.close();

    const samples = {
      visits,
      keystrokes,
      bootNormal,
      bootSnapshot,
      renderBatch,
      plainJsWorkerBatch,
      plainJsBatch,
      posts,
      postsNoMacros,
      interrupts,
      restarts,
      pageErrors: app.errors,
    };
    const figures = [
      ...keystrokeFigures(keystrokes),
      visitFigure(visits),
      ...bootFigures(bootNormal, bootSnapshot),
      ...batchFigures(renderBatch, plainJsWorkerBatch, plainJsBatch),
      postsFigure(posts, postsNoMacros),
      recoveryFigure(interrupts, restarts),
    ];
    const run: BenchRun = {
      date: new Date().toISOString(),
      machine: machine(browser.version(), loadAtStart),
      revision: measured,
      figures,
      samples,
    };
    writeResults(run);
    console.info(
      `Load average at end: ${loadavg()
        .map((load) => load.toFixed(2))
        .join(', ')}`,
    );
  } finally {
    await browser.close();
    await server.close();
    await appServer.close();
  }
}

type Browser = Awaited<ReturnType<typeof launchBrowser>>;

/** The bench page (bench/page) in a fresh context, and a way to call `window.bench[name](...args)` in it. */
async function openBenchPage(browser: Browser, url: string) {
  const app = await newAppPage(browser, url, firstVisit);
  const { page } = app;
  await page.waitForFunction(() => 'bench' in window);
  /** Every argument is a count. */
  const call = async <K extends keyof BenchApi>(name: K, ...args: Parameters<BenchApi[K]>) => {
    const started = Date.now();
    const result = await page.evaluate(
      ({ name, args }) => (window.bench[name] as (...counts: number[]) => Promise<unknown>)(...args),
      { name, args },
    );
    console.info(`  ${name}(${args.join(', ')}): ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result as Awaited<ReturnType<BenchApi[K]>>;
  };
  return { app, call };
}

/** The figures `npm run bench -- --only …` can measure alone, for quick before-and-after runs. */
export type PartialFigures = 'batch' | 'recovery' | 'visits';

/**
 * `npm run bench -- --only batch,recovery,visits`: only those figures, printed with the load beside them.
 * Nothing is written: RESULTS.md holds whole runs (a partial one goes into its history by hand).
 */
export async function runPartialBench(only: readonly PartialFigures[]): Promise<void> {
  const load = () =>
    loadavg()
      .map((value) => value.toFixed(2))
      .join(', ');
  await build({ configFile: resolve(repoRoot, 'bench/vite.config.ts'), logLevel: 'warn' });
  if (only.includes('visits')) await build({ root: repoRoot, logLevel: 'warn' });
  const server = await startPreviewServer({ outDir: 'bench/dist' });
  const browser = await launchBrowser();
  try {
    console.info(`Load average at start: ${load()}; code ${revision().commit}`);
    const figures: Figure[] = [];
    if (only.includes('visits')) {
      const appServer = await startPreviewServer();
      try {
        const visits = visitFigure(await visitSamples(browser, appServer.url, counts.visits));
        console.info(`Visits: ${visits.note}`);
        figures.push(visits);
      } finally {
        await appServer.close();
      }
    }
    if (only.includes('batch') || only.includes('recovery')) {
      const { app, call } = await openBenchPage(browser, server.url);
      if (only.includes('batch')) {
        const renderBatch = await call('renderBatch', counts.batchItems, counts.batchRepetitions);
        const workerJs = await call('plainJsWorkerBatch', counts.batchItems, counts.batchRepetitions);
        const pageJs = await call('plainJsBatch', counts.batchItems, counts.batchRepetitions);
        figures.push(...batchFigures(renderBatch, workerJs, pageJs));
      }
      if (only.includes('recovery')) {
        const interrupts = await call('interruptRecovery', counts.interrupts);
        const restarts = await call('restartRecovery', counts.restarts);
        figures.push(recoveryFigure(interrupts, restarts));
        console.info(
          `Restart samples: ${restarts.map((sample) => `${formatNumber(sample.ms)} ms via ${sample.via}`).join(', ')}`,
        );
      }
      if (app.errors.length > 0) console.warn(`Page errors during the run:\n${app.errors.join('\n')}`);
      await app.close();
    }
    console.info(`\n${renderTable(figures)}\n\nLoad average at end: ${load()}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

async function timed<T>(name: string, measure: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await measure();
  console.info(`  ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

function keystrokeFigures({ macros, plain }: KeystrokeSamples): Figure[] {
  return ([50, 95] as const).map((p) => {
    const pair: [number, number] = [percentile(macros, p), percentile(plain, p)];
    return figure(
      `Keystroke to preview painted, post with 5 macro calls, p${p}`,
      'ms',
      pair,
      `same post, macros removed, p${p}`,
      { target: atMost(pair[0] / pair[1], 2), note: `${macros.length} and ${plain.length} keystrokes` },
    );
  });
}

function visitFigure(visits: VisitSample[]): Figure {
  const repeat = median(visits.map((visit) => visit.repeatMs));
  const normal = median(visits.map((visit) => visit.normalMs));
  const seen = (pick: (visit: VisitSample) => string) => [...new Set(visits.map(pick))].join('+');
  return figure('Python ready from navigation, repeat visit', 'ms', [repeat, normal], 'first visit', {
    target: atMost(repeat / normal, 0.15),
    note: `boot sources seen: ${seen((visit) => visit.repeatSource)} (repeat), ${seen((visit) => visit.normalSource)} (first); navigation to ready: repeat ${visits.map((visit) => formatNumber(visit.repeatMs)).join(', ')} ms, first ${visits.map((visit) => formatNumber(visit.normalMs)).join(', ')} ms`,
  });
}

function figure(
  name: string,
  unit: Figure['unit'],
  [value, baseline]: [number, number],
  baselineName: string,
  extra: Pick<Figure, 'target' | 'note'> = {},
): Figure {
  return { name, unit, value, baselineName, baseline, ratio: value / baseline, ...extra };
}

const atMost = (ratio: number, limit: number, text = `≤ ${limit} ×`) => ({ text, met: ratio <= limit });

function sources(samples: readonly BootSample[]): string {
  return [...new Set(samples.map((sample) => sample.source))].join('+');
}

function bootFigures(normal: BootSample[], snapshot: BootSample[]): Figure[] {
  const page = [median(snapshot.map((s) => s.ms)), median(normal.map((s) => s.ms))] as [number, number];
  const worker = [median(snapshot.map((s) => s.workerMs)), median(normal.map((s) => s.workerMs))] as [
    number,
    number,
  ];
  const note = `boot sources seen: ${sources(snapshot)} (snapshot runs), ${sources(normal)} (normal runs)`;
  const ratio = page[0] / page[1];
  return [
    figure('Cold boot, snapshot', 'ms', page, 'normal boot', { target: atMost(ratio, 0.25), note }),
    figure('Cold boot inside the worker (bootInfo.ms), snapshot', 'ms', worker, 'normal boot'),
  ];
}

function batchFigures(renderMany: number[], workerJs: number[], pageJs: number[]): Figure[] {
  const perMacro = (samples: number[]) => (median(samples) * 1000) / counts.batchItems;
  const python = perMacro(renderMany);
  const name = `renderMany of ${counts.batchItems.toLocaleString('en')} youtube contexts`;
  return [
    figure(name, 'µs/macro', [python, perMacro(pageJs)], 'plain JS on the page thread, no hop', {
      target: atMost(python / perMacro(pageJs), 5),
    }),
    figure(name, 'µs/macro', [python, perMacro(workerJs)], 'plain JS in the sandboxed worker'),
  ];
}

function postsFigure(posts: PostsSample[], noMacros: PostsSample[]): Figure {
  const [first] = posts;
  const calls = posts.map((sample) => sample.renderManyCalls);
  const memo = posts.map((sample) => sample.memoPass);
  const note =
    `renderMany calls per repetition: ${calls.join(', ')} for ${first?.posts} posts ` +
    `(${calls.every((count) => count === first?.posts) ? 'one per post, as required' : '**not one per post**'}); ` +
    `${first?.macroCalls} macro calls, ${first?.executed} run in Python. ` +
    `Markdown-only baseline: ${noMacros.map((sample) => sample.renderManyCalls).join(', ')} calls. ` +
    `Memo: the same posts again through the same renderer took ${memo.map((pass) => `${formatNumber(pass.ms)} ms with ${pass.renderManyCalls} calls`).join('; ')}` +
    (memo.some((pass) => pass.renderManyCalls > 0)
      ? ' (misses: PostRenderer keeps fewer results than this set makes, defaultMemoLimit, and a pass in the same order evicts each one before it is reused).'
      : '.');
  return figure(
    'Render 1,000 posts (renderPost)',
    'ms',
    [median(posts.map((sample) => sample.ms)), median(noMacros.map((sample) => sample.ms))],
    'same posts, macros removed',
    { note },
  );
}

function recoveryFigure(interrupts: RecoverySample[], restarts: RecoverySample[]): Figure {
  const value = median(interrupts.map((sample) => sample.ms));
  const baseline = median(restarts.map((sample) => sample.ms));
  const how = (samples: RecoverySample[]) =>
    [...new Set(samples.map((sample) => `${sample.via}, then a ${sample.bootSource}-booted worker`))].join(
      '; ',
    );
  return figure('Stop recovery: interrupt', 'ms', [value, baseline], 'worker restart', {
    target: atMost(value / baseline, 1 / 50, '≤ 1/50 (0.02 ×)'),
    note: `interrupt runs ended via ${how(interrupts)}; restart runs via ${how(restarts)}`,
  });
}

function machine(chromium: string, loadAtStart: number): Machine {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    chromium,
    load: [loadAtStart, loadavg()[0]!],
    ...cpuIdle(),
  };
}

/** Linux only: the CPU idle driver and its halt-poll setting, where the kernel exposes them. */
function cpuIdle(): Pick<Machine, 'cpuIdle'> {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const driver = read('/sys/devices/system/cpu/cpuidle/current_driver');
  if (!driver) return {};
  const haltPoll = read('/sys/module/haltpoll/parameters/guest_halt_poll_ns');
  return { cpuIdle: { driver, ...(haltPoll === undefined ? {} : { haltPollNs: Number(haltPoll) }) } };
}

function revision(): Revision {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    modified: git('status', '--porcelain', '--', 'src', 'defaults') !== '',
  };
}

function writeResults(run: BenchRun): void {
  const resultsDir = resolve(repoRoot, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  // Only the latest raw samples are kept: they are megabytes a run, and the history table keeps the rest.
  // Only this bench's own (named by their date): limits.json is `npm run bench:limits`'.
  for (const old of readdirSync(resultsDir))
    if (/^\d{4}-.*\.json$/.test(old)) rmSync(resolve(resultsDir, old));
  const jsonPath = resolve(resultsDir, `${run.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(run, null, 2)}\n`);
  const shown = relative(repoRoot, jsonPath);
  const resultsPath = resolve(repoRoot, 'bench/RESULTS.md');
  const earlier = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : '';
  const history = [...historyRows(earlier), historyRow(run)];
  // The hand-written sections and the other benches' own (site build, limits) are kept as they are.
  const kept = sectionsAfterHistory(earlier);
  writeFileSync(resultsPath, `${renderResultsMarkdown(run, shown, method, history)}${kept && `\n${kept}`}`);
  console.info(`\n${renderTable(run.figures)}\n\nWrote ${shown} and bench/RESULTS.md`);
}
