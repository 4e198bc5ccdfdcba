// First: before any schema is made (see zod-jitless.ts).
import './core/zod-jitless';
import { readIncomingPost, withoutIncomingParams } from './core/incoming-post';
import { openProjectFolder, pickReferenceFolder } from './project-folder';
import { OffThreadRenderer } from './render/off-thread-renderer';
import { OffThreadSanitizer } from './render/off-thread-sanitizer';
import { HeldList, SiteDataFeed } from './render/site-data';
import { createPythonRuntime } from './runtime/client';
import { sandboxedWorkers } from './runtime/sandbox-host';
import pythonWorkerUrl from './runtime/worker.ts?worker&url';
import { SiteBuildClient, startedOnFirstMessage } from './site/app/site-build-client';
import { ImageWorker } from './storage/browser-thumbnails';
import { type FolderAdapter, listFilesBelow } from './storage/folder/folder-adapter';
import { openMediaStore } from './storage/idb-media-store';
import { openPostStore } from './storage/idb-post-store';
import { openScriptStore } from './storage/idb-script-store';
import { LastOpenMemory, type View } from './storage/last-open';
import { defaultDbName, openPymarkDb } from './storage/pymark-db';
import { applyScriptActions } from './storage/script-actions';
import { openSettingsStore } from './storage/settings-store';
import { hasSharedMedia, takeSharedMedia, withoutSharedMediaParam } from './storage/shared-media';
import { FolderSiteSettingsText, IdbSiteSettingsText } from './storage/site-settings-store';
import { writeSnapshotInWorker } from './storage/snapshot-io';
import { createSnapshotStore, defaultSnapshotDbName } from './storage/snapshot-store';
import { restoreUnsavedEdits, UnsavedJournal } from './storage/unsaved-journal';
import './ui/pymark-app';
import { Diagnostics } from './ui/diagnostics';
import { IncomingPosts } from './ui/incoming-posts';
import { MacroTrial, samplePostWith } from './ui/macro-trial';
import { MediaLibrary } from './ui/media-library';
import { PostsWorkspace } from './ui/posts-workspace';
import { PreviewMedia } from './ui/preview-media';
import { ReferenceProjectImport } from './ui/reference-project-import';
import { addSampleProject } from './ui/sample-project';
import { SiteWorkspace } from './ui/site-workspace';
import { Workspace } from './ui/workspace';

