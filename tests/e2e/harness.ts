/**
 * Shared e2e helpers: serve the built app (dist/) with Vite's preview server, or the sources with its
 * dev server, and drive it with the system Chromium through playwright-core: one browser for the
 * whole project (browser-server.ts), a fresh context per page, which starts with a stored Python
 * snapshot unless a test asks for a first visit. `npm run test:e2e` builds before vitest runs.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { createServer, preview } from 'vite';
import { afterAll, beforeAll, inject } from 'vitest';
import { appHeaders } from '../../vite.config';
import { snapshotSeedRoutes, storeSnapshotSeed } from './python-snapshot-seed';

export { launchBrowser } from './chromium';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface PreviewServer {
  /** Origin with a trailing slash, e.g. `http://localhost:41234/`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface PreviewOptions {
  /** Directory to serve, absolute or relative to the repo root; default `dist`. */
  outDir?: string;
  /** Port to listen on; default 0 (a free one). Reuse a port to serve another build on the same origin. */
  port?: number;
}

/** Serves a built app with the same headers as `npm start` (cross-origin isolation, the page's policy). */
export async function startPreviewServer(options: PreviewOptions = {}): Promise<PreviewServer> {
  const outDir = options.outDir ?? 'dist';
  const dir = resolve(repoRoot, outDir);
  if (!existsSync(`${dir}/index.html`)) {
    throw new Error(
      `No build at ${dir}: run \`npm run build\` (or \`npm run test:e2e\`, which builds first).`,
    );
  }
  const server = await preview({
    root: repoRoot,
    configFile: false,
    logLevel: 'warn',
    appType: 'spa',
    plugins: [snapshotSeedRoutes()],
    build: { outDir: dir },
    preview: {
      host: '127.0.0.1',
      port: options.port ?? 0,
      strictPort: options.port !== undefined,
      headers: appHeaders,
    },
  });
  return { ...localOrigin(server.httpServer.address()), close: () => server.close() };
}

/** Serves the sources with the Vite dev server and the project's config, as `npm run dev` does. */
export async function startDevServer(): Promise<PreviewServer> {
  const server = await createServer({
    root: repoRoot,
    configFile: resolve(repoRoot, 'vite.config.ts'),
    logLevel: 'warn',
    plugins: [snapshotSeedRoutes()],
    // No file watching: an edit elsewhere in the checkout would reload the page mid-test.
    server: { host: '127.0.0.1', port: 0, watch: null },
  });
  await server.listen();
  return { ...localOrigin(server.httpServer?.address() ?? null), close: () => server.close() };
}

function localOrigin(address: AddressInfo | string | null): Pick<PreviewServer, 'url' | 'port'> {
  if (!address || typeof address === 'string') throw new Error('The server has no TCP address');
  // `localhost` is a secure context, which service workers need; the server listens on 127.0.0.1.
  return { url: `http://localhost:${address.port}/`, port: address.port };
}

export interface BuiltAppSuite {
  readonly server: PreviewServer;
  readonly browser: Browser;
}

/**
 * One server (by default the built app's preview server) for the whole test file, closed after it,
 * and a connection to the project's shared browser (browser-server.ts), through which the file opens
 * contexts of its own.
 */
