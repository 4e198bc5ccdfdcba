import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type AppPage,
  newAppPage,
  newScript,
  output,
  pythonStatus,
  replaceText,
  useBuiltApp,
} from './harness';

const suite = useBuiltApp();

async function waitForReady(page: Page): Promise<void> {
  await expectText(pythonStatus(page), /ready/, 90_000);
}

async function expectText(locator: ReturnType<Page['locator']>, pattern: RegExp, timeout = 30_000) {
  await locator.filter({ hasText: pattern }).first().waitFor({ timeout });
}

async function setCode(page: Page, code: string): Promise<void> {
  await replaceText(page.locator('.cm-content'), code);
}

async function runAndWaitForNote(page: Page, note: RegExp, timeout = 30_000): Promise<void> {
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expectText(output(page).getByRole('note'), note, timeout);
}

/** Runs in the page: true once IndexedDB holds a draft containing `text`. */
function draftIsStored(text: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = indexedDB.open('pymark');
    request.onsuccess = () => {
      const db = request.result;
      const drafts = db.transaction('drafts').objectStore('drafts').getAll();
      drafts.onsuccess = () => {
        db.close();
        resolve(drafts.result.some((draft: { body: string }) => draft.body.includes(text)));
      };
    };
  });
}

async function newUtility(page: Page): Promise<void> {
  await newScript(page);
  // A bundled default is open before, so wait for the new script's title rather than any editor.
  await expectText(page.locator('.toolbar h2'), /Untitled utility/);
}

const scriptItems = (page: Page) => page.getByRole('list', { name: 'Scripts' }).getByRole('listitem');

