import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderHost } from '../../electron/folder-host';
import { NodeSiteTarget } from '../../src/cli/node-folders';
import { appProjectSource } from '../../src/site/app/app-project';
import type { PageToWorker } from '../../src/site/app/build-protocol';
import { RelayedFolder } from '../../src/site/app/folder-relay';
import { FolderSiteTarget } from '../../src/site/app/folder-site-target';
import { SiteBuildClient } from '../../src/site/app/site-build-client';
import { SiteBuilder } from '../../src/site/build-site';
import { readProject } from '../../src/site/project';
import { writeSite } from '../../src/site/site-writer';
import { pickDesktopFolder } from '../../src/storage/folder/desktop-folder';
import { IpcFolder } from '../../src/storage/folder/ipc-folder';
import { FolderSiteSettingsText } from '../../src/storage/site-settings-store';
import { fakeBridge, windowId } from './desktop-bridge-harness';
import { blogFixture, copyFixture } from './site-harness';

/*
 * The desktop build's in-app site build (electron/README.md): the site build worker reaches the
 * project folder through the page (folder-relay.ts), the page through the preload's bridge, and
 * main through FolderHost and Node's fs. Here every hop is real but Electron's IPC, which is
 * replaced by a structured clone as in ipc-folder.test.ts, and the worker's postMessage, likewise.
 */

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A desktop project folder: the fixture copied, picked through the bridge; the worker's side of the relay. */
async function desktopFolder() {
  const dir = copyFixture(blogFixture);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const host = new FolderHost();
  const bridge = fakeBridge(host, async () => dir);
  const page = new IpcFolder(bridge.folder, (await pickDesktopFolder(bridge)).id);
  let toPage: ((event: Event) => void) | undefined;
  const relayed = new RelayedFolder((requestId, request) =>
    toPage?.({ data: structuredClone({ type: 'folder', requestId, request }) } as MessageEvent<unknown>),
  );
  const worker = {
    postMessage(message: PageToWorker) {
      const copy = structuredClone(message);
      if (copy.type === 'folder-done') relayed.answer(copy.requestId, { value: copy.value });
      if (copy.type === 'folder-failed') relayed.answer(copy.requestId, { error: copy.message });
    },
    addEventListener(type: 'message' | 'error', listener: (event: Event) => void) {
      if (type === 'message') toPage = listener;
    },
  };
  const noPython = { renderMany: async () => [], setSiteData: () => {} };
  new SiteBuildClient(worker, noPython, () => {}, { access: 'page', current: () => page });
  return { dir, relayed, host };
}

/** Every file below `dir`, by path relative to it, with its bytes. */
function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), readFileSync(path).toString('base64'));
  }
  return files;
}

function folders(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('the in-app build in the desktop build', () => {
  it('reads templates, assets and site.yml through the page, and writes the site as the CLI does', async () => {
    const { dir, relayed } = await desktopFolder();
    const none = { list: async () => [] };
    const source = await appProjectSource({
      posts: none,
      scripts: none,
      media: { list: async () => [], blob: async () => undefined },
      siteSettings: new FolderSiteSettingsText(relayed),
      folder: relayed,
    });
    const read = await readProject(source);
    if (!read.ok) throw new Error(JSON.stringify(read.problems));
    const { project } = read;
    expect([...project.templates.keys()]).toEqual(['partials/footer.liquid']);
    expect(project.assets.map((asset) => asset.path)).toEqual(['assets/extra.css', 'assets/img/dot.gif']);
    expect(project.settings.title).toBe(
      /title:\s*"?([^"\n]+)"?/.exec(readFileSync(join(dir, 'site.yml'), 'utf8'))?.[1],
    );

    const built = await new SiteBuilder({ renderMany: async () => [], setSiteData: () => {} }).build(project);
    if (!built.ok) throw new Error(JSON.stringify(built.problems));
    const first = await writeSite(built.files, new FolderSiteTarget(relayed, 'site'));
    expect(first.written).toHaveLength(built.files.size);

    // The CLI's target, given the same files: the same bytes on disk, manifest included.
    const cliDir = mkdtempSync(join(tmpdir(), 'pymark-cli-site-'));
    cleanups.push(() => rmSync(cliDir, { recursive: true, force: true }));
    await writeSite(built.files, new NodeSiteTarget(cliDir));
    expect(tree(join(dir, 'site'))).toEqual(tree(cliDir));

    // Built again: nothing written. Without a page, its file and the folders it leaves empty go.
    const again = await writeSite(built.files, new FolderSiteTarget(relayed, 'site'));
    expect(again).toEqual({ written: [], unchanged: built.files.size, removed: [] });
    const extra = new Map([...built.files, ['tags/gone/page/2/index.html', new TextEncoder().encode('x')]]);
    await writeSite(extra, new FolderSiteTarget(relayed, 'site'));
    expect(folders(join(dir, 'site'))).toContain(join('tags', 'gone', 'page', '2'));
    const removed = await writeSite(built.files, new FolderSiteTarget(relayed, 'site'));
    expect(removed.removed).toEqual(['tags/gone/page/2/index.html']);
    await writeSite(built.files, new NodeSiteTarget(cliDir));
    expect(folders(join(dir, 'site'))).toEqual(folders(cliDir));
    expect(tree(join(dir, 'site'))).toEqual(tree(cliDir));
  });

  it("main's refusal reaches the build as its error, and nothing is written", async () => {
    const { dir, relayed, host } = await desktopFolder();
    host.forget(windowId);
    const target = new FolderSiteTarget(relayed, 'site');
    await expect(writeSite(new Map([['index.html', new Uint8Array([1])]]), target)).rejects.toThrow(
      'This folder is no longer connected; connect it again.',
    );
    expect(readdirSync(dir)).not.toContain('site');
  });
});
