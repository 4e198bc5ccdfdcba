import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AppPage, newAppPage, repoRoot, useBuiltApp } from './harness';

const suite = useBuiltApp();

/** Where the screenshots go, one per view and screen size, for a person to look at. */
const screenshots = resolve(repoRoot, 'test-output/views');

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
    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.getByRole('button', { name: 'New post' }).click();
    await page.getByRole('heading', { name: 'Untitled post' }).waitFor();
  });

  afterAll(async () => {
    await app?.close();
  });

  for (const screen of screens) {
    test(`${screen.name} (${screen.width}×${screen.height}): nothing scrolls sideways`, async () => {
      await page.setViewportSize({ width: screen.width, height: screen.height });
      const narrow = screen.width < 760;
      for (const view of ['Scripts', 'Posts', 'Diagnostics'] as const) {
        await page.getByRole('tab', { name: view }).click();
        await page.locator('main').getByText(/./).first().waitFor();
        await page.screenshot({ path: `${screenshots}/${view.toLowerCase()}-${screen.name}.png` });
        expect(await overflowingElements(page), `${view} at ${screen.width} px`).toEqual([]);
        if (view === 'Diagnostics') continue;
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
        await page.keyboard.press('Escape');
        await list.waitFor({ state: 'hidden' });
      }
    });
  }

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
    const box = await dialog.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    await dialog.getByRole('button', { name: 'Save as draft' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });
});
