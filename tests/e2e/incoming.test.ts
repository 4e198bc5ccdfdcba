import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readIncomingPost } from '../../src/core/incoming-post';
import { type AppPage, createScript, newAppPage, output, replaceEditorText, useBuiltApp } from './harness';

const suite = useBuiltApp();

const shared = {
  share_title: 'Pyodide in the browser',
  share_text: 'Python runs here.\nNo server needed.',
  share_url: 'https://pyodide.org/en/stable/',
};

const shareAddress = (fields: Record<string, string>) => `${suite.server.url}?${new URLSearchParams(fields)}`;
const dialog = (page: Page) => page.getByRole('dialog', { name: /A post arrived/ });
const postBody = (page: Page) => dialog(page).getByLabel('Body');
const postsList = (page: Page) => page.getByRole('list', { name: 'Posts' }).getByRole('listitem');

const failingTransform = [
  'def transform(post):',
  '    print("got", post["title"])',
  '    return post["nope"]',
].join('\n');

describe('posts arriving from the share sheet and the bookmarklet', () => {
  let app: AppPage;
  let page: Page;

  beforeAll(async () => {
    app = await newAppPage(suite.browser, suite.server.url);
    page = app.page;
    await page.getByRole('button', { name: 'New script' }).waitFor();
  });

  afterAll(async () => {
    await app.close();
  });

  test('a shared page goes through the bundled link_post.py and is saved as a draft, once', async () => {
    await page.goto(shareAddress(shared));
    await dialog(page).getByRole('heading', { name: 'A post arrived from the share sheet' }).waitFor();
    await expect
      .poll(() => postBody(page).textContent(), { timeout: 30_000 })
      .toBe(
        '> Python runs here.\n> No server needed.\n\nVia [pyodide.org](<https://pyodide.org/en/stable/>)',
      );
    expect(await dialog(page).getByRole('combobox', { name: 'Transform' }).inputValue()).not.toBe('');
    await dialog(page).getByRole('button', { name: 'Save as draft' }).click();
    await dialog(page).waitFor({ state: 'hidden' });

    // The post opens in the posts view, tagged by the transform; the address forgets the share.
    await page.getByRole('heading', { name: 'Pyodide in the browser' }).waitFor();
    expect(await page.getByRole('tab', { name: 'Posts' }).getAttribute('aria-selected')).toBe('true');
    expect(new URL(page.url()).search).toBe('');
    await page.reload();
    await page.getByRole('tab', { name: 'Posts' }).click();
    await postsList(page).filter({ hasText: 'Pyodide in the browser' }).waitFor();
    expect(await dialog(page).isVisible()).toBe(false);
    expect(await postsList(page).filter({ hasText: 'Pyodide in the browser' }).count()).toBe(1);
  });

  test('a failing transform says where and why; the post can still be saved as it came', async () => {
    await createScript(page, 'transform', 'needs_nope', failingTransform);
    // Run in the editor tries it on a sample shared page.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await output(page).getByText('got A page worth sharing').waitFor({ timeout: 30_000 });
    await output(page).getByText('Failed after').filter({ hasText: "KeyError: 'nope'" }).waitFor();
    await page.goto(shareAddress({ ...shared, share_title: 'Second share' }));
    const picker = dialog(page).getByRole('combobox', { name: 'Transform' });
    await picker.selectOption({ label: 'needs_nope (needs_nope.py)' });
    const failure = dialog(page).getByRole('alert');
    await failure.filter({ hasText: "needs_nope.py, line 3: KeyError: 'nope'" }).waitFor({ timeout: 30_000 });
    expect(await dialog(page).getByRole('button', { name: 'Save as draft' }).isDisabled()).toBe(true);
    await dialog(page).getByText('What it printed').click();
    await dialog(page).getByText('got Second share').waitFor();

    await picker.selectOption({ label: 'No transform' });
    await expect
      .poll(() => postBody(page).textContent())
      .toBe('Python runs here.\nNo server needed.\n\n<https://pyodide.org/en/stable/>');
    await dialog(page).getByRole('button', { name: 'Save as draft' }).click();
    await page.getByRole('heading', { name: 'Second share' }).waitFor();
  });

  test('Escape leaves the choice to the buttons; Later puts the post aside while its transform is fixed', async () => {
    await page.goto(shareAddress({ ...shared, share_title: 'Third share' }));
    const picker = dialog(page).getByRole('combobox', { name: 'Transform' });
    await picker.selectOption({ label: 'needs_nope (needs_nope.py)' });
    await dialog(page)
      .getByRole('alert')
      .filter({ hasText: "KeyError: 'nope'" })
      .waitFor({ timeout: 30_000 });
    for (let press = 0; press < 3; press++) await page.keyboard.press('Escape');
    // Chromium closes a modal dialog at a repeated Escape whatever the page says; it comes back.
    await expect.poll(() => dialog(page).isVisible()).toBe(true);
    expect(await dialog(page).getByRole('alert').filter({ hasText: "KeyError: 'nope'" }).count()).toBe(1);

    await dialog(page).getByRole('button', { name: 'Later' }).click();
    await dialog(page).waitFor({ state: 'hidden' });
    await page.getByRole('tab', { name: 'Scripts' }).click();
    await page.locator('button.open', { hasText: 'needs_nope' }).click();
    await replaceEditorText(
      page,
      'Code of needs_nope',
      'def transform(post):\n    return "fixed: " + post["title"]\n',
    );
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).and(page.locator(':disabled')).waitFor();

    await page.getByRole('button', { name: 'Shared post waiting' }).click();
    await expect.poll(() => postBody(page).textContent(), { timeout: 30_000 }).toBe('fixed: Third share');
    await dialog(page).getByRole('button', { name: 'Save as draft' }).click();
    await page.getByRole('heading', { name: 'Third share' }).waitFor();
    expect(await page.getByRole('button', { name: 'Shared post waiting' }).count()).toBe(0);
  });

  test('a transform that never returns is stopped by Stop in the editor, and by picking another in the dialog', async () => {
    await createScript(page, 'transform', 'spins', 'def transform(post):\n    while True:\n        pass\n');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const stop = page.getByRole('button', { name: 'Stop', exact: true });
    await stop.and(page.locator(':enabled')).waitFor();
    await stop.click();
    await output(page)
      .getByText(/^Stopped after /)
      .waitFor({ timeout: 30_000 });

    await page.goto(shareAddress({ ...shared, share_title: 'Fourth share' }));
    const picker = dialog(page).getByRole('combobox', { name: 'Transform' });
    await picker.selectOption({ label: 'spins (spins.py)' });
    await dialog(page).getByRole('status').filter({ hasText: 'Running spins.py' }).waitFor();
    await picker.selectOption({ label: 'Link post (link_post.py)' });
    await expect.poll(() => postBody(page).textContent(), { timeout: 30_000 }).toContain('Via [pyodide.org]');
    await dialog(page).getByRole('button', { name: 'Discard' }).click();
  });

  test('Discard drops what arrived without saving anything', async () => {
    await page.goto(shareAddress({ share_text: 'https://example.com/only-a-link' }));
    await dialog(page).getByText('https://example.com/only-a-link').first().waitFor();
    await dialog(page).getByRole('button', { name: 'Discard' }).click();
    await dialog(page).waitFor({ state: 'hidden' });
    expect(new URL(page.url()).search).toBe('');
    await page.getByRole('tab', { name: 'Posts' }).click();
    expect(await postsList(page).filter({ hasText: 'example.com' }).count()).toBe(0);
  });

  test('an unusable share is refused with the reason, and nothing is saved', async () => {
    await page.goto(shareAddress({ share_title: 'Bad', share_url: 'javascript:alert(1)' }));
    await page
      .getByRole('alert')
      .filter({ hasText: 'A shared post could not be taken: the address is not an http or https URL' })
      .waitFor();
    expect(await dialog(page).isVisible()).toBe(false);
    await page.getByRole('tab', { name: 'Posts' }).click();
    expect(await postsList(page).filter({ hasText: 'Bad' }).count()).toBe(0);
  });

  test('Settings offer a bookmarklet that opens this app with the page it runs on', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const href = await page.getByRole('link', { name: 'Share to Pymark' }).getAttribute('href');
    expect(href?.startsWith('javascript:')).toBe(true);
    // Run it on another page, as a click on the bookmark would, and follow where it opens.
    const other = await app.context.newPage();
    await other.route('https://news.example/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: '<title>Elsewhere</title><p id="p">Picked words</p>' }),
    );
    await other.goto('https://news.example/story?id=7');
    await other.evaluate(() => {
      const range = document.createRange();
      range.selectNodeContents(document.getElementById('p')!);
      getSelection()!.addRange(range);
    });
    const opened = app.context.waitForEvent('page');
    await other.evaluate((code) => new Function(code)(), href!.slice('javascript:'.length));
    const target = await opened;
    await dialog(target).getByRole('heading', { name: 'A post arrived from the bookmarklet' }).waitFor();
    const address = new URL(target.url());
    expect(address.origin).toBe(new URL(suite.server.url).origin);
    expect(readIncomingPost(address.search)).toMatchObject({
      kind: 'incoming',
      incoming: {
        source: 'bookmarklet',
        title: 'Elsewhere',
        text: 'Picked words',
        url: 'https://news.example/story?id=7',
      },
    });
    await target.close();
    await other.close();
  });
});
