import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type AppPage,
  createScript,
  newAppPage,
  readOpfs,
  replaceEditorText,
  repoRoot,
  useBuiltApp,
} from './harness';

const suite = useBuiltApp();

/** Where the screenshots go, one per view and screen size, for a person to look at. */
const screenshots = resolve(repoRoot, 'test-output/views');

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical violations on the page as it is now, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated as devtools would: the page's policy refuses a <script> added to it, as it should.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(readFileSync(axePath, 'utf8'));
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
    // The preview frame is an opaque-origin sandbox that axe cannot reach into.
    const results = await axe.run(document, { iframes: false, resultTypes: ['violations'] });
    return results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map(
        (violation) =>
          `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => `${node.target.join(' ')} ${node.failureSummary ?? ''}`).join(' | ')}`,
      );
  });
}

/** The accessible label or text of the element with the focus, looking into shadow roots. */
function focusedLabel(page: Page): Promise<string> {
  return page.evaluate(() => {
    let focused = document.activeElement;
    while (focused?.shadowRoot?.activeElement) focused = focused.shadowRoot.activeElement;
    return focused?.getAttribute('aria-label') ?? focused?.textContent?.trim() ?? '';
  });
}

const screens = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1366, height: 800 },
] as const;

/**
 * Elements that stick out past the right edge of the window without a scrolling or clipping box
 * around them that fits: what makes a page scroll sideways. Shadow roots included.
 */
function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const found: string[] = [];
    const describe = (element: Element) =>
      `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${element.className && typeof element.className === 'string' ? `.${element.className.trim().split(/\s+/).join('.')}` : ''}`;
    const parentOf = (element: Element): Element | null =>
      element.parentElement ?? ((element.getRootNode() as ShadowRoot).host || null);
    const clippedInside = (element: Element): boolean => {
      for (let parent = parentOf(element); parent; parent = parentOf(parent)) {
        const overflow = getComputedStyle(parent).overflowX;
        if (overflow !== 'visible') return parent.getBoundingClientRect().right <= width + 1;
      }
      return false;
    };
    const visit = (root: Document | ShadowRoot) => {
      for (const element of root.querySelectorAll('*')) {
        const box = element.getBoundingClientRect();
        const style = getComputedStyle(element);
        if (
          box.width > 0 &&
          style.visibility !== 'hidden' &&
          box.right > width + 1 &&
          !clippedInside(element)
        )
          found.push(`${describe(element)} ends at ${Math.round(box.right)} px`);
        if (element.shadowRoot) visit(element.shadowRoot);
      }
    };
    visit(document);
    if (document.documentElement.scrollWidth > width)
      found.push(`the page is ${document.documentElement.scrollWidth} px wide`);
    return found;
  });
}

