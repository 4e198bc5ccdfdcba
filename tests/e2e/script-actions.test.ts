import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type AppPage,
  listOpfs,
  newAppPage,
  newScript,
  output,
  pythonStatus,
  readOpfs,
  startRun,
  useBuiltApp,
} from './harness';

/*
 * A utility reads the posts through `from pymark import site` and creates one with
 * pymark.create_post: the post appears in Posts and, through folder sync, as a file in the project
 * folder; Undo takes it away again. OPFS stands in for the picked folder, as in folder-sync.test.ts.
 */

const suite = useBuiltApp();
let app: AppPage;
let page: Page;

const postsList = () => page.getByRole('list', { name: 'Posts' });

const utility = [
  'import pymark',
  'from pymark import site',
  '',
  'def main():',
  '    for post in site.posts:',
  '        print("title:", post["title"])',
  '    pymark.create_post("Made by a utility", body="Hello from Python.", tags=["py"])',
].join('\n');

beforeAll(async () => {
  app = await newAppPage(suite.browser, suite.server.url, { opfsFolder: true });
  page = app.page;
  await pythonStatus(page).filter({ hasText: 'ready' }).waitFor({ timeout: 90_000 });
  await page.getByRole('button', { name: 'Connect folder' }).click();
  await page
    .getByRole('status', { name: 'Folder status' })
    .filter({ hasText: /connected/ })
    .waitFor();
  await page.getByRole('tab', { name: 'Posts' }).click();
  await page.getByRole('button', { name: 'New post' }).click();
  await postsList().getByText('Untitled post').waitFor();
});

afterAll(async () => {
  await app?.close();
});

describe('a utility that reads and creates posts', () => {
  test('lists the post titles and creates a post that appears in Posts and in the folder', async () => {
    await page.getByRole('tab', { name: 'Scripts' }).click();
    await newScript(page, 'utility');
    await page.getByRole('heading', { name: 'Untitled utility' }).waitFor();
    await startRun(page, utility);
    await output(page).getByText('create post "Made by a utility"').waitFor();
    const text = await output(page).textContent();
    expect(text).toContain('title: Untitled post');
    expect(text).toContain('Changed the project (1):');

    await page.getByRole('tab', { name: 'Posts' }).click();
    await postsList().getByText('Made by a utility').waitFor();
    await expect
      .poll(() => page.evaluate(readOpfs, 'posts/made_by_a_utility.md'), { timeout: 15_000 })
      .toContain('title: "Made by a utility"');
    expect(app.errors).toEqual([]);
  });

  test('Undo takes the created post away again, from Posts and from the folder', async () => {
    await page.getByRole('tab', { name: 'Scripts' }).click();
    await page.getByRole('button', { name: 'Undo changes' }).click();
    await output(page).getByText("Undid the run's changes.").waitFor();
    await page.getByRole('tab', { name: 'Posts' }).click();
    await expect.poll(() => postsList().getByText('Made by a utility').count()).toBe(0);
    await expect
      .poll(() => page.evaluate(listOpfs, 'posts'), { timeout: 15_000 })
      .not.toContain('made_by_a_utility.md');
  });

  test('a call outside the allowlist fails with a message naming what is allowed', async () => {
    await page.getByRole('tab', { name: 'Scripts' }).click();
    await startRun(page, 'import pymark\n\ndef main():\n    pymark.delete_script("x")\n');
    await output(page)
      .getByText(/pymark has no delete_script: a utility may only create_post/)
      .first()
      .waitFor();
  });
});
