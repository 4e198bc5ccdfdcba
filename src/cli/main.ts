import { existsSync, readdirSync, statSync, watch } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { siteSettingsPath } from '../core/site-settings';
import { SiteBuilder } from '../site/build-site';
import { readProject } from '../site/project';
import { publishedFiles, writeSite } from '../site/site-writer';
import { type BuildCommand, parseCommandLine, usage } from './args';
import { buildCachePath, loadBuildCache, saveBuildCache } from './build-cache';
import { BuildManifestFile } from './build-manifest-file';
import { defaultCacheDirectory } from './cache-directory';
import { callsPerRoundTrip, LazyNodeRuntime } from './lazy-runtime';
import { NodeProjectSource, NodeSiteTarget } from './node-folders';
import { PageWorkers } from './page-workers';
import { PostCache } from './post-cache';
import { type BuildReport, countWrites, formatSummary } from './report';
import { sharpThumbnail } from './sharp-thumbnails';
import { SnapshotFile } from './snapshot-file';

/*
 * `pymark build`: the command line's composition root. It picks the implementations (the project
 * folder and output folder on Node's fs, Python in worker threads) and runs the same site engine
 * the app runs.
 */

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Runs the command line; resolves with the exit code (with `--watch`, only once it is stopped). */
export async function runCli(argv: readonly string[], io: CliIo = process): Promise<number> {
  if (argv[0] === 'import') {
    const { runImportCommand } = await import('./import-command');
    return runImportCommand(argv.slice(1), {
      cwd: process.cwd(),
      out: (line) => io.stdout.write(`${line}\n`),
      err: (line) => io.stderr.write(`${line}\n`),
    });
  }
  const args = parseCommandLine(argv);
  if (args.command === 'help') {
    io.stdout.write(`${usage}\n`);
    return 0;
  }
  if (args.command === 'usage-error') {
    io.stderr.write(`pymark: ${args.message}\n\n${usage}\n`);
    return 2;
  }
  // A mistyped folder would otherwise build an empty site, and create the folder for its output.
  if (!statSync(args.project, { throwIfNoEntry: false })?.isDirectory()) {
    io.stderr.write(`pymark: ${args.project} is not a folder; give the project folder to build\n`);
    return 2;
  }
  const cacheDirectory = defaultCacheDirectory();
  const runtime = new LazyNodeRuntime(new SnapshotFile(cacheDirectory));
  const pages = new PageWorkers();
  const [memo, postCache] = await Promise.all([loadBuildCache(args.project), PostCache.load(args.project)]);
  const manifest = new BuildManifestFile(cacheDirectory, args.out);
  const projectHasScripts = hasScripts(args.project);
  if (memo.size === 0 && !existsSync(manifest.path) && projectHasScripts) await runtime.startEarly();
  // One builder for every build of this run: in watch mode its memo makes each rebuild cheap.
  const builder = new SiteBuilder(runtime, {
    memo,
    batchSize: 100_000,
    // A worker round trip's worth: Python runs the first posts' calls while the rest are parsed.
    sendWhenHeld: callsPerRoundTrip,
    thumbnails: sharpThumbnail,
    manifest,
    pages,
  });
  try {
    if (!args.watch) return (await buildOnce(args, builder, runtime, postCache, io)).exitCode;
    return await watchProject(args, builder, runtime, postCache, io, () => {
      // An edit that runs a macro again should not wait for Python's boot (3 s of a 3.3 s rebuild):
      // a watching process boots it once its first build is done, while the user is still typing.
      if (projectHasScripts) runtime.prepare(1);
    });
  } finally {
    await Promise.all([runtime.dispose(), pages.dispose()]);
  }
}

/**
 * Whether the project has Python scripts. With no macro results remembered and no pages of an earlier
 * build into this folder, every post renders afresh and runs its calls: if there are scripts, Python
 * will be needed.
 */
function hasScripts(project: string): boolean {
  try {
    return readdirSync(join(project, 'scripts')).some((name) => name.endsWith('.py'));
  } catch {
    return false;
  }
}

