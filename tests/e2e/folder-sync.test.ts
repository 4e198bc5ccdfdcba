import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AppPage, listOpfs, newAppPage, readOpfs, replaceText, useBuiltApp } from './harness';

// The app's project folder is the OPFS folder `project` (see AppPageOptions.opfsFolder).

const suite = useBuiltApp();
let app: AppPage;
let page: Page;

/**
 * Runs in the page: replaces (or creates) `project/<path>` in OPFS, as an editor outside the app would. With
 * `thenSave`, clicks the app's Save right after, so both edits land before the next sync.
 */
async function writeOpfs({
  path,
  text,
  thenSave,
}: {
  path: string;
  text: string;
  thenSave: boolean;
}): Promise<void> {
  let dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('project');
  const parts = path.split('/');
  const name = parts.pop()!;
  for (const part of parts) dir = await dir.getDirectoryHandle(part, { create: true });
  const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
  await writable.write(text);
  await writable.close();
  if (thenSave) {
    const view = document.querySelector('pymark-app')!.shadowRoot!.querySelector('pymark-script-view')!;
    view.shadowRoot!.querySelector<HTMLButtonElement>('button[title^="Save"]')!.click();
  }
}

type WithSyncLock = Window & { releaseSyncLock?: () => void };

/** Takes the lock a tab holds while its sync pass runs (src/project-folder.ts), until released. */
function holdSyncLock(): Promise<void> {
  return new Promise((held) => {
    void navigator.locks.request(
      'pymark:folder-sync',
      () =>
        new Promise<void>((release) => {
          (window as WithSyncLock).releaseSyncLock = release;
          held();
        }),
    );
  });
}

const folderStatus = () => page.getByRole('status', { name: 'Folder status' });
const editor = () => page.locator('.cm-content');
const scriptsList = () => page.getByRole('list', { name: 'Scripts' });

async function setCode(code: string): Promise<void> {
  await replaceText(editor(), code);
}

async function openScript(title: string): Promise<void> {
  await scriptsList().locator('button.open', { hasText: title }).click();
  await expect.poll(() => page.locator('.toolbar h2').textContent()).toBe(title);
}

/** The URLs of the workers the page started, from its first load on. */
const workerUrls: string[] = [];

beforeAll(async () => {
  app = await newAppPage(suite.browser, suite.server.url, { opfsFolder: true });
  page = app.page;
  page.on('worker', (worker) => workerUrls.push(worker.url()));
  await editor().waitFor();
});

/** A "billion laughs": nine aliases to the level above on each of seven levels, 9^7 strings in all. */
const aliasBomb = [
  'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  ...'bcdefg'
    .split('')
    .map((name, index) => `${name}: &${name} [${Array(9).fill(`*${'abcdefg'[index]}`).join(', ')}]`),
].join('\n');

afterAll(async () => {
  await app?.close();
});