describe('scripts workspace', () => {
  let app: AppPage;
  let page: Page;
  /** The bundled defaults every new project starts with. */
  let seeded: number;

  beforeAll(async () => {
    app = await newAppPage(suite.browser, suite.server.url);
    page = app.page;
    await page.locator('.cm-content').waitFor();
    seeded = await scriptItems(page).count();
    await newUtility(page);
    await waitForReady(page);
  });

  afterAll(async () => {
    await app.close();
  });

  test('streams output while the script is still running', async () => {
    await setCode(
      page,
      [
        'import time',
        'for i in range(3):',
        '    print(f"tick {i}")',
        '    start = time.time()',
        '    while time.time() - start < 0.7:',
        '        pass',
        'print("done")',
      ].join('\n'),
    );
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expectText(output(page), /tick 0/);
    // The first line is on screen while Python is still busy with the rest of the loop.
    await expect(pythonStatus(page).textContent()).resolves.toMatch(/running/);
    await expect(output(page).textContent()).resolves.not.toMatch(/done/);
    await expectText(output(page).getByRole('note'), /Finished/);
    await expect(output(page).textContent()).resolves.toMatch(/tick 0\s*tick 1\s*tick 2\s*done/);
  });

  test('shows main() return value and stderr distinctly', async () => {
    await setCode(page, 'import sys\nprint("to stderr", file=sys.stderr)\ndef main():\n    return 6 * 7\n');
    await runAndWaitForNote(page, /Finished/);
    await expect(output(page).locator('[data-stream="stderr"]').textContent()).resolves.toContain(
      'to stderr',
    );
    await expect(output(page).textContent()).resolves.toContain('main() returned 42');
  });

  test('an exception shows a traceback at the user line and highlights it', async () => {
    await setCode(page, 'def divide():\n    return 1 / 0\n\ndivide()\n');
    await runAndWaitForNote(page, /Failed/);
    const text = (await output(page).textContent()) ?? '';
    expect(text).toMatch(/File "untitled_utility\.py", line 2, in divide/);
    expect(text).toContain('ZeroDivisionError: division by zero');
    expect(text).not.toMatch(/pyodide|_pyodide|runner/i);
    await expect(page.locator('.cm-error-line').textContent()).resolves.toBe('    return 1 / 0');
  });

  test('Stop interrupts a busy loop and the warm runtime runs the next script', async () => {
    await setCode(page, 'while True:\n    pass\n');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expectText(pythonStatus(page), /running/);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expectText(output(page).getByRole('note'), /interrupted with KeyboardInterrupt/);
    await setCode(page, 'print("after stop")\n');
    await runAndWaitForNote(page, /Finished/);
    await expect(output(page).textContent()).resolves.toContain('after stop');
  });

  test('a script that swallows KeyboardInterrupt is ended by restarting the worker', async () => {
    await setCode(
      page,
      'while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass\n',
    );
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expectText(pythonStatus(page), /running/);
    await page.getByRole('button', { name: 'Stop' }).click();
    await expectText(output(page).getByRole('note'), /Python worker was restarted/);
    await waitForReady(page);
    await setCode(page, 'print("after restart")\n');
    await runAndWaitForNote(page, /Finished/);
    await expect(output(page).textContent()).resolves.toContain('after restart');
  });

  test('the time limit stops a long script', async () => {
    await setRunTimeLimit(page, 2);
    await setCode(page, 'while True:\n    pass\n');
    await runAndWaitForNote(page, /Time limit of 2 s reached/);
    await setCode(page, 'print("within limit")\n');
    await runAndWaitForNote(page, /Finished/);
    await expect(output(page).textContent()).resolves.toContain('within limit');
    // The tests after this one share the page: back to the default, or a busy machine cuts their runs short.
    await setRunTimeLimit(page, 30);
  });

  test('a print flood keeps its head and its tail, with the lines left out counted between', async () => {
    await setCode(page, 'for i in range(200000):\n    print("line", i)\n');
    await runAndWaitForNote(page, /lines not shown/, 90_000);
    // A panel holding 250,000 characters renders slowly on a busy machine.
    await expectText(output(page).getByRole('note'), /Finished/, 90_000);
    const text = (await output(page).textContent()) ?? '';
    expect(text).toContain('line 0\n');
    expect(text).toContain('line 199999');
    expect(text.indexOf('lines not shown')).toBeLessThan(text.indexOf('line 199999'));
  });

  test('Ctrl+S saves and Ctrl+Enter runs from the editor', async () => {
    await setCode(page, 'print("via keyboard")\n');
    await expectText(page.locator('pymark-app'), /Unsaved changes/);
    await page.keyboard.press('Control+s');
    await page.getByRole('button', { name: 'Save', exact: true }).and(page.locator(':disabled')).waitFor();
    await page.keyboard.press('Control+Enter');
    await expectText(output(page).getByRole('note'), /Finished/);
    await expect(output(page).textContent()).resolves.toContain('via keyboard');
    // Ctrl+Enter ran the script instead of inserting a line.
    await expect(page.locator('.cm-content').textContent()).resolves.toBe('print("via keyboard")');
  });

  test('scripts can be renamed, and a delete can be undone', async () => {
    const scripts = page.getByRole('list', { name: 'Scripts' });
    await page.getByRole('button', { name: 'Rename Untitled utility' }).click();
    const title = page.getByLabel('New title for Untitled utility');
    await title.fill('Weekly Digest!');
    await title.press('Enter');
    await expectText(scripts, /Weekly Digest![\s\S]*weekly_digest\.py/);

    await newUtility(page);
    await expect.poll(() => scripts.getByRole('listitem').count()).toBe(seeded + 2);
    await page.getByRole('button', { name: 'Delete Weekly Digest!' }).click();
    await expect.poll(() => scripts.getByRole('listitem').count()).toBe(seeded + 1);
    await page
      .getByRole('alert')
      .filter({ hasText: 'Deleted “Weekly Digest!”' })
      .getByRole('button', { name: 'Undo' })
      .click();
    await expectText(scripts, /Weekly Digest!/);
    await expect.poll(() => scripts.getByRole('listitem').count()).toBe(seeded + 2);
    await expectText(page.locator('.cm-content'), /via keyboard/);
    await page.getByRole('button', { name: 'Delete Untitled utility' }).click();
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => scripts.getByRole('listitem').count()).toBe(seeded + 1);
  });

  test('saved scripts and unsaved drafts survive a reload', async () => {
    await setCode(page, 'print("saved version")\n');
    const save = page.getByRole('button', { name: 'Save', exact: true });
    await save.click();
    await save.and(page.locator(':disabled')).waitFor();
    await setCode(page, 'print("draft version")\n');
    await expectText(page.locator('pymark-app'), /Unsaved changes/);
    await expect.poll(() => page.evaluate(draftIsStored, 'draft version'), { timeout: 10_000 }).toBe(true);
    await page.reload();
    await page.locator('.cm-content').waitFor();
    await page.locator('button.open', { hasText: 'Weekly Digest!' }).click();
    await expectText(page.locator('.cm-content'), /draft version/);
    await expectText(page.locator('pymark-app'), /Unsaved changes/);
    await expect.poll(() => scriptItems(page).count()).toBe(seeded + 1);
    expect(app.errors).toEqual([]);
  });

  test('the view tabs take arrow keys, and the output panel clears', async () => {
    await page.getByRole('tab', { name: 'Scripts' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(() => page.getByRole('tab', { name: 'Posts' }).getAttribute('aria-selected'))
      .toBe('true');
    await page.keyboard.press('End');
    await expect
      .poll(() => page.getByRole('tab', { name: 'Diagnostics' }).getAttribute('aria-selected'))
      .toBe('true');
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(() => page.getByRole('tab', { name: 'Scripts' }).getAttribute('aria-selected'))
      .toBe('true');
    expect(
      await page.evaluate(() =>
        document.querySelector('pymark-app')?.shadowRoot?.activeElement?.textContent?.trim(),
      ),
    ).toBe('Scripts');

    await page.locator('button.open', { hasText: 'Hello' }).click();
    await runAndWaitForNote(page, /Finished/);
    await output(page).getByRole('button', { name: 'Clear' }).click();
    await output(page).getByText('Run a script to see its output here.').waitFor();
  });

  test('keystrokes typed just before a reload survive it, in a script and in a post', async () => {
    await page.locator('button.open', { hasText: 'Weekly Digest!' }).click();
    await expectText(page.locator('.cm-content'), /draft version/);
    // No pause: the reload comes before the typing pause's draft write, and cuts that write short.
    await setCode(page, 'print("typed right before the reload")\n');
    await page.reload();
    await page.locator('button.open', { hasText: 'Weekly Digest!' }).click();
    await expectText(page.locator('.cm-content'), /typed right before the reload/);

    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.getByRole('button', { name: 'New post' }).click();
    const markdown = page.getByLabel('Markdown of Untitled post');
    await markdown.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.insertText('# Untitled post\n\nWritten a moment before the reload.');
    // Tags typed key by key keep their separators as the next one is typed, and survive too.
    const tags = page.getByLabel('Tags', { exact: true });
    await tags.click();
    await page.keyboard.type('news, tech');
    expect(await tags.inputValue()).toBe('news, tech');
    await page.reload();
    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.locator('button.open', { hasText: 'Untitled post' }).click();
    await expectText(page.getByLabel('Markdown of Untitled post'), /Written a moment before the reload/);
    await expect.poll(() => page.getByLabel('Tags', { exact: true }).inputValue()).toBe('news, tech');
    expect(app.errors).toEqual([]);
  });
});

describe('what was last open', () => {
  test('a reload reopens the view, the script and the post that were open', async () => {
    const app = await newAppPage(suite.browser, suite.server.url);
    const { page } = app;
    await page.locator('.cm-content').waitFor();
    await page.locator('button.open', { hasText: 'Vimeo' }).click();
    await page.getByRole('heading', { name: 'Vimeo' }).waitFor();
    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.getByRole('button', { name: 'New post' }).click();
    await page.getByRole('heading', { name: 'Untitled post' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Untitled post' }).waitFor();
    expect(await page.getByRole('tab', { name: 'Posts' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('tab', { name: 'Scripts' }).click();
    await page.getByRole('heading', { name: 'Vimeo' }).waitFor();
    expect(app.errors).toEqual([]);
    await app.close();
  });
});

describe('the trash', () => {
  test('a deleted built-in and a deleted post come back from the trash; "Delete forever" asks twice', async () => {
    const app = await newAppPage(suite.browser, suite.server.url);
    const { page } = app;
    await page.locator('.cm-content').waitFor();
    const trash = page.getByRole('list', { name: 'Deleted scripts' });
    for (const title of ['YouTube', 'Vimeo']) {
      await page.getByRole('button', { name: `Delete ${title}` }).click();
      await expect.poll(() => scriptItems(page).filter({ hasText: title }).count()).toBe(0);
    }
    await page.getByText('Trash (2)').click();
    // The undo toast only reaches Vimeo; the trash still has YouTube.
    await trash.getByRole('button', { name: 'Restore YouTube' }).click();
    await page.getByRole('heading', { name: 'YouTube' }).waitFor();
    await expect.poll(() => scriptItems(page).filter({ hasText: 'YouTube' }).count()).toBe(1);

    await page.getByText('Trash (1)').waitFor();
    await trash.getByRole('button', { name: 'Delete Vimeo for good' }).click();
    await trash.getByRole('button', { name: 'Confirm: delete Vimeo for good' }).click();
    await expect.poll(() => trash.count()).toBe(0);

    await page.getByRole('tab', { name: 'Posts' }).click();
    await page.getByRole('button', { name: 'New post' }).click();
    await page.getByRole('heading', { name: 'Untitled post' }).waitFor();
    await page.getByRole('button', { name: 'Delete Untitled post' }).click();
    await page.getByText('Trash (1)').click();
    await page
      .getByRole('list', { name: 'Deleted posts' })
      .getByRole('button', { name: 'Restore Untitled post' })
      .click();
    await page.getByRole('heading', { name: 'Untitled post' }).waitFor();
    expect(app.errors).toEqual([]);
    await app.close();
  });
});

describe('an offered update of an edited default', () => {
  test('compares the user’s version with the new one, line by line', async () => {
    const app = await newAppPage(suite.browser, suite.server.url);
    const { page } = app;
    await page.locator('.cm-content').waitFor();
    // The built component, fed by a stand-in for its state holder: the offer itself needs a newer
    // bundled default than the app ships.
    await page.evaluate(() => {
      const state = {
        offers: [
          {
            scriptId: 's1',
            version: 2,
            yours: 'def render(context):\n    return "mine"\n',
            script: { title: 'YouTube', body: 'import html\ndef render(context):\n    return "new"\n' },
          },
        ],
        problem: null,
      };
      const notice = document.createElement('pymark-default-offers') as HTMLElement & { offers: unknown };
      notice.offers = { state, subscribe: () => () => {} };
      document.body.append(notice);
    });
    await page.getByText('Compare yours with version 2').click();
    const changes = page.getByLabel('Changes from yours to version 2');
    await expect(changes.locator('.added').allTextContents()).resolves.toEqual([
      '+ import html',
      '+     return "new"',
    ]);
    await expect(changes.locator('.removed').allTextContents()).resolves.toEqual(['-     return "mine"']);
    await expect(changes.locator('.same').allTextContents()).resolves.toEqual(['  def render(context):']);
    expect(app.errors).toEqual([]);
    await app.close();
  });
});

async function setRunTimeLimit(page: Page, seconds: number): Promise<void> {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByLabel('Time limit for manual runs (seconds)').fill(String(seconds));
  await page.getByRole('button', { name: 'Save settings' }).click();
}
