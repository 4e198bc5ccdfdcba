import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Post } from '../src/core/post';
import { serializePostFile } from '../src/core/post-file';
import { launchBrowser, newAppPage, repoRoot, startPreviewServer } from '../tests/e2e/harness';
import { withSection } from './report';

/*
 * The in-app site build against the CLI's engine, on one corpus (issue 12's bench): 1,000 posts of
 * about 400 words, a youtube and an inline vimeo call in each, every 10th a draft, 40 tags. The app
 * builds it from its stores (no folder connected: the site goes to the preview's Cache Storage); the
 * Node engine builds the same post files, in memory, with a Python worker pool sized to the cores, as
 * `pymark build` does. Alongside the app's
 * time: the longest main-thread task while it built (PerformanceObserver 'longtask'; goal: none
 * over 50 ms). Written to its own section of bench/RESULTS.md.
 */

const postCount = 1_000;
const words = 'python blog macro render site static feed page build worker offline theme'.split(' ');

/** The corpus as the app stores it; the Node engine reads the same posts as folder sync writes them. */
function corpus(): Post[] {
  return Array.from({ length: postCount }, (_, index) => {
    const n = String(index).padStart(4, '0');
    const day = new Date(Date.UTC(2024, 0, 1) + index * 86_400_000).toISOString();
    const paragraph = Array.from({ length: 100 }, (_, w) => words[(index * 7 + w * 3) % words.length]).join(
      ' ',
    );
    return {
      id: `00000000-0000-4000-8000-00000000${n.padStart(4, '0')}`,
      title: `Post ${n}`,
      slug: `p${n}`,
      status: index % 10 === 9 ? 'draft' : 'published',
      tags: [`tag${index % 40}`, `tag${(index * 3) % 40}`],
      categories: [`cat${index % 5}`],
      createdAt: day,
      updatedAt: day,
      publishedAt: day,
      body: [
        `${paragraph}.`,
        '',
        `[[youtube id="dQw4w9WgXcQ" title="Video ${n}"]]`,
        '',
        `${paragraph} with an inline [[vimeo id="76979871"]] call.`,
        '',
        `${paragraph}.`,
        '',
        `${paragraph}.`,
        '',
      ].join('\n'),
    } satisfies Post;
  });
}

interface AppRun {
  milliseconds: number;
  longestTaskMs: number;
  longTasksOver50: number;
  report: string;
}

async function appBuild(posts: Post[]): Promise<{ first: AppRun; again: AppRun }> {
  const server = await startPreviewServer();
  const browser = await launchBrowser();
  const app = await newAppPage(browser, server.url);
  const { page } = app;
  // A shared machine under load: every wait is for a condition, none is a limit on the figures.
  page.setDefaultTimeout(600_000);
  try {
    await page.locator('.cm-content').first().waitFor({ timeout: 600_000 });
    // Straight into the app's IndexedDB in one transaction, then a reload: importing 1,000 posts
    // through a folder sync is a bench of its own (each imported post refreshes the site data).
    const imported = await page.evaluate(async (records: Post[]) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('pymark');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      await new Promise<void>((resolve, reject) => {
        const transaction = db.transaction('posts', 'readwrite');
        for (const record of records) transaction.objectStore('posts').put(record);
        transaction.oncomplete = () => resolve();
        transaction.onerror = () => reject(transaction.error);
      });
      db.close();
      return records.length;
    }, posts);
    if (imported !== postCount) throw new Error(`imported ${imported} posts, not ${postCount}`);
    // Under load the page's "load" event can be minutes away (Pyodide's files); the app is what counts.
    await page.reload({ waitUntil: 'domcontentloaded', timeout: 600_000 });
    await page.locator('.cm-content').first().waitFor({ timeout: 600_000 });
    await page.getByRole('tab', { name: 'Posts' }).click();
    await page
      .getByRole('list', { name: 'Posts' })
      .getByText(`Post ${String(postCount - 1).padStart(4, '0')}`)
      .waitFor({ timeout: 600_000 });
    await page.getByRole('tab', { name: 'Site' }).click();
    const run = async (): Promise<AppRun> => {
      await page.evaluate(() => {
        const tasks: number[] = [];
        const observer = new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) tasks.push(entry.duration);
        });
        observer.observe({ type: 'longtask', buffered: false });
        Object.assign(window, { benchLongTasks: tasks, benchObserver: observer });
      });
      await page.evaluate(() => {
        Object.assign(window, {
          benchPreviousReport: document.querySelector('pymark-app')!.site!.state.report,
        });
      });
      await page.getByRole('button', { name: 'Build site' }).click();
      // Finished: a report other than the previous one, and no build running.
      await page.waitForFunction(
        () => {
          const state = document.querySelector('pymark-app')!.site!.state;
          const previous = (window as unknown as { benchPreviousReport: unknown }).benchPreviousReport;
          return !state.building && state.report !== undefined && state.report !== previous;
        },
        undefined,
        { timeout: 600_000 },
      );
      const report = (await page.getByRole('region', { name: 'Build report' }).textContent()) ?? '';
      const { milliseconds, tasks } = await page.evaluate(() => {
        const w = window as unknown as { benchLongTasks: number[]; benchObserver: PerformanceObserver };
        w.benchObserver.disconnect();
        const site = document.querySelector('pymark-app')!.site!;
        return { milliseconds: site.state.report?.milliseconds ?? Number.NaN, tasks: w.benchLongTasks };
      });
      return {
        milliseconds,
        longestTaskMs: Math.max(0, ...tasks),
        longTasksOver50: tasks.filter((duration) => duration > 50).length,
        report: report.replace(/\s+/g, ' ').trim(),
      };
    };
    const first = await run();
    const again = await run();
    if (app.errors.length > 0) console.warn(app.errors.join('\n'));
    return { first, again };
  } finally {
    await app.close();
    await browser.close();
    await server.close();
  }
}