describe('project folder sync (OPFS standing in for the picked folder)', () => {
  test('connecting writes the seeded defaults out as files', async () => {
    await expect.poll(() => folderStatus().textContent()).toMatch(/Not connected/);
    await page.getByRole('button', { name: 'Connect folder' }).click();
    await expect.poll(() => folderStatus().textContent()).toMatch(/Folder: project — connected/);
    await expect
      .poll(() => page.evaluate(listOpfs, 'scripts'))
      .toEqual([
        'gallery.py',
        'hello.py',
        'link_post.py',
        'photo_archive.py',
        'tag_cloud.py',
        'vimeo.py',
        'youtube.py',
      ]);
    await expect(page.evaluate(readOpfs, 'scripts/hello.py')).resolves.toContain('title: "Hello"');
  });

  test('a save in the app rewrites the file', async () => {
    await openScript('Hello');
    await setCode('def main():\n    print("saved in the app")\n');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect
      .poll(() => page.evaluate(readOpfs, 'scripts/hello.py'), { timeout: 10_000 })
      .toContain('print("saved in the app")');
  });

  test('a file changed behind the app shows in the open editor without a reload', async () => {
    const file = (await page.evaluate(readOpfs, 'scripts/hello.py'))!;
    await page.evaluate(writeOpfs, {
      path: 'scripts/hello.py',
      text: file.replace('print("saved in the app")', 'print("edited on disk")'),
      thenSave: false,
    });
    await expect.poll(() => editor().textContent(), { timeout: 15_000 }).toContain('print("edited on disk")');
    await expect(page.getByText('Unsaved changes').count()).resolves.toBe(0);
  });

  test('edited in both places: the folder wins the slot, the app version is kept beside it', async () => {
    await setCode('def main():\n    print("app side")\n');
    const file = (await page.evaluate(readOpfs, 'scripts/hello.py'))!;
    // Both edits land before the next sync pass reads either side, as when the app saves while
    // another editor saves the file: with the pass lock held (as another tab's pass would hold it).
    await page.evaluate(holdSyncLock);
    try {
      await page.evaluate(writeOpfs, {
        path: 'scripts/hello.py',
        text: file.replace('print("edited on disk")', 'print("disk side")'),
        thenSave: true,
      });
      await expect.poll(() => page.getByText('Unsaved changes').count()).toBe(0);
    } finally {
      await page.evaluate(() => (window as WithSyncLock).releaseSyncLock!());
    }

    const notice = page.getByRole('alert').filter({ hasText: 'Edited in both places: scripts/hello.py' });
    // The folder is watched by polling, and a loaded machine stretches each pass.
    await notice.waitFor({ timeout: 60_000 });
    await expect(notice.textContent()).resolves.toMatch(/saved as scripts\/hello\.conflict-\d{8}T\d{9}Z\.py/);
    await expect.poll(() => editor().textContent()).toContain('print("disk side")');
    const copies = (await page.evaluate(listOpfs, 'scripts')).filter((name) => name.includes('.conflict-'));
    expect(copies).toHaveLength(1);
    await expect(page.evaluate(readOpfs, `scripts/${copies[0]}`)).resolves.toContain('print("app side")');
    await expect(page.evaluate(readOpfs, 'scripts/hello.py')).resolves.toContain('print("disk side")');

    await notice.getByRole('button', { name: 'Dismiss conflict notice for scripts/hello.py' }).click();
    await expect.poll(() => notice.count()).toBe(0);
  });

  test('plain files from another editor are adopted, and get a metadata block only once edited', async () => {
    const plainScript = 'def main():\n    print("written in another editor")\n';
    const plainPost = '# A plain note\n\nWritten in another editor.\n';
    await page.evaluate(writeOpfs, { path: 'scripts/plain_tool.py', text: plainScript, thenSave: false });
    await page.evaluate(writeOpfs, { path: 'posts/plain_note.md', text: plainPost, thenSave: false });

    await scriptsList().locator('button.open', { hasText: 'Plain tool' }).waitFor({ timeout: 15_000 });
    await openScript('Plain tool');
    await expect.poll(() => editor().textContent()).toContain('print("written in another editor")');
    await page.getByRole('tab', { name: 'Posts' }).click();
    const note = page.getByRole('list', { name: 'Posts' }).getByRole('button', { name: /^A plain note/ });
    await note.click();
    await expect.poll(() => editor().textContent()).toContain('Written in another editor.');
    // Adopted as they are: neither file was rewritten.
    await expect(page.evaluate(readOpfs, 'scripts/plain_tool.py')).resolves.toBe(plainScript);
    await expect(page.evaluate(readOpfs, 'posts/plain_note.md')).resolves.toBe(plainPost);

    await page.getByLabel('Tags', { exact: true }).fill('notes');
    await expect
      .poll(() => page.evaluate(readOpfs, 'posts/plain_note.md'), { timeout: 15_000 })
      .toMatch(
        /^---\nid: "[0-9a-f-]{36}"\ntitle: "A plain note"\n[\s\S]*tags: \[ "notes" \]\n[\s\S]*---\n# A plain note\n\nWritten in another editor\.\n$/,
      );
    await expect(page.evaluate(readOpfs, 'scripts/plain_tool.py')).resolves.toBe(plainScript);
    await page.getByRole('tab', { name: 'Scripts' }).click();
  });

  test('hostile files are parsed in a worker, reported with their reasons, and the good file beside them synced', async () => {
    const manyKeys = Array.from({ length: 80_000 }, (_, index) => `k${index}: 1`).join('\n');
    await page.evaluate(writeOpfs, {
      path: 'posts/alias_bomb.md',
      text: `---\ntitle: "Bomb"\n${aliasBomb}\n---\nBody.\n`,
      thenSave: false,
    });
    await page.evaluate(writeOpfs, {
      path: 'posts/many_keys.md',
      text: `---\ntitle: "Keys"\n${manyKeys}\n---\nBody.\n`,
      thenSave: false,
    });
    await page.evaluate(writeOpfs, {
      path: 'posts/beside_them.md',
      text: '# Beside them\n\nSynced.\n',
      thenSave: false,
    });

    await page.getByRole('tab', { name: 'Posts' }).click();
    await page
      .getByRole('list', { name: 'Posts' })
      .getByRole('button', { name: /^Beside them/ })
      .waitFor({ timeout: 15_000 });
    const unreadable = page.getByRole('list', { name: 'Unreadable files' });
    await expect
      .poll(() => unreadable.textContent())
      .toMatch(/posts\/alias_bomb\.md: line \d+, column \d+: .*more than 10 YAML aliases/);
    await expect
      .poll(() => unreadable.textContent())
      .toMatch(/posts\/many_keys\.md: .*front matter is longer than 32768 characters/);
    // The page itself never parses a folder file: its parser is a worker of its own.
    expect(workerUrls.filter((url) => url.includes('folder-parse-worker'))).toHaveLength(1);
    await page.getByRole('tab', { name: 'Scripts' }).click();
  });

  test('after a reload the remembered folder is connected again', async () => {
    await page.reload();
    await expect
      .poll(() => folderStatus().textContent(), { timeout: 15_000 })
      .toMatch(/Folder: project — connected/);
    expect(app.errors).toEqual([]);
  });
});
