/// <reference lib="webworker" />
// First: before any schema is made (see zod-jitless.ts).
import '../../core/zod-jitless';
import { downloadZip } from 'client-zip';
import type { SiteSnapshot } from '../../core/abi';
import type { RenderItem, RenderOutcome } from '../../runtime/types';
import { makeCanvasThumbnail } from '../../storage/canvas-images';
import { DirectoryHandleFolder } from '../../storage/folder/directory-handle-folder';
import type { FolderAdapter } from '../../storage/folder/folder-adapter';
import { IdbFolderHandleStore } from '../../storage/folder/folder-handle-store';
import { openMediaStore } from '../../storage/idb-media-store';
import { openPostStore } from '../../storage/idb-post-store';
import { openScriptStore } from '../../storage/idb-script-store';
import { defaultDbName, openPymarkDb, warnAboutInvalidRecord } from '../../storage/pymark-db';
import { FolderSiteSettingsText, IdbSiteSettingsText } from '../../storage/site-settings-store';
import { SiteBuilder, type SiteRuntime } from '../build-site';
import { type BuildProblem, type ProjectSource, readProject, type SourcePost } from '../project';
import { SiteUrls } from '../site-urls';
import { type SiteTarget, writeSite } from '../site-writer';
import { appProjectSource } from './app-project';
import { ProgressStepper } from './build-progress';
import {
  type BuildPhase,
  type BuildReport,
  checkMessage,
  type FolderAccess,
  type PageToWorker,
  type ProblemLink,
  pageToWorkerSchema,
  type ReportedProblem,
  type WorkerToPage,
} from './build-protocol';
import { RelayedFolder } from './folder-relay';
import { FolderSiteTarget } from './folder-site-target';
import { storePreview } from './preview-cache';

/*
 * The site build worker: runs the same engine as `pymark build` (src/site/build-site.ts) off the main
 * thread, so the page only shows progress. It reads the project itself (IndexedDB and the connected
 * folder's handle both open in a worker) and writes the site itself (the folder's `site/`, the
 * preview's Cache Storage, the zip).
 *
 * Python is not here. Macros run in the app's one Python runtime, which lives in a sandboxed worker
 * that only the page reaches, through src/runtime/client.ts's `PythonRuntime`. The page relays each
 * `renderMany` batch to it and back. Why relay rather than hand this worker a MessagePort into the
 * sandbox: the client owns that worker's life (boots, snapshots, time limits, restarts after a hung
 * macro, Stop), and a second caller on its port would bypass all
 * of it; the relay uses only the public interface, which stays put while the client's insides change.
 * Its cost is small: the engine batches macros across posts (a 1,000-post build is a few batches of
 * 200, `relayedBatchSize`), so the page handles a few messages per build, never one per post.
 */

const scope = self as unknown as DedicatedWorkerGlobalScope;

function post(message: WorkerToPage, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

class BuildCancelled extends Error {
  constructor() {
    super('The build was cancelled');
  }
}

/** The page's Python runtime, one relayed `renderMany` at a time (see above). */
class RelayedRuntime implements SiteRuntime {
  #nextId = 1;
  readonly #pending = new Map<
    number,
    { resolve: (outcomes: RenderOutcome[]) => void; reject: (e: Error) => void }
  >();

  renderMany(items: readonly RenderItem[]): Promise<RenderOutcome[]> {
    const requestId = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(requestId, { resolve, reject });
      post({ type: 'render', requestId, items: [...items] });
    });
  }

  setSiteData(snapshot: SiteSnapshot): void {
    post({ type: 'site-data', snapshot });
  }

  answer(requestId: number, outcome: { value: RenderOutcome[] } | { error: string }): void {
    const pending = this.#pending.get(requestId);
    if (!pending) return;
    this.#pending.delete(requestId);
    if ('value' in outcome) pending.resolve(outcome.value);
    else pending.reject(new Error(outcome.error));
  }

  /** A cancelled build stops waiting for Python; outcomes arriving later are dropped. */
  abandon(reason: Error): void {
    for (const { reject } of this.#pending.values()) reject(reason);
    this.#pending.clear();
  }
}

/**
 * Macro calls per relayed batch. The page's thread handles each batch in one task, twice (the request
 * on its way to Python, the answer on its way back): cloning it, checking its contexts and results.
 * The engine's 500 made those tasks 15-21 ms of CPU (a 1,000-post build, bench/RESULTS.md), which a
 * loaded machine stretched past the 50 ms a keystroke may wait; with 200 the largest was 12-16 ms at a
 * load of 15-20, for a few more batches, each costing Python an interpreter reset or two (a few ms each).
 */
