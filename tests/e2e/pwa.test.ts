import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { incomingParams } from '../../src/core/incoming-post';
import {
  type AppPage,
  newAppPage,
  newScript,
  type PreviewServer,
  repoRoot,
  startPreviewServer,
  useBuiltApp,
} from './harness';
import { forgetStoredSnapshot } from './python-snapshot-seed';

const pyodideFiles = ['pyodide.asm.mjs', 'pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json'];

const suite = useBuiltApp();
let server: PreviewServer;
let browser: Browser;
/** The pages the running test opened: closed after it, so that their Python boots do not slow the next. */
const opened: AppPage[] = [];

beforeAll(() => {
  server = suite.server;
  browser = suite.browser;
});

afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((app) => app.close()));
});

async function open(url = server.url): Promise<AppPage> {
  const app = await newAppPage(browser, url);
  opened.push(app);
  return app;
}

/** Waits until a service worker is active (so the precache is complete), then reloads so it controls the page. */
async function installAndControl(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

/**
 * Opens the app on its own origin, lets the service worker take control, then takes the network away
 * for real: the server is closed and the context is offline (which alone may not cover the worker).
 */
async function openOffline(): Promise<AppPage> {
  const own = await startPreviewServer();
  try {
    const app = await open(own.url);
    await installAndControl(app.page);
    await app.context.setOffline(true);
    return app;
  } finally {
    await own.close();
  }
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('installable offline PWA', () => {
  test('links a valid web app manifest with fetchable PNG icons', async () => {
    const { page, context } = await open();
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).toBeTruthy();
    const manifestUrl = new URL(href!, server.url).href;
    const response = await context.request.get(manifestUrl);
    expect(response.ok()).toBe(true);
    expect(response.headers()['content-type']).toMatch(/^application\/manifest\+json/);
    const manifest = await response.json();
    expect(manifest).toMatchObject({
      name: 'Pymark',
      short_name: 'Pymark',
      display: 'standalone',
      start_url: '/',
      scope: '/',
      id: '/',
      theme_color: '#1f4e79',
    });
    // Shared pages arrive in the parameters the app reads (src/core/incoming-post.ts), images as
    // files; the service worker takes the POST (public/share-target-sw.js).
    const { title, text, url } = incomingParams;
    expect(manifest.share_target).toEqual({
      action: '/share-target',
      method: 'POST',
      enctype: 'multipart/form-data',
      params: {
        title,
        text,
        url,
        files: [{ name: 'media', accept: ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] }],
      },
    });
    expect(manifest.description).toEqual(expect.any(String));
    expect(manifest.background_color).toEqual(expect.any(String));

    const icons: { src: string; sizes: string; type: string; purpose?: string }[] = manifest.icons;
    const has = (sizes: string, purpose: string) =>
      icons.find((icon) => icon.sizes === sizes && (icon.purpose ?? 'any').split(' ').includes(purpose));
    expect(has('192x192', 'any')).toBeTruthy();
    expect(has('512x512', 'any')).toBeTruthy();
    expect(has('512x512', 'maskable')).toBeTruthy();
    for (const icon of icons) {
      const iconResponse = await context.request.get(new URL(icon.src, manifestUrl).href);
      expect(iconResponse.ok(), icon.src).toBe(true);
      expect(iconResponse.headers()['content-type'], icon.src).toBe('image/png');
      const [width, height] = icon.sizes.split('x').map(Number);
      expect(pngSize(await iconResponse.body()), icon.src).toEqual({ width, height });
    }
  });

  test('a service worker controls the page after the first load, which stays cross-origin isolated', async () => {
    const { page, errors } = await open();
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    // <pymark-update-prompt> says so once the app is cached.
    await page.getByText('Ready to work offline').waitFor({ state: 'visible', timeout: 60_000 });
    await installAndControl(page);
    const state = await page.evaluate(async () => ({
      controller: navigator.serviceWorker.controller?.scriptURL ?? null,
      isolated: window.crossOriginIsolated,
      sharedMemory: typeof SharedArrayBuffer === 'function',
    }));
    expect(state).toEqual({
      controller: new URL('sw.js', server.url).href,
      isolated: true,
      sharedMemory: true,
    });
    expect(errors).toEqual([]);
  });

  test('offline, a reload serves the app and the Pyodide runtime from the cache, still isolated', async () => {
    const { page, errors } = await openOffline();
    const origin = new URL(page.url()).origin;
    await page.reload();
    expect(await page.title()).toBe('Pymark');
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    expect(await page.evaluate(() => document.querySelector('pymark-app') !== null)).toBe(true);

    // The files Pyodide fetches at boot come from the precache (the network is down).
    const assets = await page.evaluate(async (files) => {
      return Promise.all(
        files.map(async (file) => {
          const response = await fetch(`/pyodide/${file}`);
          return { file, ok: response.ok, bytes: (await response.arrayBuffer()).byteLength };
        }),
      );
    }, pyodideFiles);
    for (const asset of assets) {
      expect(asset.ok, asset.file).toBe(true);
      expect(asset.bytes, asset.file).toBeGreaterThan(1_000);
    }
    expect(assets.find((asset) => asset.file === 'pyodide.asm.wasm')?.bytes).toBeGreaterThan(5_000_000);

    // The cached app shell kept the isolation headers and the policy it was served with.
    const shellHeaders = await page.evaluate(async () => {
      const response = await fetch('/index.html');
      return {
        coop: response.headers.get('cross-origin-opener-policy'),
        coep: response.headers.get('cross-origin-embedder-policy'),
        csp: response.headers.get('content-security-policy'),
      };
    });
    expect(shellHeaders).toEqual({
      coop: 'same-origin',
      coep: 'require-corp',
      csp: expect.stringMatching(
        /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval' .*frame-ancestors 'none'$/,
      ),
    });

    // A deep link falls back to the cached app shell.
    await page.goto(`${origin}/some/deep/link`);
    expect(await page.title()).toBe('Pymark');
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    expect(errors).toEqual([]);
  });

  test('offline, Python boots and runs a script', async () => {
    // No stored snapshot (as when one of an older build is refused): Python boots the long way, offline.
    const { page, errors } = await openOffline();
    await forgetStoredSnapshot(page);
    await page.reload();
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);

    const status = page.getByRole('status', { name: 'Python status' });
    await expect.poll(() => status.textContent(), { timeout: 90_000, interval: 250 }).toContain('ready');
    expect(await status.getAttribute('data-boot-source')).toBe('normal');

    await newScript(page);
    // The new script opens once it is stored; typing before that would go to the script shown until then.
    await page.getByRole('heading', { name: 'Untitled utility' }).waitFor();
    const editor = page.getByLabel('Code of Untitled utility');
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText('import sys\nprint("offline", 6 * 7, sys.platform)\n');
    await page.getByRole('button', { name: 'Run', exact: true }).click();

    const output = page.getByRole('region', { name: 'Output' });
    await expect
      .poll(() => output.textContent(), { timeout: 60_000, interval: 250 })
      .toContain('offline 42 emscripten');

    // A post shared while offline still goes through its transform and is saved.
    const share = new URLSearchParams({ share_title: 'Shared offline', share_text: 'Quoted offline' });
    await page.goto(`${new URL(page.url()).origin}/?${share}`);
    const arrived = page.getByRole('dialog', { name: /A post arrived/ });
    await expect
      .poll(() => arrived.getByLabel('Body').textContent(), { timeout: 60_000, interval: 250 })
      .toBe('> Quoted offline');
    await arrived.getByRole('button', { name: 'Save as draft' }).click();
    await page.getByRole('heading', { name: 'Shared offline' }).waitFor();
    expect(errors).toEqual([]);
  });

  test('a new version waits for "Reload to update" and never swaps code under the user', async () => {
    // The "next" build: same app, changed service worker and index.html (as a real deploy would change them).
    const nextDir = mkdtempSync(join(tmpdir(), 'pymark-next-'));
    let current = server;
    try {
      cpSync(join(repoRoot, 'dist'), nextDir, { recursive: true });
      const marker = '<meta name="pymark-build" content="next" />';
      const html = readFileSync(join(nextDir, 'index.html'), 'utf8');
      writeFileSync(join(nextDir, 'index.html'), html.replace('</head>', `${marker}</head>`));
      const sw = readFileSync(join(nextDir, 'sw.js'), 'utf8');
      const bumped = sw.replace(/\{[^{}]*"?url"?\s*:\s*"index\.html"[^{}]*\}/, (entry) =>
        entry.replace(/("?revision"?\s*:\s*")[^"]*"/, '$1next-build"'),
      );
      expect(bumped, 'index.html precache entry in sw.js').not.toBe(sw);
      writeFileSync(join(nextDir, 'sw.js'), `${bumped}\n// next build\n`);

      // A dedicated origin, so this test's service worker does not meet the other tests' pages.
      current = await startPreviewServer();
      const { page, context } = await open(current.url);
      const isNext = (tab: Page) =>
        tab.evaluate(() => document.querySelector('meta[name="pymark-build"]') !== null);
      await installAndControl(page);
      expect(await isNext(page)).toBe(false);
      // A second tab of the app, with in-memory state that a reload would lose.
      const other = await context.newPage();
      await other.goto(current.url);
      await other.evaluate(() => Object.assign(window, { unsavedWork: 'still here' }));
      const otherKept = () => other.evaluate(() => (window as { unsavedWork?: string }).unsavedWork ?? null);

      // Deploy: the next build is served on the same origin.
      const { port } = current;
      await current.close();
      current = await startPreviewServer({ outDir: nextDir, port });
      await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        await registration?.update();
      });

      const notice = page.getByText('A new version of Pymark is available.');
      await notice.waitFor({ state: 'visible', timeout: 60_000 });
      const waiting = () =>
        page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting !== null);
      expect(await waiting()).toBe(true);
      expect(await isNext(page)).toBe(false);

      // "Later" dismisses the prompt; a reload still runs the old version and asks again.
      await page.getByRole('button', { name: 'Later' }).click();
      await notice.waitFor({ state: 'hidden' });
      await page.reload();
      expect(await isNext(page)).toBe(false);
      await notice.waitFor({ state: 'visible', timeout: 30_000 });

      // "Reload to update" activates the new worker and reloads into the new version.
      await Promise.all([
        page.waitForEvent('load', { timeout: 60_000 }),
        page.getByRole('button', { name: 'Reload to update' }).click(),
      ]);
      await page.waitForFunction(() => document.querySelector('meta[name="pymark-build"]') !== null);
      expect(await waiting()).toBe(false);
      expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);

      // The other tab was not reloaded under the user: it says so and reloads when asked.
      await other
        .getByText('Pymark was updated in another tab.')
        .waitFor({ state: 'visible', timeout: 30_000 });
      expect(await otherKept()).toBe('still here');
      expect(await isNext(other)).toBe(false);
      await Promise.all([
        other.waitForEvent('load', { timeout: 60_000 }),
        other.getByRole('button', { name: 'Reload now' }).click(),
      ]);
      expect(await isNext(other)).toBe(true);
      expect(await otherKept()).toBe(null);
    } finally {
      await current.close();
      rmSync(nextDir, { recursive: true, force: true });
    }
  });
});