/** Composition root: the only place that picks concrete implementations. */
async function start(): Promise<void> {
  const app = document.querySelector('pymark-app');
  if (!app) throw new Error('index.html lacks <pymark-app>');
  // Boot Python first so it warms up while storage opens and the UI renders.
  const runtime = createPythonRuntime({
    // Each worker runs in a sandbox frame: docs/security.md.
    createWorker: sandboxedWorkers({
      workerScriptUrl: pythonWorkerUrl,
      pyodideBaseUrl: `${import.meta.env.BASE_URL}pyodide/`,
    }),
    snapshots: createSnapshotStore(defaultSnapshotDbName, writeSnapshotInWorker),
  });
  // When Python first became ready, on the page's clock from navigation (read by `npm run bench`).
  let readyMarked = false;
  runtime.subscribe((status) => {
    if (readyMarked || status.state !== 'ready') return;
    readyMarked = true;
    performance.mark('pymark:python-ready');
  });
  const [store, postStore, settingsStore, mediaStore] = await Promise.all([
    openScriptStore(),
    openPostStore(),
    openSettingsStore(),
    openMediaStore(),
  ]);
  // Edits an unload cut short last time, kept in Web Storage as the page went away. What cannot be
  // written back now stays kept, for the next start.
  const journal = new UnsavedJournal(localStorage);
  const notRestored: string[] = [];
  for (const { key, edits } of journal.kept()) {
    const { failed, problems } = await restoreUnsavedEdits(edits, { scripts: store, posts: postStore });
    journal.settle(key, failed);
    notRestored.push(...problems);
  }
  const settings = {
    getRunTimeoutMs: async () => (await settingsStore.getSettings()).runTimeoutMs,
    setRunTimeoutMs: async (ms: number) =>
      (await settingsStore.updateSettings({ runTimeoutMs: ms })).runTimeoutMs,
  };
  // Defaults are seeded, and the remembered folder found, before the workspace lists the scripts.
  const project = await openProjectFolder({ scripts: store, posts: postStore, media: mediaStore });
  app.folder = project.connection;
  app.referenceImport = new ReferenceProjectImport({
    pickFolder: pickReferenceFolder,
    scripts: store,
    posts: postStore,
    media: mediaStore,
  });
  app.defaultOffers = project.offers;
  const workspace = new Workspace({
    store,
    runtime,
    settings,
    macroRenamed: (from, to) => void posts.offerMacroRename(from, to),
    previewRendering: () => posts.state.rendering,
    applyActions: (actions) => applyScriptActions(postStore, actions),
  });
  app.workspace = workspace;
  app.diagnostics = new Diagnostics(runtime);

  // Posts are rendered in a worker, their macro HTML sanitized there: a post of 100,000 macro calls
  // or megabytes of macro HTML must not hold up the page. A single macro tried out is sanitized in
  // a worker of its own.
  const renderer = new OffThreadRenderer(
    () => new Worker(new URL('./render/render-worker.ts', import.meta.url), { type: 'module' }),
    runtime,
  );
  const sanitizer = new OffThreadSanitizer(
    () => new Worker(new URL('./render/sanitizer-worker.ts', import.meta.url), { type: 'module' }),
  );
  const sanitize = async (html: string) => (await sanitizer.sanitizeMany([html]))[0] ?? '';
  const siteData = new SiteDataFeed(() => postStore.list(), runtime, { media: () => mediaStore.list() });
  const previewMedia = new PreviewMedia(mediaStore, () => siteData.media);
  const env = { preview: true, language: document.documentElement.lang || 'en', base_url: '/' };
  const scripts = new HeldList(() => store.list());
  app.macroTrial = new MacroTrial({
    renderMacro: (script, context) => runtime.renderMacro(script, context),
    sanitize,
    renderBody: async (body) => {
      return (
        await renderer.renderPost(samplePostWith(body), {
          scripts: await scripts.current(),
          env,
          ...siteData.versions,
        })
      ).html;
    },
  });
  const posts = new PostsWorkspace({
    store: postStore,
    render: async (post, signal) => {
      const rendered = await renderer.renderPost(
        post,
        {
          scripts: await scripts.current(),
          env,
          ...siteData.versions,
          media: siteData.media,
        },
        signal,
      );
      return { ...rendered, html: await previewMedia.inline(rendered.html) };
    },
  });
  app.posts = posts;
  app.addSampleProject = () => addSampleProject({ scripts: store, posts: postStore });
  // A saved macro script or changed site data can change what the open post renders to.
  store.subscribe(() => {
    scripts.changed();
    posts.refreshPreview();
  });
  postStore.subscribe(() => void siteData.refresh().then(() => posts.refreshPreview()));
  mediaStore.subscribe(() => void siteData.refresh().then(() => posts.refreshPreview()));
  const images = new ImageWorker();
  const media = new MediaLibrary({
    store: mediaStore,
    checkDecodes: (bytes) => images.check(bytes),
    makeThumbnail: images.makeThumbnail,
  });
  app.media = media;

  const site = await siteWorkspace(runtime, siteData, project.connection);
  app.site = site;
  // Rebuild on change (when the user turned it on) follows every saved post, script and media item.
  for (const changes of [store, postStore, mediaStore]) changes.subscribe(() => site.contentChanged());

  // The typing pause may not have elapsed when the tab is closed or hidden; don't lose those keystrokes.
  let flushed: Promise<unknown> = Promise.resolve();
  const flush = () => {
    journal.keep([workspace.unsavedEdit(), posts.unsavedEdit()].filter((edit) => edit !== undefined));
    flushed = Promise.all([workspace.flushPendingDraft(), posts.flushSave()]);
  };
  addEventListener('pagehide', flush);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flush();
    // Back in view with the writes landed: the spare copy would only go stale.
    else void flushed.then(() => journal.keep([]));
  });
  // The view, script and post last open come back after a reload or on the next visit.
  const lastOpen = new LastOpenMemory(localStorage);
  const { view, scriptId, postId } = lastOpen.read();
  if (view) app.tab = view;
  app.addEventListener('view-change', (event) =>
    lastOpen.remember({ view: (event as CustomEvent<View>).detail }),
  );
  await Promise.all([siteData.refresh(), workspace.init(scriptId), posts.init(postId), media.init()]);
  rememberOpen(workspace, (id) => lastOpen.remember({ scriptId: id }));
  rememberOpen(posts, (id) => lastOpen.remember({ postId: id }));
  if (notRestored.length > 0) {
    workspace.reportProblem(
      `Unsaved edits from last time could not be put back yet; they are kept for the next start (${notRestored.join('; ')})`,
    );
  }

  // A post shared to the installed app, or sent by the bookmarklet, arrives in the address.
  const incoming = new IncomingPosts({
    scripts: store,
    posts: postStore,
    runtime,
    forget: () => history.replaceState(history.state, '', withoutIncomingParams(location.href)),
    lastTransform: {
      read: () => lastOpen.read().transformId,
      remember: (transformId) => lastOpen.remember({ transformId }),
    },
  });
  app.incoming = incoming;
  if (hasSharedMedia(location.search)) {
    history.replaceState(history.state, '', withoutSharedMediaParam(location.href));
    app.tab = 'media';
    await media.importFiles(await takeSharedMedia());
  }
  await incoming.receive(readIncomingPost(location.search));
}