describe('every view on a phone and on a desktop', () => {
  let app: AppPage;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    app = await newAppPage(suite.browser, suite.server.url);
    page = app.page;
    await page.getByRole('button', { name: 'New script' }).waitFor();
  });

  afterAll(async () => {
    await app?.close();
  });

  test('a new app offers the sample project and the guide', async () => {
    await page.setViewportSize({ width: 1366, height: 800 });
    await page.getByRole('button', { name: 'Read the guide' }).click();
    const help = page.getByRole('dialog', { name: 'Help' });
    await help.getByRole('heading', { name: 'Write a macro' }).waitFor();
    await help.getByRole('heading', { name: 'Build and publish the site' }).waitFor();
    await help.getByRole('button', { name: 'Close' }).click();
    await help.waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: 'Add the sample project' }).click();
    await page.getByRole('heading', { name: 'Welcome to Pymark' }).waitFor();
    const preview = page.frameLocator('iframe[title="Post preview"]');
    // The sample macro and the built-in ones, rendered by Python.
    await preview.locator('.greeting', { hasText: 'Hello, reader!' }).waitFor({ timeout: 90_000 });
    await preview.locator('.macro-youtube iframe').waitFor();
    await preview.locator('.macro-vimeo iframe').waitFor();
    await page.getByRole('region', { name: 'Welcome' }).waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Scripts' }).click();
    const scripts = page.getByRole('list', { name: 'Scripts' });
    await scripts.getByRole('button', { name: /^Greeting/ }).waitFor();
    await scripts.getByRole('button', { name: /^Reading time/ }).waitFor();

    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.getByRole('button', { name: 'New post' }).click();
    await page.getByRole('heading', { name: 'Untitled post' }).waitFor();
  });

  for (const screen of screens) {
    test(`${screen.name} (${screen.width}×${screen.height}): nothing scrolls sideways, and axe is clean`, async () => {
      await page.setViewportSize({ width: screen.width, height: screen.height });
      const narrow = screen.width < 760;
      for (const view of ['Scripts', 'Posts', 'Diagnostics'] as const) {
        await page.getByRole('tab', { name: view }).click();
        await page.locator('main').getByText(/./).first().waitFor();
        await page.screenshot({ path: `${screenshots}/${view.toLowerCase()}-${screen.name}.png` });
        expect(await overflowingElements(page), `${view} at ${screen.width} px`).toEqual([]);
        expect(await seriousViolations(page), `${view} at ${screen.width} px`).toEqual([]);
        if (view === 'Diagnostics') {
          // Nothing to pick there, so no sidebar; how Python started, in the user's terms.
          expect(await page.getByRole('navigation', { name: 'Sidebar' }).count()).toBe(0);
          await page
            .locator('main')
            .getByText(/^Python started/)
            .waitFor();
          expect(await page.locator('main').textContent()).not.toMatch(/snapshot was (provided|refused)/);
          continue;
        }
        const menu = page.getByRole('button', { name: `☰ ${view}` });
        const list = page.getByRole('list', { name: view });
        if (!narrow) {
          expect(await menu.isVisible()).toBe(false);
          expect(await list.isVisible()).toBe(true);
          continue;
        }
        // A narrow screen keeps the sidebar in a drawer, opened by the menu button.
        expect(await list.isVisible()).toBe(false);
        await menu.click();
        await list.waitFor();
        await page.screenshot({ path: `${screenshots}/${view.toLowerCase()}-drawer-${screen.name}.png` });
        expect(await overflowingElements(page)).toEqual([]);
        expect(await seriousViolations(page), `${view}'s drawer`).toEqual([]);
        await page.keyboard.press('Escape');
        await list.waitFor({ state: 'hidden' });
      }
    });
  }

  test('one main landmark and one banner', async () => {
    expect(await page.getByRole('main').count()).toBe(1);
    expect(await page.getByRole('banner').count()).toBe(1);
  });

  test('a list item is one tab stop; the arrow keys reach its buttons and the next item', async () => {
    await page.setViewportSize({ width: 1366, height: 800 });
    await page.getByRole('tab', { name: 'Scripts' }).click();
    const list = page.getByRole('list', { name: 'Scripts' });
    const first = list.getByRole('listitem').first();
    await first.getByRole('button').first().focus();
    await page.keyboard.press('Tab');
    // Tab leaves the item (and the list) instead of visiting its rename and delete buttons.
    expect(await focusedLabel(page)).not.toMatch(/^(Rename|Delete) /);
    await first.getByRole('button').first().focus();
    await page.keyboard.press('ArrowRight');
    expect(
      await first.getByRole('button', { name: /^Rename/ }).evaluate((button) => button.matches(':focus')),
    ).toBe(true);
    await page.keyboard.press('ArrowDown');
    const second = list.getByRole('listitem').nth(1);
    expect(
      await second
        .getByRole('button')
        .first()
        .evaluate((button) => button.matches(':focus')),
    ).toBe(true);
  });

  test('an editor says how the keyboard leaves it: Tab indents, Esc then Tab moves on', async () => {
    await page.setViewportSize({ width: 1366, height: 800 });
    await page.getByRole('tab', { name: 'Scripts' }).click();
    const code = page.getByLabel(/^Code of /);
    const hint = page.getByText('Esc then Tab leaves the editor');
    const focused = () => code.evaluate((content) => content.matches(':focus'));
    expect(await hint.isVisible()).toBe(false);
    await code.click();
    await hint.waitFor();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe(true);
    await page.keyboard.press('ControlOrMeta+z');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe(false);
    await hint.waitFor({ state: 'hidden' });
  });

  test('the Python status wraps a long message on a phone instead of cutting it', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('tab', { name: 'Scripts' }).click();
    const status = page.getByRole('status', { name: 'Python status' });
    // Once Python is ready, nothing else sets the badge while the test has it show a failure.
    await status.filter({ hasText: 'ready' }).waitFor();
    // A failure's reason, as long as the runtime's get; the badge shows what it is given.
    const reason =
      'the worker stopped answering while it restored Python from the copy saved after its first start';
    const shown = await status.evaluate((pill, failure) => {
      const badge = (pill.getRootNode() as ShadowRoot).host as HTMLElement & { status: unknown };
      const before = badge.status;
      badge.status = { state: 'failed', reason: failure };
      return before;
    }, reason);
    await status.filter({ hasText: reason }).waitFor();
    expect(
      await status.evaluate(
        (pill) => pill.scrollWidth <= pill.clientWidth && pill.scrollHeight <= pill.clientHeight,
      ),
    ).toBe(true);
    expect(await overflowingElements(page)).toEqual([]);
    await status.evaluate((pill, before) => {
      ((pill.getRootNode() as ShadowRoot).host as HTMLElement & { status: unknown }).status = before;
    }, shown);
    await status.filter({ hasText: 'ready' }).waitFor();
  });

  test('find and replace in an editor, and search across posts and scripts', async () => {
    await page.setViewportSize({ width: 1366, height: 800 });
    await page.getByRole('tab', { name: 'Posts' }).click();
    const markdown = page.getByLabel('Markdown of Untitled post');
    await markdown.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.insertText('A lighthouse, another lighthouse.');
    await page.keyboard.press('ControlOrMeta+f');
    const find = page.getByRole('textbox', { name: 'Find' });
    await find.waitFor();
    await find.fill('lighthouse');
    const replace = page.getByRole('textbox', { name: 'Replace' });
    await replace.fill('beacon');
    await page.getByRole('button', { name: 'replace all' }).click();
    await expect.poll(() => markdown.textContent()).toBe('A beacon, another beacon.');
    await page.keyboard.press('Escape');
    await page.getByText('Saved', { exact: true }).waitFor();

    // Ctrl/Cmd+K from anywhere; results as the word is typed, in posts and in scripts.
    await page.getByRole('tab', { name: 'Scripts' }).focus();
    await page.keyboard.press('ControlOrMeta+k');
    const search = page.getByRole('combobox', { name: 'Search posts and scripts' });
    expect(await search.evaluate((input) => input.matches(':focus'))).toBe(true);
    await page.keyboard.type('beac');
    const results = page.getByRole('listbox', { name: 'Search results' });
    await results.getByRole('option', { name: /Untitled post/ }).waitFor();
    await search.fill('');
    await page.keyboard.type('youtu');
    await results.getByRole('option', { name: /^YouTube script/ }).waitFor();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'YouTube' }).waitFor();
    expect(await page.getByRole('tab', { name: 'Scripts' }).getAttribute('aria-selected')).toBe('true');
  });

  test('the preview follows the Markdown editor as it scrolls', async () => {
    await page.setViewportSize({ width: 1366, height: 800 });
    await page.getByRole('tab', { name: 'Posts' }).click();
    await replaceEditorText(
      page,
      'Markdown of Untitled post',
      Array.from({ length: 150 }, (_, line) => `Paragraph ${line}.`).join('\n\n'),
    );
    const preview = page.frameLocator('iframe[title="Post preview"]');
    await preview.getByText('Paragraph 149.').waitFor();
    const previewTop = () =>
      preview
        .locator('body')
        .evaluate(() => (document.scrollingElement ?? document.documentElement).scrollTop);
    expect(await previewTop()).toBe(0);
    await page.locator('pymark-posts-view .cm-scroller').evaluate((scroller) => {
      scroller.scrollTop = scroller.scrollHeight;
    });
    await expect.poll(previewTop).toBeGreaterThan(1000);
  });

  test('a phone switches between the Markdown and its preview', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('tab', { name: 'Posts' }).click();
    const markdown = page.getByLabel('Markdown of Untitled post');
    const preview = page.getByTitle('Post preview');
    await markdown.waitFor();
    expect(await preview.isVisible()).toBe(false);
    await page.getByRole('tab', { name: 'Preview' }).click();
    await preview.waitFor();
    expect(await markdown.isVisible()).toBe(false);
    await page.keyboard.press('ArrowLeft');
    await markdown.waitFor();
  });

  test('the share dialog fits a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const fields = { share_title: 'A long shared title '.repeat(6), share_text: 'word '.repeat(400) };
    await page.goto(`${suite.server.url}?${new URLSearchParams(fields)}`);
    const dialog = page.getByRole('dialog', { name: /A post arrived/ });
    await dialog.getByRole('button', { name: 'Save as draft' }).waitFor();
    await page.screenshot({ path: `${screenshots}/share-dialog-phone.png` });
    expect(await overflowingElements(page)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    const box = await dialog.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    // Saving waits for the transform, which waits for Python to start in the reloaded page.
    const save = dialog.getByRole('button', { name: 'Save as draft' });
    await expect.poll(() => save.isEnabled(), { timeout: 90_000 }).toBe(true);
    // The transform's post is on show now, its long body in a scrolling box that a keyboard must reach.
    expect(await overflowingElements(page)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    // The title and the tags are the author's to change before the post is saved.
    await dialog.getByRole('textbox', { name: 'Title' }).fill('Shared from a phone');
    const tags = dialog.getByRole('textbox', { name: 'Tags' });
    await tags.fill('phone, shared');
    await tags.press('Tab');
    await save.click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('heading', { name: 'Shared from a phone' }).waitFor();
    expect(await page.getByRole('main').getByRole('textbox', { name: 'Tags' }).inputValue()).toBe(
      'phone, shared',
    );
  });

  test('the title and the slug are edited in the post’s header, the slug checked as it is typed', async () => {
    await page.setViewportSize({ width: 1366, height: 800 });
    await page.getByRole('tab', { name: 'Posts' }).click();
    await page
      .getByRole('list', { name: 'Posts' })
      .getByRole('button', { name: /^Untitled post/ })
      .click();
    const title = page.getByRole('main').getByRole('textbox', { name: 'Title', exact: true });
    await title.fill('Émoji à la carte');
    await title.press('Enter');
    await page.getByRole('heading', { name: 'Émoji à la carte' }).waitFor();
    const slug = page.getByRole('main').getByRole('textbox', { name: 'Slug' });
    await expect.poll(() => slug.inputValue()).toBe('emoji_a_la_carte');
    // Another post may not take the same slug.
    await page.getByRole('button', { name: 'New post' }).click();
    await page.getByRole('heading', { name: 'Untitled post' }).waitFor();
    await slug.fill('emoji_a_la_carte');
    await page.getByText('Taken by “Émoji à la carte”.').waitFor();
    await slug.fill('emoji');
    await page.getByText('Free', { exact: true }).waitFor();
    await slug.press('Enter');
    await page.getByRole('main').getByRole('textbox', { name: 'Title', exact: true }).focus();
    await expect.poll(() => slug.inputValue()).toBe('emoji');
    expect(await page.getByText('Free', { exact: true }).count()).toBe(0);
  });

  test('a script’s toolbar stays one row on a desktop, with a long name and unsaved changes', async () => {
    await page.setViewportSize({ width: 1366, height: 800 });
    const name = 'zebra_crossing_counter_with_a_name_long_enough_to_fill_the_toolbar';
    await createScript(page, 'macro', name, 'def render(context):\n    return "zebra"\n');
    await page.getByLabel(`Code of ${name}`).press('ControlOrMeta+End');
    await page.keyboard.insertText('# edited');
    const toolbar = page.locator('pymark-script-view .toolbar');
    await toolbar.getByText('Unsaved changes').waitFor();
    const run = (await page.getByRole('button', { name: 'Run', exact: true }).boundingBox())!;
    const bar = (await toolbar.boundingBox())!;
    expect(bar.height).toBeLessThan(run.height * 1.5);
    // The whole name is still there for the asking.
    expect(await page.getByRole('heading', { name }).getAttribute('title')).toBe(name);
    await page.keyboard.press('ControlOrMeta+s');
    await toolbar.getByText('Unsaved changes').waitFor({ state: 'detached' });
  });
});