export function useBuiltApp(startServer: () => Promise<PreviewServer> = startPreviewServer): BuiltAppSuite {
  const suite: { server?: PreviewServer; browser?: Browser } = {};
  beforeAll(async () => {
    suite.server = await startServer();
    suite.browser = await chromium.connect(inject('browserEndpoint'));
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return {
    get server() {
      if (!suite.server) throw new Error('the preview server starts in beforeAll');
      return suite.server;
    },
    get browser() {
      if (!suite.browser) throw new Error('the browser starts in beforeAll');
      return suite.browser;
    },
  };
}

export interface AppPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far, as text. */
  errors: string[];
  close(): Promise<void>;
}

export interface AppContextOptions {
  /**
   * Whether the context starts with the Python memory snapshot that the app stores after its first
   * boot (python-snapshot-seed.ts), as on any visit after the first: Python then boots from it.
   * Default true; false for a very first visit, where Python boots the long way and stores one.
   */
  storedSnapshot?: boolean;
}

/**
 * A context as on the very first visit: no stored snapshot. The benches use it, since they run outside
 * vitest (which provides the seed) and time first and repeat visits themselves.
 */
export const firstVisit: AppContextOptions = { storedSnapshot: false };

/**
 * A fresh context (fresh storage, caches and service workers) for the app at `url`: its storage is
 * empty but for the stored Python snapshot, unless `storedSnapshot` is false.
 */
export async function newAppContext(
  browser: Browser,
  url: string,
  { storedSnapshot = true }: AppContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext();
  if (storedSnapshot) await storeSnapshotSeed(context, url);
  return context;
}

export interface AppPageOptions extends AppContextOptions {
  /**
   * The folder picker cannot be automated: the page's `showDirectoryPicker` hands out the OPFS folder
   * `project` instead, and everything after the pick is the app's real code path.
   */
  opfsFolder?: boolean;
}

/** Opens `url` in a fresh context (see `newAppContext`) and records errors. */
export async function newAppPage(
  browser: Browser,
  url: string,
  options: AppPageOptions = {},
): Promise<AppPage> {
  const context = await newAppContext(browser, url, options);
  if (options.opfsFolder) await context.addInitScript(pickOpfsFolder);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  await page.goto(url);
  return { context, page, errors, close: () => context.close() };
}

/** Runs in the page, before the app's scripts (see `AppPageOptions.opfsFolder`). */
function pickOpfsFolder(): void {
  Object.defineProperty(window, 'showDirectoryPicker', {
    configurable: true,
    value: async () =>
      (await navigator.storage.getDirectory()).getDirectoryHandle('project', { create: true }),
  });
}

/** Runs in the page: the text of `project/<path>` in OPFS, or null when there is no such file. */
export async function readOpfs(path: string): Promise<string | null> {
  let dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('project');
  const parts = path.split('/');
  const name = parts.pop()!;
  try {
    for (const part of parts) dir = await dir.getDirectoryHandle(part);
    return await (await (await dir.getFileHandle(name)).getFile()).text();
  } catch {
    return null;
  }
}

/** Runs in the page: the names of the files in `project/<dir>` in OPFS (none when it is absent). */
export async function listOpfs(dir: string): Promise<string[]> {
  const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('project');
  const names: string[] = [];
  try {
    for await (const name of (await root.getDirectoryHandle(dir)).keys()) names.push(name);
  } catch {
    return [];
  }
  return names.sort();
}

export const output = (page: Page) => page.getByRole('region', { name: 'Output' });
export const pythonStatus = (page: Page) => page.getByRole('status', { name: 'Python status' });

/** Waits until one of the elements `locator` matches has text matching `pattern`. */
export async function waitFor(locator: Locator, pattern: RegExp, timeout = 30_000): Promise<void> {
  await locator.filter({ hasText: pattern }).first().waitFor({ timeout });
}

/** Replaces the editor's content with `code` (see `replaceText`) and presses Run. */
export async function startRun(page: Page, code: string): Promise<void> {
  await replaceText(page.locator('.cm-content'), code);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
}

/** Replaces the content of the editor labelled `editorLabel` (see `replaceText`). */
export async function replaceEditorText(page: Page, editorLabel: string, text: string): Promise<void> {
  await replaceText(page.getByLabel(editorLabel), text);
}

/**
 * Selects all of `editor` and pastes `text` over it, as a user's paste does: through the editor's
 * paste handler, so auto-indent and bracket closing stay out of it. Not `keyboard.insertText`:
 * Chromium turns each line break of inserted text into an editing command with its own layout, so
 * 300 lines took 20 s.
 */
export async function replaceText(editor: Locator, text: string): Promise<void> {
  await editor.click();
  await editor.page().keyboard.press('ControlOrMeta+a');
  await editor.page().evaluate((pasted) => {
    let focused = document.activeElement;
    while (focused?.shadowRoot?.activeElement) focused = focused.shadowRoot.activeElement;
    if (!focused) throw new Error('nothing has the focus to paste into');
    const clipboardData = new DataTransfer();
    clipboardData.setData('text/plain', pasted);
    focused.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true }));
  }, text);
}

/** Presses New script and picks `kind` from the menu it opens; the new script is called `Untitled <kind>`. */
export async function newScript(
  page: Page,
  kind: 'macro' | 'transform' | 'utility' = 'utility',
): Promise<void> {
  await page.getByRole('button', { name: 'New script' }).click();
  await page.getByRole('menuitem', { name: new RegExp(`^${kind}`, 'i') }).click();
}

/** Creates a script of `kind` named `slug` with `code`, through the scripts view, and saves it. */
export async function createScript(
  page: Page,
  kind: 'macro' | 'transform',
  slug: string,
  code: string,
): Promise<void> {
  await page.getByRole('tab', { name: 'Scripts' }).click();
  await newScript(page, kind);
  await page.getByRole('button', { name: `Rename Untitled ${kind}` }).click();
  const title = page.getByLabel(`New title for Untitled ${kind}`);
  await title.fill(slug);
  await title.press('Enter');
  await page.getByRole('heading', { name: slug }).waitFor();
  if (kind === 'macro') {
    // The editor says how a post calls it.
    await page
      .getByTitle('How a post calls this macro')
      .filter({ hasText: `[[${slug}]]` })
      .waitFor();
  }
  await replaceEditorText(page, `Code of ${slug}`, code);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('button', { name: 'Save', exact: true }).and(page.locator(':disabled')).waitFor();
}