/** Where the Site view's rebuild-on-change toggle is remembered (per browser, like the view last open). */
const autoRebuildKey = 'pymark:site:rebuild-on-change';

/**
 * The Site view's owner: builds run in the site build worker (src/site/app/site-build-worker.ts),
 * which relays its macros to this page's Python runtime; `site.yml` lives in the connected folder
 * when there is one (the file the CLI reads), else in IndexedDB.
 */
async function siteWorkspace(
  runtime: ReturnType<typeof createPythonRuntime>,
  siteData: SiteDataFeed,
  folder: {
    state: { status: string };
    subscribe(listener: (state: { status: string }) => void): () => void;
    readonly folder: FolderAdapter | undefined;
  },
): Promise<SiteWorkspace> {
  const db = await openPymarkDb(defaultDbName);
  const storedSettings = new IdbSiteSettingsText(db);
  const connected = () => folder.state.status === 'connected' || folder.state.status === 'syncing';
  const connectedFolder = () => (connected() ? folder.folder : undefined);
  const worker = startedOnFirstMessage(
    () =>
      new Worker(new URL('./site/app/site-build-worker.ts', import.meta.url), {
        type: 'module',
        name: 'site build worker',
      }),
  );
  // A build hands the runtime the published posts as site data; the preview then takes its own back.
  // The worker opens a browser folder's handle itself; the desktop build's folder only this page reaches.
  const builds = new SiteBuildClient(
    worker,
    runtime,
    () => siteData.restore(),
    window.pymarkDesktop ? { access: 'page', current: connectedFolder } : { access: 'handle' },
  );
  const site = new SiteWorkspace({
    builds,
    settingsText: async () => {
      const adapter = connectedFolder();
      return adapter ? new FolderSiteSettingsText(adapter) : storedSettings;
    },
    projectTemplates: async () => {
      const adapter = connectedFolder();
      if (!adapter) return [];
      const files = await listFilesBelow(adapter, 'templates');
      return files.map((file) => file.path.slice('templates/'.length));
    },
    folderConnected: connected,
    saveFile: (blob, name) => {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = name;
      link.click();
      // The click has started the download; the address is not needed after this task.
      setTimeout(() => URL.revokeObjectURL(link.href), 0);
    },
    storage: {
      persisted: () => navigator.storage?.persisted?.() ?? Promise.resolve(false),
      persist: () => navigator.storage?.persist?.() ?? Promise.resolve(false),
    },
    autoRebuildSetting: {
      read: () => localStorage.getItem(autoRebuildKey) === 'on',
      write: (on) => localStorage.setItem(autoRebuildKey, on ? 'on' : 'off'),
    },
  });
  void site.checkPersistence();
  // Connecting a folder is the other moment to ask the browser to keep the app's storage.
  let wasConnected = connected();
  folder.subscribe(() => {
    if (connected() && !wasConnected) void site.askPersistence();
    wasConnected = connected();
  });
  return site;
}

/** Calls `remember` with the id of the item `holder` opens, each time it opens another. */
function rememberOpen(
  holder: {
    state: { selectedId: string | null };
    subscribe(listener: (state: { selectedId: string | null }) => void): unknown;
  },
  remember: (id: string) => void,
): void {
  let open = holder.state.selectedId;
  holder.subscribe(({ selectedId }) => {
    if (selectedId === open || selectedId === null) return;
    open = selectedId;
    remember(selectedId);
  });
}

start().catch((error: unknown) => {
  // Nothing else can say it: the app shell may not be wired up.
  const message = document.createElement('p');
  message.setAttribute('role', 'alert');
  message.textContent = `Pymark could not start: ${error instanceof Error ? error.message : String(error)}`;
  document.body.prepend(message);
  throw error;
});