const relayedBatchSize = 200;

const runtime = new RelayedRuntime();
// One builder for the worker's life: its memo makes the next build re-run only the macros that changed.
// Thumbnails are made with the browser's codecs, here in the worker, as the CLI makes them with sharp.
const builder = new SiteBuilder(runtime, { thumbnails: makeCanvasThumbnail, batchSize: relayedBatchSize });

const storage = (async () => {
  const [posts, scripts, media, db] = await Promise.all([
    openPostStore(),
    openScriptStore(),
    openMediaStore(),
    openPymarkDb(defaultDbName),
  ]);
  return { posts, scripts, media, db, handles: new IdbFolderHandleStore(db, warnAboutInvalidRecord) };
})();

/**
 * The desktop build's folder, through the page (folder-relay.ts). A file to write goes as a copy
 * made here, whose buffer is moved to the page rather than cloned there: the built bytes stay for
 * the preview and the zip, and the page's thread does no copying.
 */
const pageFolder = new RelayedFolder((requestId, request) => {
  if (request.operation !== 'writeAtomic') return post({ type: 'folder', requestId, request });
  const bytes = request.bytes.slice();
  post({ type: 'folder', requestId, request: { ...request, bytes } }, [bytes.buffer]);
});

/** The connected project folder, reached as the page says (build-protocol.ts's FolderAccess). */
async function connectedFolder(access: FolderAccess): Promise<FolderAdapter | undefined> {
  if (access === 'none') return undefined;
  if (access === 'page') return pageFolder;
  const handle = await (await storage).handles.load();
  if (!handle) return undefined;
  if ((await handle.queryPermission({ mode: 'readwrite' })) !== 'granted')
    throw new Error(`the folder “${handle.name}” needs permission again: reconnect it from the sidebar`);
  return new DirectoryHandleFolder(handle);
}

async function projectSource(folder: FolderAdapter | undefined): Promise<ProjectSource> {
  const { posts, scripts, media, db } = await storage;
  const siteSettings = folder ? new FolderSiteSettingsText(folder) : new IdbSiteSettingsText(db);
  return appProjectSource({ posts, scripts, media, siteSettings, folder });
}

let current: { id: number; cancelled: boolean; writing: boolean } | undefined;

async function build(request: Extract<PageToWorker, { type: 'build' }>): Promise<void> {
  const started = performance.now();
  const state = { id: request.id, cancelled: false, writing: false };
  current = state;
  const steps = new ProgressStepper();
  const progress = (phase: BuildPhase, done: number, total: number) => {
    if (state.cancelled && !state.writing) throw new BuildCancelled();
    if (steps.shouldSend(phase, done, total)) post({ type: 'progress', id: request.id, phase, done, total });
  };
  const report: BuildReport = {
    outcome: 'failed',
    destination: 'none',
    written: 0,
    unchanged: 0,
    removed: 0,
    posts: 0,
    drafts: 0,
    macroCalls: 0,
    macrosRun: 0,
    files: 0,
    milliseconds: 0,
    problems: [],
    warnings: [],
  };
  const finish = () => {
    report.milliseconds = Math.round(performance.now() - started);
    post({ type: 'finished', id: request.id, report });
    if (current === state) current = undefined;
  };
  try {
    progress('read', 0, 0);
    const folder = await connectedFolder(request.folder);
    const read = await readProject(await projectSource(folder));
    if (!read.ok) {
      report.problems = read.problems.map((problem) => locate(problem, []));
      return finish();
    }
    const { project } = read;
    const result = await builder.build(project, {
      allowUnknownMacros: request.allowUnknownMacros,
      onProgress: (step) => progress(step.phase, step.done, step.total),
    });
    Object.assign(report, {
      posts: result.stats.posts,
      drafts: result.stats.drafts,
      macroCalls: result.stats.macroCalls,
      macrosRun: result.stats.macrosRun,
      files: result.stats.files,
    });
    report.warnings = result.warnings.map((problem) => locate(problem, project.posts));
    if (!result.ok) {
      report.problems = result.problems.map((problem) => locate(problem, project.posts));
      return finish();
    }
    if (state.cancelled) throw new BuildCancelled();
    // From here on Cancel is refused: a site half written is what Cancel promises never to leave.
    state.writing = true;
    if (folder) {
      let writes = 0;
      const written = await writeSite(
        result.files,
        countingWrites(new FolderSiteTarget(folder, 'site'), () =>
          progress('write', ++writes, result.files.size),
        ),
        result.kept,
        result.hashes,
      );
      report.destination = 'folder';
      report.written = written.written.length;
      report.unchanged = written.unchanged;
      report.removed = written.removed.length;
    } else {
      report.written = result.files.size;
    }
    progress('preview', 0, result.files.size);
    await storePreview(result.files, new SiteUrls(project.settings.base_url).basePath, (done) =>
      progress('preview', done, result.files.size),
    );
    if (request.zip) await sendZip(request.id, 'site.zip', result.files);
    report.outcome = 'built';
    finish();
  } catch (error) {
    if (error instanceof BuildCancelled) report.outcome = 'cancelled';
    else report.error = error instanceof Error ? error.message : String(error);
    finish();
  }
}

