import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { build as viteBuild } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { progressSteps } from '../../src/site/app/build-progress';
import { persistenceText } from '../../src/ui/site-workspace';
import {
  type AppPage,
  createScript,
  newAppPage,
  type PreviewServer,
  replaceEditorText,
  repoRoot,
  useBuiltApp,
} from './harness';

/*
 * Building the site in the app (issue 12): the Site view, the site build worker writing into the
 * connected folder (OPFS standing in for a picked one), the preview served by the service worker,
 * the zip, Cancel, and a macro error's link. The same project is built by the Node engine too, and
 * the two sites must be byte-identical.
 */

const suite = useBuiltApp();
let server: PreviewServer;
let app: AppPage;
let page: Page;

const postCount = 20;

/** A post file as a blogger (or folder sync) writes it: full front matter, a YouTube call in the body. */
function postFile(index: number): { path: string; text: string } {
  const n = String(index + 1).padStart(2, '0');
  const day = `2026-0${1 + (index % 9)}-${n}T10:00:00.000Z`;
  return {
    path: `posts/post_${n}.md`,
    text: [
      '---',
      `id: "00000000-0000-4000-8000-0000000000${n}"`,
      `title: "Post number ${n}"`,
      'status: "published"',
      `tags: ["tag${index % 4}", "common"]`,
      `categories: ["${index % 2 === 0 ? 'notes' : 'essays'}"]`,
      `createdAt: "${day}"`,
      `updatedAt: "${day}"`,
      `publishedAt: "${day}"`,
      '---',
      `Paragraph one of post ${n}, with *emphasis* and a [link](https://example.org/${n}).`,
      '',
      `[[youtube id="dQw4w9WgXcQ" title="Video ${n}"]]`,
      '',
    ].join('\n'),
  };
}

/** Runs in the page: writes files below `project/` in OPFS. */
async function writeOpfsFiles(files: { path: string; text: string }[]): Promise<void> {
  const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('project', { create: true });
  for (const { path, text } of files) {
    const parts = path.split('/');
    const name = parts.pop()!;
    let dir = root;
    for (const part of parts) dir = await dir.getDirectoryHandle(part, { create: true });
    const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
    await writable.write(text);
    await writable.close();
  }
}

/** Runs in the page: every file below `project/<dir>` with its bytes as base64, by path relative to `dir`. */
async function readOpfsTree(dir: string): Promise<Record<string, string>> {
  let handle = await (await navigator.storage.getDirectory()).getDirectoryHandle('project');
  for (const part of dir.split('/').filter(Boolean)) handle = await handle.getDirectoryHandle(part);
  const files: Record<string, string> = {};
  const walk = async (folder: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
    for await (const entry of folder.values()) {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.kind === 'directory') await walk(entry as FileSystemDirectoryHandle, path);
      else {
        const bytes = new Uint8Array(await (await (entry as FileSystemFileHandle).getFile()).arrayBuffer());
        let binary = '';
        for (const byte of bytes) binary += String.fromCharCode(byte);
        files[path] = btoa(binary);
      }
    }
  };
  await walk(handle, '');
  return files;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function siteHashes(): Promise<Map<string, string>> {
  const tree = await page.evaluate(readOpfsTree, 'site');
  return new Map(
    Object.entries(tree)
      .filter(([path]) => path !== '.pymark-site.json')
      .map(([path, base64]) => [path, sha256(Buffer.from(base64, 'base64'))]),
  );
}

const siteTab = () => page.getByRole('tab', { name: 'Site' });
const report = () => page.getByRole('region', { name: 'Build report' });

async function buildSite(): Promise<void> {
  await page.getByRole('button', { name: 'Build site' }).click();
  await report().waitFor({ timeout: 120_000 });
}

/** The names in a zip's central directory (what an unzip tool lists). */
function zipEntryNames(zip: Buffer): string[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip: no end of central directory');
  let count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  while (count-- > 0) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`bad central directory entry at ${offset}`);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names.sort();
}

beforeAll(async () => {
  server = suite.server;
  app = await newAppPage(suite.browser, server.url, { opfsFolder: true });
  page = app.page;
  await page.locator('.cm-content').first().waitFor();
  await page.evaluate(
    writeOpfsFiles,
    Array.from({ length: postCount }, (_, index) => postFile(index)),
  );
});

afterAll(async () => {
  await app?.close();
});

