import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AppPage, newAppPage, newScript, output, pythonStatus, useBuiltApp, waitFor } from './harness';

const suite = useBuiltApp();

async function replaceCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('Code of Untitled utility').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(code);
}

describe('editor intelligence and diagnostics', () => {
  let app: AppPage;
  let page: Page;

  beforeAll(async () => {
    app = await newAppPage(suite.browser, suite.server.url);
    page = app.page;
    await waitFor(pythonStatus(page), /ready/, 90_000);
    await newScript(page);
    await page.getByRole('heading', { name: 'Untitled utility' }).waitFor();
  });

  afterAll(async () => {
    await app.close();
  });

  test("Python's parser marks a syntax error in the editor without running the script", async () => {
    await replaceCode(page, 'print("fine")\ndef broken(:\n    pass\n');
    const marked = page.locator('.cm-lintRange-error');
    await marked.first().waitFor();
    // The mark sits on line 2, where the parser stopped.
    await expect(
      page.locator('.cm-line').nth(1).locator('.cm-lintRange-error').count(),
    ).resolves.toBeGreaterThan(0);
    await expect(output(page).textContent()).resolves.not.toContain('fine');
  });

  test('saving a script with a syntax error works and says so', async () => {
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await waitFor(
      page.getByRole('status').filter({ hasText: /Saved with a syntax error on line 2/ }),
      /line 2/,
    );
  });

  test('the entrypoint picker lists the top-level functions', async () => {
    await replaceCode(page, 'def helper():\n    return 1\n\ndef digest():\n    print("digest ran")\n');
    const picker = page.getByRole('combobox', { name: /^Entrypoint/ });
    await expect
      .poll(async () => (await picker.locator('option').allTextContents()).map((text) => text.trim()))
      .toEqual(['main() — not defined', 'helper()', 'digest()']);
    await picker.selectOption('digest');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitFor(output(page).getByRole('note'), /Finished/);
    await expect(output(page).textContent()).resolves.toContain('digest ran');
  });

  test('the pickers show the open script: switching between scripts with one function each', async () => {
    const picker = page.getByRole('combobox', { name: /^Entrypoint/ });
    const kind = page.getByRole('combobox', { name: /^Kind/ });
    const shown = () =>
      picker.evaluate((select: HTMLSelectElement) => select.selectedOptions[0]?.textContent?.trim());
    for (const [title, expected] of [
      ['Hello', ['main()', 'utility']],
      ['Vimeo', ['render()', 'macro']],
      ['Hello', ['main()', 'utility']],
    ] as const) {
      await page.locator('button.open', { hasText: title }).click();
      await page.getByRole('heading', { name: title }).waitFor();
      await expect.poll(shown).toBe(expected[0]);
      expect(await kind.inputValue()).toBe(expected[1]);
    }
  });

  test('the editor indents Python by four spaces', async () => {
    await page.locator('button.open', { hasText: 'Untitled utility' }).click();
    await replaceCode(page, '');
    await page.keyboard.type('def f():');
    await page.keyboard.press('Enter');
    await page.keyboard.type('return 1');
    await expect.poll(() => page.locator('.cm-line').nth(1).textContent()).toBe('    return 1');
  });

  test('the Diagnostics view counts the runs', async () => {
    await page.getByRole('tab', { name: 'Diagnostics' }).click();
    const row = page
      .getByRole('table', { name: 'Script counters' })
      .getByRole('row', { name: /untitled_utility\.py/ });
    await row.waitFor();
    const calls = Number(await row.getByRole('cell').nth(1).textContent());
    expect(calls).toBeGreaterThanOrEqual(1);
    // The chart draws a p50 and a p95 bar per script, the p95 no shorter than the p50.
    const chart = page.getByRole('img', { name: 'Round-trip p50 and p95 per script' });
    await expect.poll(() => chart.locator('text').allTextContents()).toContain('untitled_utility.py');
    const widths = await chart
      .locator('rect')
      .evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('width'))));
    expect(widths.length).toBeGreaterThanOrEqual(2);
    for (let index = 0; index < widths.length; index += 2)
      expect(widths[index]).toBeGreaterThanOrEqual(widths[index + 1]!);
    await page.getByRole('button', { name: 'Reset counters' }).click();
    await page.getByText('No script has run since the counters were reset.').waitFor();
    expect(await chart.count()).toBe(0);
  });
});