type NodeEngine = typeof import('../tests/e2e/site-engine-entry');

async function nodeBuild(
  engine: NodeEngine,
  posts: Post[],
): Promise<{ bootMs: number; buildMs: number; files: number }> {
  const bytes = new Map(
    posts.map((post) => [`posts/${post.slug}.md`, new TextEncoder().encode(serializePostFile(post))]),
  );
  // The app seeds the bundled defaults (youtube.py, vimeo.py, …); a project folder holds them as files.
  for (const name of readdirSync(join(repoRoot, 'defaults')).filter((file) => file.endsWith('.py')))
    bytes.set(`scripts/${name}`, readFileSync(join(repoRoot, 'defaults', name)));
  const bootStart = performance.now();
  const python = engine.createNodeRuntime({ workers: availableParallelism() });
  try {
    await python.ready();
    const bootMs = performance.now() - bootStart;
    const start = performance.now();
    const read = await engine.readProject({
      listFiles: async (dir) =>
        [...bytes.keys()]
          .filter((path) => path.startsWith(`${dir}/`))
          .map((path) => ({ path, modifiedAt: '2024-01-01T00:00:00.000Z' })),
      read: async (path) => bytes.get(path),
    });
    if (!read.ok) throw new Error(JSON.stringify(read.problems.slice(0, 3)));
    const result = await new engine.SiteBuilder(python).build(read.project);
    if (!result.ok) throw new Error(JSON.stringify(result.problems.slice(0, 3)));
    return { bootMs, buildMs: performance.now() - start, files: result.files.size };
  } finally {
    python.dispose();
  }
}

const sectionStart = '<!-- site-app bench: start (npm run bench:site-app) -->';
const sectionEnd = '<!-- site-app bench: end -->';

export async function runSiteAppBench(engine: NodeEngine): Promise<void> {
  const uptimeAtStart = execFileSync('uptime', { encoding: 'utf8' }).trim();
  const posts = corpus();
  const node = await nodeBuild(engine, posts);
  const app = await appBuild(posts);
  const ms = (value: number) => `${Math.round(value)} ms`;
  const section = [
    sectionStart,
    '## Site build in the app (issue 12)',
    '',
    `- Date: ${new Date().toISOString()}; ${availableParallelism()} cores; load average at the end ${loadavg()[0]?.toFixed(2)}`,
    `- \`uptime\` at the start: ${uptimeAtStart}`,
    `- \`uptime\` at the end: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`,
    `- Corpus: ${postCount} posts (every 10th a draft), a youtube and an inline vimeo call in each, 40 tags; ${node.files} files in the site`,
    "- In the app: Chromium, the posts written into the app's IndexedDB (then a reload), built from the stores with no folder connected by the site build worker, macros relayed to the sandboxed Python worker; the time is the build report's (read, render, pages, preview cache).",
    `- Node: the engine \`pymark build\` runs, ${availableParallelism()} Python worker threads, in memory (no writes); Python boot apart (${ms(node.bootMs)}).`,
    '',
    '| Figure | Measured | Baseline, same run | Ratio | Goal |',
    '| --- | --- | --- | --- | --- |',
    `| Full build in the app | ${ms(app.first.milliseconds)} | ${ms(node.buildMs)} (Node engine) | ${(app.first.milliseconds / node.buildMs).toFixed(2)} × | — |`,
    `| Rebuild in the app, nothing changed | ${ms(app.again.milliseconds)} | ${ms(app.first.milliseconds)} (full build) | ${(app.again.milliseconds / app.first.milliseconds).toFixed(2)} × | — |`,
    `| Longest main-thread task during the full build | ${ms(app.first.longestTaskMs)} | — | — | none over 50 ms: ${app.first.longTasksOver50 === 0 ? 'met' : `not met (${app.first.longTasksOver50} over 50 ms)`} |`,
    `| Longest main-thread task during the rebuild | ${ms(app.again.longestTaskMs)} | — | — | none over 50 ms: ${app.again.longTasksOver50 === 0 ? 'met' : `not met (${app.again.longTasksOver50} over 50 ms)`} |`,
    '',
    `Report shown by the app after the full build: “${app.first.report}”`,
    sectionEnd,
  ].join('\n');
  const path = join(repoRoot, 'bench/RESULTS.md');
  writeFileSync(path, withSection(readFileSync(path, 'utf8'), sectionStart, sectionEnd, section));
  console.log(section);
}