describe('the views the first tests leave out', () => {
  let app: AppPage;
  let page: Page;

  beforeAll(async () => {
    app = await newAppPage(suite.browser, suite.server.url);
    page = app.page;
    await page.getByRole('button', { name: 'New script' }).waitFor();
  });

  afterAll(async () => {
    await app?.close();
  });

  test('Media and Site: nothing scrolls sideways on a phone or a desktop, and axe is clean', async () => {
    for (const screen of screens) {
      await page.setViewportSize({ width: screen.width, height: screen.height });
      for (const view of ['Media', 'Site'] as const) {
        await page.getByRole('tab', { name: view }).click();
        await page.locator('main').getByText(/./).first().waitFor();
        await page.screenshot({ path: `${screenshots}/${view.toLowerCase()}-${screen.name}.png` });
        expect(await overflowingElements(page), `${view} at ${screen.width} px`).toEqual([]);
        expect(await seriousViolations(page), `${view} at ${screen.width} px`).toEqual([]);
      }
    }
  });

  test('the Markdown editor follows the preview as the reader scrolls it', async () => {
    await page.setViewportSize({ width: 1366, height: 800 });
    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.getByRole('button', { name: 'New post' }).click();
    await replaceEditorText(
      page,
      'Markdown of Untitled post',
      Array.from({ length: 150 }, (_, line) => `Paragraph ${line}.`).join('\n\n'),
    );
    const preview = page.frameLocator('iframe[title="Post preview"]');
    await preview.getByText('Paragraph 149.').waitFor();
    const editorTop = () =>
      page.locator('pymark-posts-view .cm-scroller').evaluate((scroller) => scroller.scrollTop);
    await page.locator('pymark-posts-view .cm-scroller').evaluate((scroller) => {
      scroller.scrollTop = 0;
    });
    await expect.poll(editorTop).toBe(0);
    await preview.locator('body').evaluate(() => {
      const scrolling = document.scrollingElement ?? document.documentElement;
      scrolling.scrollTop = scrolling.scrollHeight;
    });
    await expect.poll(editorTop).toBeGreaterThan(1000);
  });
});