function countingWrites(target: SiteTarget, onWrite: () => void): SiteTarget {
  return {
    read: (path) => target.read(path),
    exists: (path) => target.exists(path),
    remove: (path) => target.remove(path),
    writeAtomic: async (path, bytes) => {
      await target.writeAtomic(path, bytes);
      onWrite();
    },
  };
}

async function sendZip(id: number, name: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  const lastModified = new Date();
  const entries = [...files].map(([path, bytes]) => ({ name: path, input: bytes, lastModified }));
  const blob = await downloadZip(entries).blob();
  post({ type: 'zip', id, name, blob });
}

/** Export project: every file the project is made of (scripts, posts, media, site.yml, templates, assets). */
async function exportProject(id: number, access: FolderAccess): Promise<void> {
  try {
    const source = await projectSource(await connectedFolder(access));
    const files = new Map<string, Uint8Array>();
    for (const dir of ['scripts', 'posts', 'media', 'templates', 'assets']) {
      for (const info of await source.listFiles(dir)) {
        const bytes = await source.read(info.path);
        if (bytes) files.set(info.path, bytes);
      }
    }
    const settings = await source.read('site.yml');
    if (settings) files.set('site.yml', settings);
    await sendZip(id, 'pymark-project.zip', new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1))));
  } catch (error) {
    post({ type: 'failed', id, message: error instanceof Error ? error.message : String(error) });
  }
}

/** A problem as the page shows it, with where clicking it goes. */
function locate(problem: BuildProblem, posts: readonly SourcePost[]): ReportedProblem {
  const links: ProblemLink[] = [];
  const source = posts.find((candidate) => candidate.file === problem.file);
  if (source && problem.line !== undefined)
    links.push({ kind: 'post', slug: source.post.slug, line: Math.max(1, problem.line - source.bodyLine) });
  else if (problem.file.startsWith('posts/'))
    links.push({ kind: 'post', slug: problem.file.slice('posts/'.length, -'.md'.length), line: 1 });
  const scriptFile = problem.script ?? (problem.file.startsWith('scripts/') ? problem.file : undefined);
  if (scriptFile) {
    const slug = scriptFile.replace(/^scripts\//, '').replace(/\.py$/, '');
    links.push({ kind: 'script', slug, line: problem.scriptLine ?? problem.line ?? 1 });
  }
  return { ...problem, links };
}

scope.addEventListener('message', (event: MessageEvent<unknown>) => {
  let message: PageToWorker;
  try {
    message = checkMessage(pageToWorkerSchema, event.data, 'the page');
  } catch (error) {
    // A reply that does not fit would leave the build waiting for it: end the build with the reason.
    runtime.abandon(error instanceof Error ? error : new Error(String(error)));
    return;
  }
  switch (message.type) {
    case 'build':
      void build(message);
      return;
    case 'cancel':
      if (current?.id === message.id && !current.writing) {
        current.cancelled = true;
        runtime.abandon(new BuildCancelled());
      }
      return;
    case 'export':
      void exportProject(message.id, message.folder);
      return;
    case 'folder-done':
    case 'folder-failed':
      pageFolder.answer(message.requestId, answerOf(message));
      return;
    case 'rendered':
    case 'render-failed':
      runtime.answer(message.requestId, answerOf(message));
      return;
  }
});

/** A page's answer to a request this worker relayed, as the relay takes it: the value, or what failed. */
function answerOf<T>(message: { value: T } | { message: string }): { value: T } | { error: string } {
  return 'message' in message ? { error: message.message } : { value: message.value };
}