describe('building the site in the app', () => {
  test('the Site view sets the title, builds into the folder with progress and a report', async () => {
    await page.getByRole('button', { name: 'Connect folder' }).click();
    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.getByRole('list', { name: 'Posts' }).getByText(`Post number ${postCount}`).waitFor();
    // The preview is served by the service worker, which must control the origin first.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await siteTab().click();
    const title = page.locator('pymark-site-view input[name="title"]');
    await title.fill('');
    await expect.poll(() => page.locator('#site-title-error').textContent()).toMatch(/must not be empty/);
    await title.fill('Built in the app');
    await title.press('Enter');
    await expect.poll(() => page.locator('pymark-site-view .saved').textContent()).toBe('Saved');
    await expect.poll(async () => (await page.evaluate(readOpfsTree, ''))['site.yml']).toBeDefined();

    // Every progress the view showed, as the app's Site workspace told it.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenProgress: string[] }).seenProgress = seen;
      document.querySelector('pymark-app')!.site!.subscribe((state) => {
        if (state.progress)
          seen.push(`${state.progress.phase} ${state.progress.done}/${state.progress.total}`);
      });
    });
    await buildSite();
    await expect(report().textContent()).resolves.toMatch(
      /Built into the folder’s site\/: \d+ written, 0 unchanged, 0 removed/,
    );
    const seen = await page.evaluate(() => (window as unknown as { seenProgress: string[] }).seenProgress);
    const written = Number(/(\d+) written/.exec((await report().textContent()) ?? '')?.[1]);
    expect(written).toBeGreaterThan(progressSteps + 1);
    const writes = seen.filter((step) => step.startsWith('write '));
    expect(writes.length).toBeGreaterThan(0);
    // A message a file would show `written` of them: the page handles at most this many a phase.
    expect(writes.length).toBeLessThanOrEqual(progressSteps + 1);

    const site = await page.evaluate(readOpfsTree, 'site');
    expect(Object.keys(site)).toEqual(
      expect.arrayContaining([
        'index.html',
        'posts/post_01/index.html',
        'rss.xml',
        'atom.xml',
        'sitemap.xml',
      ]),
    );
    const home = Buffer.from(site['index.html']!, 'base64').toString('utf8');
    expect(home).toContain('Built in the app');

    // A second build writes nothing: only changed files are written.
    await buildSite();
    await expect(report().textContent()).resolves.toMatch(/: 0 written, \d+ unchanged, 0 removed/);
  });

  test('the Node engine builds the same project into byte-identical files', async () => {
    const project = await page.evaluate(readOpfsTree, '');
    const files = new Map(
      Object.entries(project)
        .filter(([path]) => !path.startsWith('site/'))
        .map(([path, base64]) => [path, new Uint8Array(Buffer.from(base64, 'base64'))]),
    );
    // Inside the checkout, so the bundle resolves pyodide from node_modules as the CLI does.
    const outDir = join(repoRoot, 'node_modules/.cache/pymark-site-engine-e2e');
    await viteBuild({
      configFile: join(repoRoot, 'vite.node.config.ts'),
      root: repoRoot,
      logLevel: 'warn',
      build: {
        outDir,
        rolldownOptions: { input: { 'site-engine': 'tests/e2e/site-engine-entry.ts' } },
      },
    });
    const engine: typeof import('./site-engine-entry') = await import(
      pathToFileURL(join(outDir, 'site-engine.mjs')).href
    );
    const { createNodeRuntime, readProject, SiteBuilder } = engine;
    const python = createNodeRuntime();
    try {
      await python.ready();
      const read = await readProject({
        listFiles: async (dir) =>
          [...files.keys()]
            .filter((path) => path.startsWith(`${dir}/`))
            .map((path) => ({ path, modifiedAt: '2026-01-01T00:00:00.000Z' })),
        read: async (path) => files.get(path),
      });
      if (!read.ok) throw new Error(JSON.stringify(read.problems));
      const result = await new SiteBuilder(python).build(read.project);
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      const nodeHashes = new Map([...result.files].map(([path, bytes]) => [path, sha256(bytes)]));
      expect(await siteHashes()).toEqual(nodeHashes);
    } finally {
      python.dispose();
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  test('the built site is browsable through the service worker, offline too, sandboxed', async () => {
    for (const offline of [false, true]) {
      await app.context.setOffline(offline);
      const preview = await app.context.newPage();
      const fromWorker: string[] = [];
      preview.on('response', (response) => {
        if (response.fromServiceWorker() && response.ok()) fromWorker.push(new URL(response.url()).pathname);
      });
      const response = await preview.goto(`${server.url}site-preview/`);
      expect(response?.status()).toBe(200);
      expect(await response?.headerValue('content-security-policy')).toMatch(/^sandbox/);
      await expect.poll(() => preview.title()).toBe('Built in the app');
      await expect
        .poll(() => fromWorker.some((path) => /\/site-preview\/theme\/site\.[0-9a-f]+\.css$/.test(path)))
        .toBe(true);
      await preview.getByRole('link', { name: 'Post number 18' }).first().click();
      await expect.poll(() => preview.url()).toBe(`${server.url}site-preview/posts/post_18/`);
      await expect.poll(() => preview.title()).toMatch(/Post number 18/);
      const feed = await preview.goto(`${server.url}site-preview/rss.xml`);
      expect(await feed?.text()).toContain('<rss');
      await preview.close();
    }
    await app.context.setOffline(false);
  });

  test('Download site gives a zip of every file of the site', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download site (.zip)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('site.zip');
    const dir = mkdtempSync(join(tmpdir(), 'pymark-site-zip-'));
    try {
      await download.saveAs(join(dir, 'site.zip'));
      const names = zipEntryNames(readFileSync(join(dir, 'site.zip')));
      expect(names).toEqual([...(await siteHashes()).keys()].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Cancel midway leaves the previous site whole', async () => {
    const before = await siteHashes();
    // A macro that never returns holds the build in its render phase until the runtime's time limit.
    await createScript(page, 'macro', 'stall', 'def render(context):\n    while True:\n        pass\n');
    await page.evaluate(writeOpfsFiles, [
      {
        path: 'posts/stalled.md',
        text: [
          '---',
          'id: "00000000-0000-4000-8000-000000000099"',
          'title: "Stalled"',
          'status: "published"',
          'createdAt: "2026-02-02T10:00:00.000Z"',
          'updatedAt: "2026-02-02T10:00:00.000Z"',
          'publishedAt: "2026-02-02T10:00:00.000Z"',
          '---',
          'Before the call.',
          '',
          '[[stall]]',
          '',
        ].join('\n'),
      },
    ]);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.getByRole('list', { name: 'Posts' }).getByText('Stalled').waitFor();
    await siteTab().click();
    await page.getByRole('button', { name: 'Build site' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /Reading the project|Rendered|Starting/ })
      .waitFor();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await expect.poll(() => report().textContent()).toMatch(/Build cancelled/);
    expect(await siteHashes()).toEqual(before);
  });

  test('a macro error is listed at its post and line, and its link opens the post there', async () => {
    await page.getByRole('tab', { name: 'Scripts' }).click();
    await page.getByRole('list', { name: 'Scripts' }).locator('button.open', { hasText: 'stall' }).click();
    await replaceEditorText(
      page,
      'Code of stall',
      'def render(context):\n    raise ValueError("no stall today")\n',
    );
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).and(page.locator(':disabled')).waitFor();
    await siteTab().click();
    await buildSite();
    await expect.poll(() => report().textContent()).toMatch(/Build failed/);
    const errors = page.getByRole('list', { name: 'Errors' });
    await expect
      .poll(async () => (await errors.textContent())?.replace(/\s+/g, ' '))
      .toMatch(/posts\/stalled\.md:\d+:\d+: \[\[stall\]\] failed \(exception\): ValueError: no stall today/);
    await errors.getByRole('button', { name: /Open the post at line 3/ }).click();
    await expect
      .poll(() => page.getByRole('tab', { name: 'Posts' }).getAttribute('aria-selected'))
      .toBe('true');
    await expect.poll(() => page.locator('.cm-activeLine').first().textContent()).toBe('[[stall]]');
    await siteTab().click();
    await page
      .getByRole('list', { name: 'Errors' })
      .getByRole('button', { name: /Open stall\.py at line \d+/ })
      .click();
    await expect
      .poll(() => page.getByRole('tab', { name: 'Scripts' }).getAttribute('aria-selected'))
      .toBe('true');
  });

  test('the app asked to keep its storage, and exports the project as a zip', async () => {
    await siteTab().click();
    await expect.poll(() => page.locator('.persisted').textContent()).toMatch(/persistent storage/i);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export project (.zip)' }).click(),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'pymark-project-zip-'));
    try {
      await download.saveAs(join(dir, 'project.zip'));
      const names = zipEntryNames(readFileSync(join(dir, 'project.zip')));
      expect(names).toEqual(
        expect.arrayContaining(['site.yml', 'posts/post_01.md', 'posts/stalled.md', 'scripts/stall.py']),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('rebuild on change: an edited post is rebuilt in the background; Settings says whether storage is kept', async () => {
    await siteTab().click();
    await page.getByRole('checkbox', { name: 'Rebuild on change' }).check();
    // The failing macro of the test before is fixed: that save is a change too, and rebuilds.
    await page.getByRole('tab', { name: 'Scripts' }).click();
    await page.getByRole('list', { name: 'Scripts' }).locator('button.open', { hasText: 'stall' }).click();
    await replaceEditorText(page, 'Code of stall', 'def render(context):\n    return "calm"\n');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).and(page.locator(':disabled')).waitFor();
    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.getByRole('list', { name: 'Posts' }).getByText('Post number 03').click();
    await replaceEditorText(
      page,
      'Markdown of Post number 03',
      'Rewritten while the site rebuilds itself.\n',
    );
    const rebuiltPage = async () => {
      const tree = await page.evaluate(readOpfsTree, 'site/posts/post_03');
      return Buffer.from(tree['index.html'] ?? '', 'base64').toString('utf8');
    };
    await expect
      .poll(rebuiltPage, { timeout: 120_000 })
      .toContain('Rewritten while the site rebuilds itself.');
    await siteTab().click();
    await expect
      .poll(() => page.locator('pymark-site-view .rebuild-status').textContent(), { timeout: 60_000 })
      .toMatch(/Rebuilt after a change at .*: \d+ written, \d+ unchanged/);
    // The stalled post's page came back once its macro worked again.
    expect(Object.keys(await page.evaluate(readOpfsTree, 'site'))).toContain('posts/stalled/index.html');

    // Persistent storage was asked for at the first build; Settings says what the browser answered.
    const granted = await page.evaluate(() => navigator.storage.persisted());
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect
      .poll(() => page.locator('pymark-settings-dialog .storage-persistence').textContent())
      .toBe(persistenceText(granted));
    await page.keyboard.press('Escape');
  });
});