async function buildOnce(
  args: BuildCommand,
  builder: SiteBuilder,
  runtime: LazyNodeRuntime,
  postCache: PostCache,
  io: CliIo,
  /**
   * Leave the build manifest to the caller (`--watch` saves it as it stops): 4 MB for 1,000 posts, a
   * tenth of a watched rebuild. A manifest older than the output only costs renderings: each post is
   * reused by its inputs' hash, each page only when its file still has the bytes it records.
   */
  manifestSavedLater = false,
): Promise<BuildReport> {
  const started = performance.now();
  const report: BuildReport = {
    ok: false,
    exitCode: 1,
    project: args.project,
    out: args.out,
    durationMs: 0,
    peakRssBytes: 0,
    problems: [],
    warnings: [],
  };
  const progress = args.json || !io.stderr.isTTY ? undefined : new ProgressBar(io.stderr);
  try {
    const read = await readProject(new NodeProjectSource(args.project), postCache);
    if (!read.ok) {
      report.problems = read.problems;
      report.exitCode = read.problems.some((problem) => problem.file === siteSettingsPath) ? 2 : 1;
    } else {
      const target = new NodeSiteTarget(args.out);
      const result = await builder.build(read.project, {
        allowUnknownMacros: args.allowUnknownMacros,
        published: await publishedFiles(target),
        onProgress: (step) =>
          progress?.show(
            step.phase === 'render' ? 'rendering posts' : 'writing pages',
            step.done,
            step.total,
          ),
      });
      report.warnings = result.warnings;
      if (!result.ok) {
        report.problems = result.problems;
      } else {
        // The caches describe the build's inputs and renderings, not the output folder (a page is
        // reused only while its file there has the bytes recorded): saved while the site is written.
        const cachesSaved = Promise.all([
          saveBuildCache(args.project, builder.batcher.usedMemo()),
          postCache.save(args.project),
          manifestSavedLater ? undefined : builder.saveManifest(),
        ]);
        // Awaited below; not an unhandled rejection while the site is written.
        cachesSaved.catch(() => {});
        const written = await writeSite(result.files, target, result.kept, result.hashes);
        await cachesSaved;
        report.ok = true;
        report.exitCode = 0;
        report.stats = { ...result.stats, ...countWrites(written), pythonWorkers: runtime.workers };
      }
    }
  } catch (error) {
    report.problems = [{ file: '.', message: error instanceof Error ? error.message : String(error) }];
  } finally {
    progress?.clear();
  }
  report.durationMs = Math.round(performance.now() - started);
  // maxRSS is in kilobytes.
  report.peakRssBytes = process.resourceUsage().maxRSS * 1024;
  if (args.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else (report.ok ? io.stdout : io.stderr).write(formatSummary(report));
  return report;
}

/**
 * Builds, then rebuilds after each burst of changes in the project (not in the output or the cache)
 * until Ctrl-C. It watches from before the first build: an edit saved while that build runs, or just
 * as it reports, is not missed.
 */
function watchProject(
  args: BuildCommand,
  builder: SiteBuilder,
  runtime: LazyNodeRuntime,
  postCache: PostCache,
  io: CliIo,
  afterFirstBuild: () => void,
): Promise<number> {
  const ignored = [relative(args.project, args.out), buildCachePath.split('/')[0]!].filter(
    (path) => path !== '' && !path.startsWith('..'),
  );
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let building: Promise<unknown>;
    const rebuild = () => {
      building = building.then(() => buildOnce(args, builder, runtime, postCache, io, true));
    };
    const watcher = watch(args.project, { recursive: true }, (_event, filename) => {
      const path = String(filename ?? '')
        .split(sep)
        .join('/');
      if (ignored.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return;
      if (path.split('/').some((segment) => segment.startsWith('.'))) return;
      // Editors write a file in several steps; one build after the burst is enough.
      clearTimeout(timer);
      timer = setTimeout(rebuild, 100);
    });
    building = buildOnce(args, builder, runtime, postCache, io).then(() => {
      afterFirstBuild();
      if (!args.json) io.stderr.write(`Watching ${args.project} for changes (Ctrl-C to stop)\n`);
    });
    process.once('SIGINT', () => {
      watcher.close();
      clearTimeout(timer);
      void building
        .then(() => builder.saveManifest())
        .catch((error: unknown) => {
          // A cache: without it the next build renders more, and is still right.
          io.stderr.write(`pymark: the build manifest was not saved: ${String(error)}\n`);
        })
        .then(() => resolve(0));
    });
  });
}

/** One line redrawn in place on a terminal: `[#####-----] rendering posts 500/1000`. */
class ProgressBar {
  constructor(private readonly stream: NodeJS.WritableStream) {}

  show(label: string, done: number, total: number): void {
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    this.stream.write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${label} ${done}/${total}\x1b[K`,
    );
  }

  clear(): void {
    this.stream.write('\r\x1b[K');
  }
}