/** Runs in the page: writes a reference project into OPFS and lets the folder picker hand it out. */
async function offerReferenceProject(files: { path: string; bytes: number[] }[]): Promise<void> {
  const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('reference', {
    create: true,
  });
  for (const { path, bytes } of files) {
    const parts = path.split('/');
    const name = parts.pop()!;
    let dir = root;
    for (const part of parts) dir = await dir.getDirectoryHandle(part, { create: true });
    const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
    await writable.write(new Uint8Array(bytes));
    await writable.close();
  }
  // The picker cannot be automated; everything after the pick is the app's own code path.
  Object.defineProperty(window, 'showDirectoryPicker', { configurable: true, value: async () => root });
}

/** Runs in the page: the media items in the app's IndexedDB, as `<file name>: <title>`. */
async function storedMedia(): Promise<string[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open('pymark');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const items = await new Promise<{ fileName: string; title: string }[]>((resolve, reject) => {
    const request = db.transaction('media').objectStore('media').getAll();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  db.close();
  return items.map((item) => `${item.fileName}: ${item.title}`);
}

/** Runs in the page: the size of `project/<path>` in OPFS, or -1 when there is no such file. */
async function opfsFileSize(path: string): Promise<number> {
  let dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('project');
  const parts = path.split('/');
  const name = parts.pop()!;
  try {
    for (const part of parts) dir = await dir.getDirectoryHandle(part);
    return (await (await dir.getFileHandle(name)).getFile()).size;
  } catch {
    return -1;
  }
}

describe('importing a reference desktop app project from the app', () => {
  let app: AppPage;

  afterAll(async () => {
    await app?.close();
  });

  test('takes its scripts, posts and media from a picked folder into the app and the connected folder, reporting each file', async () => {
    app = await newAppPage(suite.browser, suite.server.url, { opfsFolder: true });
    const page = app.page;
    await page.setViewportSize({ width: 1366, height: 800 });
    await page.getByRole('button', { name: 'New script' }).waitFor();
    await page.getByRole('button', { name: 'Connect folder' }).click();
    await expect
      .poll(() => page.getByRole('status', { name: 'Folder status' }).textContent())
      .toMatch(/Folder: project — connected/);
    const fixture = (path: string) => ({
      path,
      bytes: [
        ...readFileSync(
          resolve(
            repoRoot,
            path.startsWith('scripts/') ? 'tests/fixtures/reference-app' : 'tests/fixtures/reference-project',
            path,
          ),
        ),
      ],
    });
    const catBytes = fixture('media/2026/03/cat.png').bytes.length;
    await page.evaluate(offerReferenceProject, [
      fixture('scripts/render_hero.py'),
      fixture('scripts/crlf_tool.py'),
      fixture('posts/hello.md'),
      fixture('media/2026/03/cat.png'),
      fixture('media/2026/03/cat.png.json'),
      fixture('media/2026/02/fake.jpg'),
    ]);

    await page.getByRole('button', { name: 'Import reference project…' }).click();
    const report = page.getByRole('region', { name: 'Reference import report' });
    await expect
      .poll(() => report.getByRole('status').textContent())
      .toMatch(/Imported from reference: 1 taken, 4 converted,\s+1 left/);
    await expect(report.getByRole('list', { name: 'Taken as they were' }).textContent()).resolves.toMatch(
      /scripts\/render_hero\.py/,
    );
    await expect(report.getByRole('list', { name: 'Converted' }).textContent()).resolves.toMatch(
      /media\/2026\/03\/cat\.png\s*→\s*media\/2026\/02\/cat\.jpg[\s\S]*link \/media\/2026\/03\/cat\.png now \/media\/2026\/02\/cat\.jpg[\s\S]*scripts\/crlf_tool\.py\s+no createdAt/,
    );
    await expect(report.getByRole('list', { name: 'Left' }).textContent()).resolves.toMatch(
      /media\/2026\/02\/fake\.jpg\s+is not an image Pymark can use/,
    );
    // The image is the app's now (IndexedDB), and folder sync writes it and its sidecar to the folder.
    expect(await page.evaluate(storedMedia)).toEqual(['cat.jpg: Our cat']);
    await expect.poll(() => page.evaluate(opfsFileSize, 'media/2026/02/cat.jpg')).toBe(catBytes);
    await expect
      .poll(() => page.evaluate(readOpfs, 'media/2026/02/cat.jpg.yml'))
      .toMatch(/title: "Our cat"[\s\S]*linkedPostIds: \[ "9b2e4f7a-1c3d-4e5f-8a9b-0c1d2e3f4a5b" \]/);
    // The items are the app's now: listed, and open like any other.
    await page
      .getByRole('list', { name: 'Scripts' })
      .getByRole('button', { name: /^Render Hero/ })
      .click();
    await expect(page.getByLabel('Code of Render Hero').textContent()).resolves.toContain('def render(');
    await page.getByRole('tab', { name: 'Posts' }).click();
    await page
      .getByRole('list', { name: 'Posts' })
      .getByRole('button', { name: /^Hello from the desktop/ })
      .click();
    await page.getByRole('heading', { name: 'Hello from the desktop' }).waitFor();
    // The Media view shows the image, decoded from the imported bytes.
    await page.getByRole('tab', { name: 'Media' }).click();
    const cat = page
      .getByRole('list', { name: 'Images' })
      .getByRole('img', { name: 'A cat asleep on a sofa' });
    await expect.poll(() => cat.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBe(40);
    expect(app.errors).toEqual([]);
  });
});
