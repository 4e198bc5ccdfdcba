import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type AppPage,
  createScript,
  newAppPage,
  newScript,
  output,
  pythonStatus,
  replaceEditorText,
  useBuiltApp,
  waitFor,
} from './harness';

const suite = useBuiltApp();

async function replaceCode(page: Page, code: string): Promise<void> {
  await replaceEditorText(page, 'Code of Untitled utility', code);
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

/** A sample macro of tests/fixtures/macros, as a user would type it: the code after its metadata. */
function sampleMacro(name: string): string {
  const file = readFileSync(new URL(`../fixtures/macros/${name}.py`, import.meta.url), 'utf8');
  return file.replace(/^"""[\s\S]*?"""\n/, '');
}

describe('editor intelligence for macro calls in a post', () => {
  let app: AppPage;
  let page: Page;
  const markdown = 'Markdown of Untitled post';
  const preview = () => page.frameLocator('iframe[title="Post preview"]');

  beforeAll(async () => {
    app = await newAppPage(suite.browser, suite.server.url);
    page = app.page;
    await waitFor(pythonStatus(page), /ready/, 90_000);
    await createScript(page, 'macro', 'note', sampleMacro('note'));
    await createScript(page, 'macro', 'details', sampleMacro('details'));
    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.getByRole('button', { name: 'New post' }).click();
    await page.getByLabel(markdown).waitFor();
  });

  afterAll(async () => {
    await app.close();
  });

  test('completes a macro name after [[ into a call with the cursor in its required value', async () => {
    await replaceEditorText(page, markdown, 'Watch this:\n\n');
    await page.keyboard.type('[[yo');
    const option = page.locator('.cm-tooltip-autocomplete [role="option"]', { hasText: 'youtube' });
    await option.waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.cm-line').nth(2).textContent()).toBe('[[youtube id=""]]');
    // The cursor is inside the quotes: what is typed next is the id.
    await page.keyboard.type('dQw4w9WgXcQ');
    await expect
      .poll(() => page.locator('.cm-line').nth(2).textContent())
      .toBe('[[youtube id="dQw4w9WgXcQ"]]');
    await preview().locator('.macro-youtube iframe').waitFor();
  });

  test('completes parameter names, declared values and the closing call of the open pair', async () => {
    // Select all and delete: inserting '' would leave the selection for `[` to wrap in brackets.
    await replaceEditorText(page, markdown, 'x');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('[[tag_cloud ori');
    await page.locator('.cm-tooltip-autocomplete [role="option"]', { hasText: 'orientation' }).waitFor();
    await page.keyboard.press('Enter');
    await page.keyboard.type('mixed-d');
    await page.locator('.cm-tooltip-autocomplete [role="option"]', { hasText: 'mixed-diagonal' }).waitFor();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('.cm-line').first().textContent())
      .toBe('[[tag_cloud orientation="mixed-diagonal"]]');

    await replaceEditorText(page, markdown, '[[note]]\n[[details summary="s"]]\nText\n[[/details]]\n');
    await page.keyboard.type('[[/');
    await page.locator('.cm-tooltip-autocomplete [role="option"]', { hasText: '[[/note]]' }).waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.cm-line').nth(4).textContent()).toBe('[[/note]]');
  });

  test('hovering a call shows the macro’s title, parameters and docs, and links to its script', async () => {
    await replaceEditorText(page, markdown, 'Intro\n\n[[youtube id="dQw4w9WgXcQ" start=43]]\n');
    await page.locator('.cm-line').nth(2).getByText('youtube').hover();
    const card = page.locator('.cm-macro-card');
    await card.waitFor();
    await expect(card.locator('.cm-macro-card-title').textContent()).resolves.toContain('YouTube');
    await expect(card.locator('dt').allTextContents()).resolves.toEqual([
      'id: str | int, required',
      'title: str',
      'start: int',
    ]);
    await expect(card.locator('.cm-macro-card-doc').textContent()).resolves.toMatch(
      /^Embeds a YouTube video/,
    );
    await card.getByRole('button', { name: 'Open youtube.py' }).click();
    await page.getByRole('heading', { name: 'YouTube' }).waitFor();
    await page.getByRole('tab', { name: 'Posts' }).click();
  });

  test('a paired call renders its body with the macros inside it', async () => {
    await replaceEditorText(
      page,
      markdown,
      [
        '[[note kind=tip title="Worth a look"]]',
        'A *tip*, with [[details summary="more"]]a hidden part[[/details]].',
        '',
        '[[youtube id="dQw4w9WgXcQ"]]',
        '[[/note]]',
        '',
        'The end.',
      ].join('\n'),
    );
    const note = preview().locator('aside.note.note-tip');
    await note.locator('.macro-youtube iframe').waitFor();
    await expect(note.locator('.note-title').textContent()).resolves.toBe('Worth a look');
    await expect(note.locator('em').textContent()).resolves.toBe('tip');
    await expect(note.locator('span.details').textContent()).resolves.toBe('a hidden part');
  });

  test('Run on a macro opens Try a macro: render with parameters, sanitized and raw HTML, what it printed', async () => {
    const greet = [
      'PARAMS = {"name": {"type": "str", "required": True, "doc": "Who"}, "times": {"type": "int"}}',
      '',
      'def render(context):',
      '    params = context["params"]',
      '    print("greeting", params["name"])',
      '    return "<p class=\'greet\' onclick=\'steal()\'>" + ("Hi " + params["name"] + "! ") * params.get("times", 1) + "</p>"',
    ].join('\n');
    await createScript(page, 'macro', 'greet', greet);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const form = page.getByRole('form', { name: 'Try greet' });
    await form.getByLabel('name (required)').fill('Ada');
    await form.getByLabel('times').fill('2');
    await form.getByRole('button', { name: 'Try', exact: true }).click();
    const raw = page.getByLabel('Raw HTML');
    await waitFor(raw, /Hi Ada/);
    await expect(raw.textContent()).resolves.toBe("<p class='greet' onclick='steal()'>Hi Ada! Hi Ada! </p>");
    await expect(page.getByLabel('What it printed').textContent()).resolves.toBe('greeting Ada\n');
    const shown = page
      .locator('pymark-macro-try iframe[title="Post preview"]')
      .contentFrame()
      .locator('p.greet');
    await expect.poll(() => shown.textContent()).toBe('Hi Ada! Hi Ada! ');
    await expect(shown.getAttribute('onclick')).resolves.toBeNull();
    // A value of the wrong type is refused before the macro runs.
    await form.getByLabel('times').fill('lots');
    await form.getByRole('button', { name: 'Try', exact: true }).click();
    await waitFor(page.locator('pymark-macro-try').getByRole('alert'), /times must be int/);
    await form.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('region', { name: 'Output' }).waitFor();
    await page.getByRole('tab', { name: 'Posts' }).click();
  });

  test('an unclosed paired call is marked at its line', async () => {
    await replaceEditorText(page, markdown, 'Fine text.\n\n[[note]]\nThis note never ends.\n');
    await page.locator('.cm-line').nth(2).locator('.cm-lintRange-warning').waitFor();
    await waitFor(page.getByRole('list', { name: 'Preview warnings' }).getByRole('listitem'), /never closed/);
    await expect(page.getByRole('list', { name: 'Preview warnings' }).textContent()).resolves.toContain(
      'Line 3, column 1',
    );
  });
});
